// ChainClient::watch_runtime against a real node implementation (chopsticks with the subtensor
// runtime): the node's state_subscribeRuntimeVersion sends its current runtime at once, in the
// shape parse_runtime_version reads, and the metadata is prefetched for it at the best block
// (chain_getBlockHash with no number) before anything asks for it.
#include <gtest/gtest.h>

#include <thread>
#include <utility>

#include "../common/poll_until.hpp"
#include "chain/chain_client.hpp"
#include "localnet_env.hpp"
#include "net_test_support.hpp"

namespace pylon::chain {
namespace {

using namespace std::chrono_literals;

// The node's announcements reach the watch on its own thread: polled, there is no event.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds limit) {
  return ::pylon::test::poll_until(std::forward<Pred>(pred), limit, 10ms);
}

TEST(RuntimeWatchLocalnet, TheNodesRuntimeIsAnnouncedAndItsMetadataPrefetched) {
  PYLON_REQUIRE_LOCALNET();
  net::NetContext net;
  net::RpcClientOptions o;
  o.endpoints = {net::testing::LocalnetEnv::get().url()};
  auto rpc = net::RpcClient::create(net, o);
  ASSERT_TRUE(rpc.ok()) << rpc.error().message;
  ASSERT_TRUE((*rpc)->wait_connected(20s).ok());
  ChainClient chain(**rpc);

  auto head = chain.finalized_head();
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto expected = chain.runtime_version(*head);
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  ASSERT_FALSE(chain.has_metadata_for(expected->spec_version));

  net::testing::Collector<std::uint32_t> heard;
  ASSERT_TRUE(chain.watch_runtime([&](const RuntimeVersion& v) { heard.push(v.spec_version); }).ok());
  ASSERT_TRUE(heard.wait_count(1, 20s));
  EXPECT_EQ(heard.snapshot()[0], expected->spec_version);
  auto announced = chain.announced_runtime();
  ASSERT_TRUE(announced.has_value());
  EXPECT_EQ(announced->spec_name, expected->spec_name);
  EXPECT_EQ(announced->transaction_version, expected->transaction_version);

  // Nothing in this test asked for metadata: the watch fetched it. The prefetch is the watch's
  // worker's own business and announces nothing, so this one polls the client's cache.
  ASSERT_TRUE(wait_until([&] { return chain.has_metadata_for(expected->spec_version); }, 30s));
  auto md = chain.metadata(*head);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_FALSE((*md)->pallets.empty());
}

}  // namespace
}  // namespace pylon::chain

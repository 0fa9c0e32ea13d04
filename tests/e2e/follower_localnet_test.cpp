// The follower on the real local chain: a snapshot at a block equals what the oracle decodes
// from the same state_call at that block; new finalized blocks give new snapshots; with the chain
// gone the last snapshot stays and is marked stale; when it is back the follower catches up.
#include <simdjson.h>

#include <thread>

#include "chain/chain_client.hpp"
#include "codec/views/hyperparams.hpp"
#include "e2e_support.hpp"
#include "follower/follower.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "test_support.hpp"

namespace pylon::follower {
namespace {

using test::eventually;

// Short timeouts and retries: the chain is stopped and started again under the follower.
std::unique_ptr<net::testing::LocalnetChain> connect() {
  net::RpcClientOptions o;
  o.request_timeout = std::chrono::seconds(20);
  o.backoff.initial = std::chrono::milliseconds(100);
  o.backoff.max = std::chrono::milliseconds(500);
  return net::testing::connect_localnet(o);
}

TEST(FollowerLocalnet, SnapshotAtABlockEqualsTheOracleDecode) {
  PYLON_REQUIRE_LOCALNET();
  PYLON_REQUIRE_ORACLE();
  auto c = connect();
  ASSERT_NE(c, nullptr);
  auto head = net::testing::finalized_block(*c->chain);
  ASSERT_TRUE(head.ok()) << head.error().message;
  const chain::BlockRef at = *head;
  auto s = build_snapshot(*c->chain, 1, at);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->block, at.number);
  EXPECT_EQ(s->spec_version, 293u);
  ASSERT_TRUE(s->hyperparams.has_value());
  ASSERT_TRUE(s->commitments.has_value());
  EXPECT_GT(s->timestamp_ms, 0u);
  // The oracle's decode of the same calls at the same block.
  const std::string meta = keys::test::shared_dir() + "/chain/localnet/spec293-metadata-v15.option.hex";
  auto neurons = c->chain->state_call("NeuronInfoRuntimeApi_get_neurons_lite", Bytes{1, 0}, at);
  ASSERT_TRUE(neurons.ok());
  auto o =
      keys::test::run_oracle({"decode-api", meta, "NeuronInfoRuntimeApi_get_neurons_lite", to_hex(*neurons)});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  simdjson::dom::parser p;
  auto list = simdjson::dom::array(p.parse(o.out)["decoded"]);
  ASSERT_EQ(list.size(), s->neurons.size());
  std::size_t i = 0;
  for (auto n : list) {
    const auto& r = s->neurons[i++];
    EXPECT_EQ(codec::ss58_encode(r.hotkey), std::string_view(n["hotkey"]));
    EXPECT_EQ(codec::ss58_encode(r.coldkey), std::string_view(n["coldkey"]));
    EXPECT_EQ(r.uid, uint64_t(n["uid"]));
    EXPECT_EQ(r.active, bool(n["active"]));
    EXPECT_EQ(r.last_update, uint64_t(n["last_update"]));
  }
  const std::string method = codec::views::hyperparams_method(**c->chain->metadata(at.hash));
  auto hp = c->chain->state_call(method, Bytes{1, 0}, at);
  ASSERT_TRUE(hp.ok());
  auto oh = keys::test::run_oracle({"decode-api", meta, method, to_hex(*hp)});
  ASSERT_EQ(oh.exit_code, 0) << oh.out;
  simdjson::dom::parser p2;
  std::size_t fields = 0;
  for (auto [k, v] : simdjson::dom::object(p2.parse(oh.out)["decoded"])) {
    SCOPED_TRACE(std::string(k));
    if (v.is_bool()) {
      EXPECT_EQ(s->hyperparams->flag(k), bool(v));
    } else if (v.is_uint64() || v.is_int64()) {
      EXPECT_EQ(s->hyperparams->u64(k), uint64_t(v));
    }
    ++fields;
  }
  EXPECT_EQ(fields, s->hyperparams->fields.size());
  EXPECT_GT(s->hyperparams->u64("tempo").value_or(0), 0u);
  // A subnet that does not exist is an error, not an empty snapshot.
  auto missing = build_snapshot(*c->chain, 999, at);
  ASSERT_FALSE(missing.ok());
}

TEST(FollowerLocalnet, FollowsNewBlocksAndSurvivesTheChainGoingAway) {
  PYLON_REQUIRE_LOCALNET();
  auto c = connect();
  ASSERT_NE(c, nullptr);
  SnapshotStore store(8);
  std::vector<std::string> logs;
  std::mutex log_mu;
  FollowerOptions fo;
  fo.netuid = 1;
  fo.retry_after = std::chrono::milliseconds(300);
  fo.stale_after = std::chrono::milliseconds(1000);
  Follower f(*c->chain, *c->rpc, store, fo, [&](std::string_view lvl, std::string_view msg) {
    std::lock_guard lock(log_mu);
    logs.push_back(std::string(lvl) + ": " + std::string(msg));
  });
  ASSERT_TRUE(f.start().ok());
  ASSERT_TRUE(eventually([&] { return store.latest() != nullptr; }, std::chrono::seconds(30)));
  const std::uint64_t first = store.latest()->block;
  ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 3).ok());
  ASSERT_TRUE(eventually([&] { return store.latest()->block >= first + 3; }, std::chrono::seconds(30)));
  EXPECT_NE(store.at_block(store.latest()->block), nullptr);
  EXPECT_FALSE(store.staleness().stale);

  // The chain goes away: the last snapshot stays; a build attempt marks it stale.
  auto& env = net::testing::LocalnetEnv::get();
  const SnapshotPtr last = store.latest();
  ASSERT_EQ(env.stop(), "");
  ASSERT_TRUE(eventually([&] { return !c->rpc->connected(); }, std::chrono::seconds(20)));
  ASSERT_TRUE(eventually([&] { return store.staleness().stale; }, std::chrono::seconds(10)));
  EXPECT_EQ(store.staleness().reason, "no connection to the chain");
  EXPECT_EQ(store.latest(), last);
  // A chopsticks restart is a fresh chain from genesis; the follower must still publish again.
  ASSERT_EQ(env.start(), "");
  const std::uint64_t before = store.published_count();
  ASSERT_TRUE(eventually([&] { return c->rpc->connected(); }, std::chrono::seconds(30)));
  // The restarted dev chain starts again from genesis, below the numbers seen before: the
  // resubscribed follower follows it back and publishes its blocks.
  ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 1).ok());
  EXPECT_TRUE(eventually([&] { return store.published_count() > before; }, std::chrono::seconds(60)));
  EXPECT_LT(store.latest()->block, last->block + 2);
  EXPECT_FALSE(store.staleness().stale);  // a new snapshot clears it
  f.stop();
}

}  // namespace
}  // namespace pylon::follower

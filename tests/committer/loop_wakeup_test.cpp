// The commit loop acts on each published snapshot without polling: a publish wakes it, and
// last_ticked_block()/wait_ticked() tell when it has decided on that block. The hotkey is not in
// the snapshot, so the loop's decision ("blocked") needs no chain: the chain client points at a
// port nobody listens on, and nothing may be sent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "committer/committer.hpp"
#include "keys/derive.hpp"
#include "net/net_context.hpp"
#include "net/rpc_client.hpp"

namespace pylon::committer {
namespace {

using namespace std::chrono_literals;

follower::SnapshotPtr snapshot_at(std::uint64_t block) {
  auto s = std::make_shared<follower::Snapshot>();
  s->netuid = 1;
  s->block = block;
  s->epoch = follower::SnapshotEpoch{0, 100};
  return s;
}

TEST(CommitterLoop, WakesOnEachPublishedSnapshotAndTellsTheBlockItTicked) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("pylon-loop-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  auto store = weights::Store::open(dir + "/weights.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  net::NetContext net;
  net::RpcClientOptions o;
  o.endpoints = {"ws://127.0.0.1:1"};  // nothing listens: the loop must not need the chain here
  auto rpc = net::RpcClient::create(net, std::move(o));
  ASSERT_TRUE(rpc.ok()) << rpc.error().message;
  chain::ChainClient chain(**rpc);
  auto key = keys::key_from_uri("//Alice");
  ASSERT_TRUE(key.ok());
  Submitter sub(chain, std::move(key->keypair));
  follower::SnapshotStore snapshots;
  CommitterOptions opts;
  opts.netuid = 1;
  {
    Committer c(chain, snapshots, **store, sub, opts);
    ASSERT_TRUE(c.start().ok());
    EXPECT_EQ(c.last_ticked_block(), 0u);
    for (std::uint64_t block : {10u, 11u, 12u}) {
      snapshots.publish(snapshot_at(block));
      EXPECT_EQ(c.wait_ticked(block, 60s), block);
      EXPECT_EQ(c.state().phase, Phase::kBlocked);
      EXPECT_NE(c.state().blocked_reason.find("is not registered on subnet 1"), std::string::npos)
          << c.state().blocked_reason;
    }
    c.stop();
    // Stopped: a publish reaches no one (no listener left behind).
    snapshots.publish(snapshot_at(13));
    EXPECT_EQ(c.last_ticked_block(), 12u);
  }
  auto pending = (*store)->attempts_with_status({1}, weights::AttemptStatus::kPending);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pylon::committer

// The follower against a node that misbehaves: connections dropped, answers stalled, frames
// garbled. Each fault must end in a clear reason on the store, the last good snapshot kept and
// marked stale, no crash, and a new snapshot once the node behaves again. New blocks after the
// recorded one are the replay server's synthetic blocks (same recorded state, new number/hash).
#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

TEST(ReplayFaults, DroppedConnectionsKeepTheLastSnapshotStaleThenRecover) {
  PYLON_REPLAY_REQUIRE_SHARED();
  FollowerRig rig;
  auto good = rig.first();
  ASSERT_TRUE(good) << rig.store.staleness().reason;

  rig.server->set_fault(Fault::kDrop);
  ASSERT_TRUE(rig.store.wait_until([&] { return rig.store.staleness().stale; }, 10s));
  EXPECT_TRUE(contains(rig.store.staleness().reason, "no connection to the chain"))
      << rig.store.staleness().reason;
  EXPECT_EQ(rig.store.latest(), good);
  // A direct read says what went wrong too.
  auto r = rig.client->chain->finalized_head();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "chain_getFinalizedHead")) << r.error().message;
  EXPECT_EQ(rig.store.latest(), good);

  const std::uint64_t next = rig.server->advance_head();  // made while nobody is connected
  rig.server->set_fault(Fault::kNone);
  rig.expect_recovers_to(next);
  EXPECT_EQ(rig.store.at_block(good->block), good);
}

TEST(ReplayFaults, StalledNodeTimesOutClearlyThenRecovers) {
  PYLON_REPLAY_REQUIRE_SHARED();
  FollowerRig rig;
  auto good = rig.first();
  ASSERT_TRUE(good) << rig.store.staleness().reason;

  // The notification of the new head goes out, answers do not.
  const auto [next, reason] = rig.fault_then_stale(Fault::kStall);
  EXPECT_TRUE(contains(reason, "chain_getBlockHash")) << reason;
  EXPECT_TRUE(contains(reason, "no response within")) << reason;
  EXPECT_EQ(rig.store.latest(), good);

  rig.server->set_fault(Fault::kNone);
  rig.expect_recovers_to(next);
}

TEST(ReplayFaults, GarbledFramesAreProtocolErrorsThenRecover) {
  PYLON_REPLAY_REQUIRE_SHARED();
  FollowerRig rig;
  auto good = rig.first();
  ASSERT_TRUE(good) << rig.store.staleness().reason;

  const auto [next, reason] = rig.fault_then_stale(Fault::kGarble);
  // Failed builds are retried every retry_after, so the reason stays the build's own error.
  EXPECT_TRUE(contains(reason, "invalid JSON-RPC message")) << reason;
  EXPECT_EQ(rig.store.latest(), good);
  EXPECT_EQ(rig.store.latest()->block, good->block);

  rig.server->set_fault(Fault::kNone);
  rig.expect_recovers_to(next);
  // The subscription came back with the connection: the next block is followed too.
  const std::uint64_t after = rig.server->advance_head();
  rig.expect_recovers_to(after);
}

TEST(ReplayFaults, ConnectionCutInTheMiddleOfTheMetagraphAnswer) {
  PYLON_REPLAY_REQUIRE_SHARED();
  FollowerRig rig;
  auto good = rig.first();
  ASSERT_TRUE(good) << rig.store.staleness().reason;

  // Small answers (block hash, runtime version) pass; the 373 KB get_neurons_lite answer stops
  // halfway through its WebSocket message and the socket closes.
  const auto [next, reason] = rig.fault_then_stale(Fault::kCutLargeAnswers);
  EXPECT_TRUE(contains(reason, "state_call")) << reason;
  EXPECT_TRUE(contains(reason, "connection lost")) << reason;
  EXPECT_EQ(rig.store.latest(), good);

  rig.server->set_fault(Fault::kNone);
  rig.expect_recovers_to(next);
}

}  // namespace
}  // namespace pylon::replay

// The follower against a node that misbehaves: connections dropped, answers stalled, frames
// garbled. Each fault must end in a clear reason on the store, the last good snapshot kept and
// marked stale, no crash, and a new snapshot once the node behaves again. New blocks after the
// recorded one are the replay server's synthetic blocks (same recorded state, new number/hash).
#include <atomic>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

// Every test: a follower that has published the recorded block (`good`) before the fault.
class ReplayFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    PYLON_REPLAY_REQUIRE_SHARED();
    rig.emplace();
    good = rig->first();
    ASSERT_TRUE(good) << rig->store.staleness().reason;
  }
  // Injects `fault`: the follower goes stale with a reason naming each of `needles` and keeps the
  // last snapshot. Returns the block the node made meanwhile, which it must follow once it clears.
  std::uint64_t stale_after(Fault fault, std::initializer_list<std::string_view> needles) {
    const auto [next, reason] = rig->fault_then_stale(fault);
    for (std::string_view needle : needles) EXPECT_TRUE(contains(reason, needle)) << reason;
    EXPECT_EQ(rig->store.latest(), good);
    return next;
  }
  // The node behaves again: the follower publishes `next` and is no longer stale.
  void clear_and_recover_to(std::uint64_t next) {
    rig->server->set_fault(Fault::kNone);
    rig->expect_recovers_to(next);
  }

  std::optional<FollowerRig> rig;  // made in SetUp, after the check for the reference files
  follower::SnapshotPtr good;
};

TEST_F(ReplayFaults, DroppedConnectionsKeepTheLastSnapshotStaleThenRecover) {
  rig->server->set_fault(Fault::kDrop);
  ASSERT_TRUE(rig->store.wait_until([&] { return rig->store.staleness().stale; }, 10s));
  EXPECT_TRUE(contains(rig->store.staleness().reason, "no connection to the chain"))
      << rig->store.staleness().reason;
  EXPECT_EQ(rig->store.latest(), good);
  // A direct read says what went wrong too.
  auto r = rig->client->chain->finalized_head();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "chain_getFinalizedHead")) << r.error().message;
  EXPECT_EQ(rig->store.latest(), good);

  const std::uint64_t next = rig->server->advance_head();  // made while nobody is connected
  clear_and_recover_to(next);
  EXPECT_EQ(rig->store.at_block(good->block), good);
}

TEST_F(ReplayFaults, StalledNodeTimesOutClearlyThenRecovers) {
  // The notification of the new head goes out, answers do not.
  const std::uint64_t next = stale_after(Fault::kStall, {"chain_getBlockHash", "no response within"});
  clear_and_recover_to(next);
}

TEST_F(ReplayFaults, GarbledFramesAreProtocolErrorsThenRecover) {
  // Failed builds are retried every retry_after, so the reason stays the build's own error.
  const std::uint64_t next = stale_after(Fault::kGarble, {"invalid JSON-RPC message"});
  EXPECT_EQ(rig->store.latest()->block, good->block);
  clear_and_recover_to(next);
  // The subscription came back with the connection: the next block is followed too.
  const std::uint64_t after = rig->server->advance_head();
  rig->expect_recovers_to(after);
}

TEST_F(ReplayFaults, ConnectionCutInTheMiddleOfTheMetagraphAnswer) {
  // Small answers (block hash, runtime version) pass; the 373 KB get_neurons_lite answer stops
  // halfway through its WebSocket message and the socket closes.
  const std::uint64_t next = stale_after(Fault::kCutLargeAnswers, {"state_call", "connection lost"});
  clear_and_recover_to(next);
}

// Several subnets behind one subscription: netuid 1 is the recording's, netuid 2 is absent from
// it (the node answers its reads with errors). Subnet 2's failures mark only its own store stale
// and are retried; subnet 1 is published at every head as if it were followed alone.
TEST(ReplayFollowerSubnets, AFailingSubnetHoldsBackNoOther) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto server = start_server();
  ASSERT_TRUE(server);
  ClientStack client(server->url());
  follower::SnapshotStore one, two;
  std::atomic<int> failures_of_two{0};
  follower::Follower f(*client.chain, *client.rpc, {{1, &one}, {2, &two}}, follower_options(),
                       [&](std::string_view level, std::string_view msg) {
                         if (level == "warn" && contains(msg, "of subnet 2 failed")) ++failures_of_two;
                       });
  ASSERT_TRUE(f.start().ok());
  ASSERT_TRUE(one.wait_until([&] { return one.published_count() >= 1; }, 20s));
  EXPECT_EQ(one.latest()->block, kRecordedBlock);
  EXPECT_EQ(one.latest()->netuid, 1);
  EXPECT_EQ(one.latest()->neurons.size(), 1024u);
  ASSERT_TRUE(two.wait_until([&] { return two.staleness().stale; }, 20s));
  EXPECT_EQ(two.latest(), nullptr);
  EXPECT_FALSE(two.staleness().reason.empty());
  // Retried after retry_after (100 ms), not given up on: its store is marked again.
  const std::uint64_t marked = two.changes();
  ASSERT_GT(two.wait_changed(marked, 10s), marked);
  EXPECT_GE(failures_of_two.load(), 1);

  const std::uint64_t next = server->advance_head();
  ASSERT_TRUE(one.wait_until([&] { return one.latest()->block == next; }, 20s));
  EXPECT_FALSE(one.staleness().stale);
  EXPECT_EQ(two.latest(), nullptr);
  EXPECT_TRUE(two.staleness().stale);
  f.stop();
}

}  // namespace
}  // namespace pylon::replay

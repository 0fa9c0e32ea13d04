// Reading ahead (chain/read_ahead.hpp) against the replayed finney node: the second block's reads
// of a subnet go out as one batch learned from the first block's build, the builds find every
// answer waiting, and what they build is what a build asking each read alone builds.
#include <gtest/gtest.h>

#include <atomic>

#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

// What a ChainClient asks through it: calls one at a time, and call_all's batches.
// Thread contract: as RpcClient's; the counters are atomic.
class CountingTransport final : public net::RpcTransport {
 public:
  explicit CountingTransport(net::RpcClient& rpc) : rpc_(rpc) {}
  Result<std::string> call(std::string method, std::string params_json,
                           std::optional<std::chrono::milliseconds> timeout) override {
    ++singles;
    return rpc_.call(std::move(method), std::move(params_json), timeout);
  }
  std::vector<Result<std::string>> call_all(std::vector<net::CallSpec> calls,
                                            std::optional<std::chrono::milliseconds> timeout) override {
    ++batches;
    batched += calls.size();
    return rpc_.call_all(std::move(calls), timeout);
  }
  Result<net::SubscriptionId> subscribe(net::SubscribeSpec spec, net::NotificationCallback on) override {
    return rpc_.subscribe(std::move(spec), std::move(on));
  }
  Status unsubscribe(net::SubscriptionId id) override { return rpc_.unsubscribe(id); }
  bool connected() const override { return rpc_.connected(); }

  std::atomic<int> singles{0}, batches{0};
  std::atomic<std::size_t> batched{0};

 private:
  net::RpcClient& rpc_;
};

// The recorded metagraph's reads: the neurons, and the mechanisms where the runtime has them.
follower::BuildOptions options() {
  return neurons_only();
}

struct Rig {
  Rig() : node(), counting(*node.stack->rpc), chain(counting) {}
  // A new head and its shared block reads.
  follower::BlockReads next_block() {
    const std::uint64_t n = node.server->advance_head();
    auto hash = chain.block_hash(n);
    EXPECT_TRUE(hash.ok() && *hash);
    auto reads = follower::read_block(chain, {**hash, n}, options());
    EXPECT_TRUE(reads.ok()) << reads.error().message;
    return std::move(reads).value();
  }
  Result<follower::Snapshot> build(const follower::BlockReads& block, chain::ReadPattern& pattern,
                                   const follower::BuildOptions& o = options()) {
    std::optional<Result<follower::Snapshot>> out;
    const follower::SubnetToBuild one[] = {{1, &pattern}};
    follower::build_snapshots(chain, block, o, one,
                              [&](std::size_t, Result<follower::Snapshot> s) { out.emplace(std::move(s)); });
    return std::move(*out);
  }
  ReplayedNode node;
  CountingTransport counting;
  chain::ChainClient chain;
};

void expect_same_neurons(const follower::Snapshot& a, const follower::Snapshot& b) {
  ASSERT_EQ(a.neurons.size(), b.neurons.size());
  for (std::size_t i = 0; i < a.neurons.size(); ++i) {
    EXPECT_EQ(a.neurons[i].hotkey, b.neurons[i].hotkey) << i;
    EXPECT_EQ(a.neurons[i].uid, b.neurons[i].uid) << i;
    EXPECT_EQ(a.neurons[i].total_stake(), b.neurons[i].total_stake()) << i;
    EXPECT_EQ(a.neurons[i].emission, b.neurons[i].emission) << i;
    EXPECT_EQ(a.neurons[i].last_update, b.neurons[i].last_update) << i;
  }
  EXPECT_EQ(a.mechanisms.has_value(), b.mechanisms.has_value());
}

TEST(ReadAhead, TheNextBlocksReadsGoOutAsOneBatchAndBuildTheSameSnapshot) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Rig rig;
  ASSERT_TRUE(rig.node.up());
  chain::ReadPattern pattern;
  // The first block has nothing learned: every read is asked alone, and recorded.
  auto first = rig.build(rig.next_block(), pattern);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(rig.counting.batches.load(), 0);
  ASSERT_GE(pattern.size(), 1u);
  const std::size_t learned = pattern.size();

  const follower::BlockReads second_block = rig.next_block();
  const int singles = rig.counting.singles.load();
  auto second = rig.build(second_block, pattern);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(rig.counting.batches.load(), 1);
  EXPECT_EQ(rig.counting.batched.load(), learned);
  EXPECT_EQ(rig.counting.singles.load(), singles) << "a read of the second build was asked alone";
  EXPECT_EQ(second->block, second_block.at.number);
  EXPECT_EQ(pattern.size(), learned);  // learned anew: the same requests

  // The same block built by asking each read alone: the same snapshot. And nothing waits any
  // more: every answer was served once, so these reads go to the node.
  follower::BuildOptions alone = options();
  alone.read_ahead_subnets = 0;
  chain::ReadPattern unused;
  auto plain = rig.build(second_block, unused, alone);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(rig.counting.singles.load(), singles + static_cast<int>(learned));
  EXPECT_TRUE(unused.empty());  // nothing recorded without read-ahead
  expect_same_neurons(*second, *plain);
}

TEST(ReadAhead, ANodeThatRefusesBatchesStillGetsEveryReadAskedAlone) {
  PYLON_REPLAY_REQUIRE_SHARED();
  Rig rig;
  ASSERT_TRUE(rig.node.up());
  chain::ReadPattern pattern;
  auto first = rig.build(rig.next_block(), pattern);
  ASSERT_TRUE(first.ok()) << first.error().message;
  rig.node.server->refuse_batches(true);
  const follower::BlockReads block = rig.next_block();
  const int singles = rig.counting.singles.load();
  auto second = rig.build(block, pattern);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(rig.counting.batches.load(), 1);  // tried, refused
  EXPECT_EQ(rig.counting.singles.load(), singles + static_cast<int>(pattern.size()));
  EXPECT_EQ(second->neurons.size(), first->neurons.size());
}

}  // namespace
}  // namespace pylon::replay

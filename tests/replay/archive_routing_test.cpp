// Archive routing, proven on two loopback finney nodes serving the same recorded block: the main
// node and the archive. State reads at a block more than archive_cutoff blocks behind the newest
// finalized block go to the archive; reads within the cutoff, and block lookups, go to the main
// node. With the main node pruned (its state of the block "already discarded", as finney answered
// in the retry_archive recording) old blocks still read whole from the archive.
#include <gtest/gtest.h>

#include "codec/scale_writer.hpp"
#include "codec/views/neuron_lite.hpp"
#include "common/hex.hpp"
#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

// Both nodes recorded this (metagraph scenario): a SubtensorModule storage key of netuid 1, empty
// at that block.
constexpr std::string_view kRecordedKey =
    "0x658faa385070e074c85bf6b568cf0555604fb97037feb8522bf37d42d54fa6e9f1577fbf1d628fdd0100";
constexpr std::uint64_t kCutoff = 300;

struct TwoNodes {
  TwoNodes() : main(start_server()), archive(start_server()) {
    if (!main || !archive) return;
    main_stack = std::make_unique<ClientStack>(main->url());
    archive_stack = std::make_unique<ClientStack>(archive->url());
    chain = std::make_unique<chain::ChainClient>(*main_stack->rpc, archive_stack->rpc.get(),
                                                 chain::ChainClientOptions{kCutoff});
    auto h = chain::parse_hash(main->recorded_hash());
    EXPECT_TRUE(h.ok());
    at = chain::BlockRef{h.ok() ? *h : BlockHash{}, main->recorded_number()};
  }
  ~TwoNodes() {
    chain.reset();
    main_stack.reset();
    archive_stack.reset();
  }
  // State reads seen by a node so far.
  static std::uint64_t state_reads(const ReplayServer& s) {
    return s.requests("state_call") + s.requests("state_getStorage") + s.requests("state_getRuntimeVersion") +
           s.requests("state_getMetadata") + s.requests("state_getKeysPaged") +
           s.requests("state_queryStorageAt");
  }
  // Every kind of state read the client makes at `at`; all must succeed.
  void read_everything() {
    auto version = chain->runtime_version(at);
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_EQ(version->spec_version, 343u);
    auto md = chain->metadata(at);
    ASSERT_TRUE(md.ok()) << md.error().message;
    codec::ScaleWriter netuid;
    netuid.fixed_le<std::uint16_t>(1);
    auto neurons = chain->state_call("NeuronInfoRuntimeApi_get_neurons_lite", netuid.out(), at);
    ASSERT_TRUE(neurons.ok()) << neurons.error().message;
    auto view = codec::views::NeuronLiteView::resolve(*md);
    ASSERT_TRUE(view.ok()) << view.error().message;
    std::vector<codec::views::NeuronLite> decoded;
    auto d = view->decode_all_into(*neurons, decoded);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(decoded.size(), 1024u);
    auto key = from_hex(kRecordedKey);
    ASSERT_TRUE(key.ok());
    auto value = chain->storage(*key, at);
    ASSERT_TRUE(value.ok()) << value.error().message;
    EXPECT_FALSE(value->has_value());  // finney answered null: nothing stored under it
  }

  std::unique_ptr<ReplayServer> main, archive;
  std::unique_ptr<ClientStack> main_stack, archive_stack;
  std::unique_ptr<chain::ChainClient> chain;
  chain::BlockRef at;
};

TEST(ArchiveRouting, BeforeAnyFinalizedBlockIsKnownReadsGoToTheMainNode) {
  PYLON_REPLAY_REQUIRE_SHARED();
  TwoNodes n;
  ASSERT_TRUE(n.chain);
  EXPECT_FALSE(n.chain->routes_to_archive(n.at));
  n.read_everything();
  EXPECT_GT(TwoNodes::state_reads(*n.main), 0u);
  EXPECT_EQ(TwoNodes::state_reads(*n.archive), 0u);
}

// Every read of read_everything() went to `used` (metadata + get_neurons_lite, one storage item,
// runtime_version; metadata's version check is the client's copy of the block's version) and none
// to `unused`.
void expect_all_reads_on(const ReplayServer& used, const ReplayServer& unused) {
  EXPECT_EQ(used.requests("state_call"), 2u);
  EXPECT_EQ(used.requests("state_getStorage"), 1u);
  EXPECT_EQ(used.requests("state_getRuntimeVersion"), 1u);
  EXPECT_EQ(TwoNodes::state_reads(unused), 0u);
}

TEST(ArchiveRouting, ABlockExactlyAtTheCutoffStillGoesToTheMainNode) {
  PYLON_REPLAY_REQUIRE_SHARED();
  TwoNodes n;
  ASSERT_TRUE(n.chain);
  n.chain->note_finalized(n.at.number + kCutoff);
  EXPECT_FALSE(n.chain->routes_to_archive(n.at));
  n.read_everything();
  expect_all_reads_on(*n.main, *n.archive);
}

TEST(ArchiveRouting, ABlockOnePastTheCutoffGoesToTheArchive) {
  PYLON_REPLAY_REQUIRE_SHARED();
  TwoNodes n;
  ASSERT_TRUE(n.chain);
  n.chain->note_finalized(n.at.number + kCutoff + 1);
  EXPECT_TRUE(n.chain->routes_to_archive(n.at));
  n.read_everything();
  expect_all_reads_on(*n.archive, *n.main);

  // A newer block (within the cutoff of the same head) is read from the main node meanwhile.
  chain::BlockRef recent{n.at.hash, n.at.number + 1};
  auto value = n.chain->storage(*from_hex(kRecordedKey), recent);
  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(n.main->requests("state_getStorage"), 1u);
  EXPECT_EQ(n.archive->requests("state_getStorage"), 1u);
}

TEST(ArchiveRouting, AnOlderFinalizedNumberDoesNotMoveTheHeadBack) {
  PYLON_REPLAY_REQUIRE_SHARED();
  TwoNodes n;
  ASSERT_TRUE(n.chain);
  n.chain->note_finalized(n.at.number + 1000);
  n.chain->note_finalized(n.at.number + 5);  // e.g. a lagging node after failover
  EXPECT_TRUE(n.chain->routes_to_archive(n.at));
}

TEST(ArchiveRouting, APrunedMainNodeIsNotAskedForOldState) {
  PYLON_REPLAY_REQUIRE_SHARED();
  TwoNodes n;
  ASSERT_TRUE(n.chain);
  n.main->set_state_pruned(true);
  n.chain->note_finalized(n.at.number + 1000);
  n.read_everything();  // whole, from the archive
  EXPECT_EQ(TwoNodes::state_reads(*n.main), 0u);

  // Block lookups are not state: the main node answers them.
  auto hash = n.chain->block_hash(n.at.number);
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  ASSERT_TRUE(hash->has_value());
  EXPECT_EQ(**hash, n.at.hash);
  EXPECT_EQ(n.main->requests("chain_getBlockHash"), 1u);
  EXPECT_EQ(n.archive->requests("chain_getBlockHash"), 0u);

  // Why the BlockRef overloads exist: asked by hash alone, the pruned node refuses, as finney did
  // (asked by a client that has not read this block's version yet).
  chain::ChainClient fresh(*n.main_stack->rpc, n.archive_stack->rpc.get(),
                           chain::ChainClientOptions{kCutoff});
  fresh.note_finalized(n.at.number + 1000);
  auto by_hash = fresh.runtime_version(n.at.hash);
  ASSERT_FALSE(by_hash.ok());
  EXPECT_TRUE(contains(by_hash.error().message, "State already discarded")) << by_hash.error().message;
}

TEST(ArchiveRouting, WithoutAnArchiveOldBlocksGoToTheMainNode) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto main = start_server();
  ASSERT_TRUE(main);
  ClientStack stack(main->url());
  chain::ChainClient chain(*stack.rpc, nullptr, chain::ChainClientOptions{kCutoff});
  chain.note_finalized(main->recorded_number() + 10'000);
  auto h = chain::parse_hash(main->recorded_hash());
  ASSERT_TRUE(h.ok());
  const chain::BlockRef at{*h, main->recorded_number()};
  EXPECT_FALSE(chain.routes_to_archive(at));
  auto version = chain.runtime_version(at);
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(main->requests("state_getRuntimeVersion"), 1u);
}

}  // namespace
}  // namespace pylon::replay

// What a timelocked commit reads from the chain, through a real ChainClient against the replay
// node (finney's recorded block 6852690, spec 343, netuid 1): the call is found in that block's
// metadata (and in devnet's, not in the local spec 293's), and the round follows from the storage
// the node serves, by the runtime's own epoch rule (spec 343 has no SubnetEpochIndex: the
// get_epoch_index grid) and slot duration (Aura.SlotDuration, 12 s). The storage values the
// recording lacks (RevealPeriodEpochs, Drand.LastStoredRound, CommitRevealWeightsVersion, Tempo)
// are served by the test, keyed as the metadata says.
#include "committer/timelocked_target.hpp"

#include <gtest/gtest.h>

#include <map>

#include "chain/storage_key.hpp"
#include "codec/metadata.hpp"
#include "committer/chain_storage.hpp"
#include "replay_test_support.hpp"

namespace pylon::committer {
namespace {

using replay::testing::ClientStack;

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

TEST(TimelockedTarget, TheCallIsFoundInTheMetadataOfRuntimesThatHaveIt) {
  const std::string dir = replay::testing::shared_dir();
  if (dir.empty()) GTEST_SKIP() << "shared reference files not found: set PYLON_SHARED_DIR";
  for (auto [rel, has] : {std::pair{"chain/finney-metadata-v15.option.hex", true},
                          std::pair{"chain/devnet-metadata-v16.scale", true},
                          std::pair{"chain/localnet/spec293-metadata-v15.option.hex", false},
                          std::pair{"chain/localnet/spec293-metadata-v14.hex", false}}) {
    auto md = codec::load_metadata_file(dir + "/" + rel);
    ASSERT_TRUE(md.ok()) << md.error().message;
    EXPECT_EQ(has_timelocked_commits(**md), has) << rel;
  }
}

TEST(TimelockedTarget, TheRoundFollowsTheBlocksStorageOnRecordedFinney) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto server = replay::ReplayServer::start({replay::testing::shared_dir(), "metagraph"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  ClientStack stack((*server)->url());
  ASSERT_TRUE(stack.chain);
  const std::uint64_t number = (*server)->recorded_number();
  auto hash = from_hex((*server)->recorded_hash());
  ASSERT_TRUE(hash.ok());
  chain::BlockRef at;
  std::copy(hash->begin(), hash->end(), at.hash.begin());
  at.number = number;
  ASSERT_EQ(number, 6852690u);

  auto md = stack.chain->metadata(at.hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto key = [&](std::string_view pallet, std::string_view item, std::vector<Bytes> keys) {
    auto k = chain::storage_key(**md, pallet, item, keys);
    EXPECT_TRUE(k.ok()) << item;
    return k.ok() ? to_hex(*k).substr(2) : std::string("-");
  };
  std::map<std::string, std::string> values{
      {key("SubtensorModule", "Tempo", {netuid_key(1)}), "0x6801"},                           // 360
      {key("SubtensorModule", "RevealPeriodEpochs", {netuid_key(1)}), "0x0100000000000000"},  // 1
      {key("SubtensorModule", "CommitRevealWeightsVersion", {}), "0x0400"},
      {key("Drand", "LastStoredRound", {}), "0x902b3e0100000000"},  // 20851600
  };
  (*server)->set_override(
      [&](std::string_view method, std::string_view params) -> std::optional<std::string> {
        if (method != "state_getStorage" && method != "state_getStorageAt") return std::nullopt;
        for (const auto& [k, v] : values)
          if (params.find(k) != std::string_view::npos) return quoted(v);
        return std::nullopt;
      });

  // Formula rule: the commit lands in 6852691, epoch (6852691 + 2) / 361 = 18982; the reveal
  // epoch 18983 begins at 18983 * 361 - 2 = 6852861; the round is that of 6852864, 174 blocks
  // of 12 s after the head.
  const std::uint64_t now_ms = (1692803367ULL + 3 * 20851000ULL) * 1000;  // round 20851000's time
  auto t = timelocked_target(*stack.chain, 1, at, now_ms);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->reveal.blocks.commit_epoch, 18982u);
  EXPECT_EQ(t->reveal.blocks.first_reveal_block, 6852861u);
  EXPECT_EQ(t->reveal.target_block, 6852864u);
  EXPECT_EQ(t->reveal.round, 20851000u + 174u * 12u / 3u);
  EXPECT_FALSE(t->reveal.raised_to_stored);
  EXPECT_EQ(t->commit_reveal_version, 4u);
  EXPECT_EQ(t->last_stored_round, 20851600u);

  // The chain's pulses are ahead of this clock: the round is raised above the last stored one.
  values[key("Drand", "LastStoredRound", {})] = "0x0000400100000000";  // 20971520
  auto ahead = timelocked_target(*stack.chain, 1, at, now_ms);
  ASSERT_TRUE(ahead.ok()) << ahead.error().message;
  EXPECT_EQ(ahead->reveal.round, 20971521u);
  EXPECT_TRUE(ahead->reveal.raised_to_stored);

  // The version is the storage's, whatever it says.
  values[key("SubtensorModule", "CommitRevealWeightsVersion", {})] = "0x0500";
  auto v5 = timelocked_target(*stack.chain, 1, at, now_ms);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ(v5->commit_reveal_version, 5u);

  // Tempo 0: no epochs, no round.
  values[key("SubtensorModule", "Tempo", {netuid_key(1)})] = "0x0000";
  auto zero = timelocked_target(*stack.chain, 1, at, now_ms);
  ASSERT_FALSE(zero.ok());
  EXPECT_TRUE(zero.error().is(RevealRoundErrc::tempo_zero));
}

}  // namespace
}  // namespace pylon::committer

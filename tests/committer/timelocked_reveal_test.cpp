// Whether the chain revealed a timelocked commit, decided from storage answers built as the real
// runtimes encode them: devnet's metadata (spec 381) and the recorded finney one (spec 343) both
// have TimelockedWeightCommits: (NetUidStorageIndex, u64) => Vec<(AccountId32, u64, Bytes, u64)>,
// Drand.LastStoredRound: u64, LastUpdate and Weights under the mechanism's storage index; the local
// spec 293 has neither mechanisms nor timelocked commits. The read path runs through a real
// ChainClient against the replay node (recorded finney block 6852690), with the storage the
// recording lacks served by the test under the keys the metadata gives.
#include "committer/timelocked_reveal.hpp"

#include <gtest/gtest.h>

#include <map>

#include "chain/storage_key.hpp"
#include "codec/metadata.hpp"
#include "committer/chain_storage.hpp"
#include "committer/weights_call.hpp"
#include "common/hex.hpp"
#include "replay_test_support.hpp"
#include "test_support.hpp"

namespace pylon::committer {
namespace {

Result<std::shared_ptr<const codec::Metadata>> load(const char* rel) {
  return codec::load_metadata_file(test::shared_path(rel));
}

void put_u64(Bytes& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_len(Bytes& b, std::size_t n) {  // SCALE compact, single-byte mode (n < 64)
  b.push_back(static_cast<std::uint8_t>(n << 2));
}

AccountId account(std::uint8_t fill) {
  AccountId::Array a;
  a.fill(fill);
  return AccountId(a);
}

// One TimelockedWeightCommits value: (who, commit_block, ciphertext, reveal_round) each.
struct Entry {
  AccountId who;
  std::uint64_t commit_block;
  std::uint64_t round;
};
Bytes commits_value(const std::vector<Entry>& entries) {
  Bytes b;
  put_len(b, entries.size());
  for (const auto& e : entries) {
    b.insert(b.end(), e.who.begin(), e.who.end());
    put_u64(b, e.commit_block);
    put_len(b, 3);
    b.insert(b.end(), {0xaa, 0xbb, 0xcc});
    put_u64(b, e.round);
  }
  return b;
}
Bytes u64_value(std::uint64_t v) {
  Bytes b;
  put_u64(b, v);
  return b;
}
Bytes last_update_value(const std::vector<std::uint64_t>& v) {
  Bytes b;
  put_len(b, v.size());
  for (auto x : v) put_u64(b, x);
  return b;
}
Bytes weights_value(const std::vector<std::pair<std::uint16_t, std::uint16_t>>& row) {
  Bytes b;
  put_len(b, row.size());
  for (auto [u, v] : row) {
    put_u16(b, u);
    put_u16(b, v);
  }
  return b;
}

constexpr std::uint64_t kRound = 20851696;
constexpr std::uint64_t kCommitBlock = 6852691;

TimelockedCommitRef ours() {
  TimelockedCommitRef c;
  c.netuid = 1;
  c.mechanism = 1;
  c.hotkey = account(7);
  c.uid = 2;
  c.reveal_round = kRound;
  c.commit_block = kCommitBlock;
  return c;
}

// The answers after the reveal: the queue no longer holds ours, the round is stored, uid 2's
// LastUpdate moved to the reveal block, and its Weights row is what the commit sealed.
TimelockedRevealStorage revealed_storage() {
  TimelockedRevealStorage s;
  s.block = 6853000;
  s.pending = {commits_value({{account(9), 6852990, kRound + 100}})};  // someone else's, later
  s.last_stored_round = u64_value(kRound + 40);
  s.last_update = last_update_value({0, 5, 6852862, 7});
  s.weights_row = weights_value({{0, 65535}, {3, 1000}});
  return s;
}

TEST(TimelockedReveal, TheStorageIndexFollowsTheMetadata) {
  for (const char* rel : {"chain/devnet-metadata-v16.scale", "chain/finney-metadata-v15.option.hex"}) {
    if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
    auto md = load(rel);
    ASSERT_TRUE(md.ok()) << md.error().message;
    EXPECT_EQ(*mechanism_index(**md, 1, 0), 1u) << rel;
    EXPECT_EQ(*mechanism_index(**md, 1, 1), 4097u) << rel;  // mecid * 4096 + netuid
    EXPECT_EQ(*mechanism_index(**md, 12, 2), 8204u) << rel;
  }
  const char* local = "chain/localnet/spec293-metadata-v15.option.hex";
  if (!test::have_shared(local)) GTEST_SKIP() << "reference file absent";
  auto md = load(local);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(*mechanism_index(**md, 3, 0), 3u);
  auto none = mechanism_index(**md, 3, 1);  // no mechanisms: none above 0
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.error().is(MechanismErrc::kNoSuchMechanism));
}

TEST(TimelockedReveal, DecidedFromDevnetAndFinneyStorage) {
  for (const char* rel : {"chain/devnet-metadata-v16.scale", "chain/finney-metadata-v15.option.hex"}) {
    if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
    auto md = load(rel);
    ASSERT_TRUE(md.ok()) << md.error().message;

    // Revealed: the Weights row is read back beside the round.
    auto r = decide_timelocked_reveal(**md, ours(), revealed_storage());
    ASSERT_TRUE(r.ok()) << rel << ": " << r.error().message;
    EXPECT_EQ(r->state, ChainRevealState::kRevealed) << rel;
    EXPECT_EQ(r->block, 6853000u);
    EXPECT_EQ(r->last_stored_round, kRound + 40);
    EXPECT_EQ(r->last_update, 6852862u);
    EXPECT_EQ(r->weights, (std::vector<std::pair<std::uint16_t, std::uint16_t>>{{0, 65535}, {3, 1000}}));

    // Still queued (beside other entries, in another epoch's value): awaiting, no weights.
    auto s = revealed_storage();
    s.pending.push_back(
        commits_value({{account(8), kCommitBlock, kRound}, {account(7), kCommitBlock, kRound}}));
    auto w = decide_timelocked_reveal(**md, ours(), s);
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(w->state, ChainRevealState::kAwaiting) << rel;
    EXPECT_TRUE(w->weights.empty());

    // Our hotkey queued for another round is another commit: ours is gone.
    s = revealed_storage();
    s.pending.push_back(commits_value({{account(7), kCommitBlock + 400, kRound + 120}}));
    EXPECT_EQ(decide_timelocked_reveal(**md, ours(), s)->state, ChainRevealState::kRevealed) << rel;

    // Read at a block before the commit landed: awaiting, whatever the queue says.
    s = revealed_storage();
    s.block = kCommitBlock - 1;
    EXPECT_EQ(decide_timelocked_reveal(**md, ours(), s)->state, ChainRevealState::kAwaiting) << rel;

    // Gone, but LastUpdate did not move past the commit (the commit itself sets it): dropped.
    s = revealed_storage();
    s.last_update = last_update_value({0, 5, kCommitBlock, 7});
    EXPECT_EQ(decide_timelocked_reveal(**md, ours(), s)->state, ChainRevealState::kDropped) << rel;
    // Gone, and the round's pulse is not stored: it cannot have been revealed.
    s = revealed_storage();
    s.last_stored_round = u64_value(kRound - 1);
    EXPECT_EQ(decide_timelocked_reveal(**md, ours(), s)->state, ChainRevealState::kDropped) << rel;
    // Nothing stored at all (defaults: no round, empty LastUpdate): dropped, not an error.
    TimelockedRevealStorage empty;
    empty.block = 6853000;
    EXPECT_EQ(decide_timelocked_reveal(**md, ours(), empty)->state, ChainRevealState::kDropped) << rel;

    // Answers that do not fit the metadata's types are errors, never guesses.
    s = revealed_storage();
    s.pending.push_back(Bytes{0x04, 0x01});
    EXPECT_FALSE(decide_timelocked_reveal(**md, ours(), s).ok()) << rel;
    for (auto* answer : {&s.weights_row, &s.last_update, &s.last_stored_round}) {
      s = revealed_storage();
      *answer = Bytes{0x04};  // a Vec of one element that is not there / a truncated u64
      auto bad = decide_timelocked_reveal(**md, ours(), s);
      ASSERT_FALSE(bad.ok()) << rel;
      EXPECT_TRUE(bad.error().is(TimelockedRevealErrc::kBadShape)) << bad.error().message;
    }
    s = revealed_storage();
    s.weights_row = Bytes{0x04, 0x01, 0x00};
    EXPECT_FALSE(decide_timelocked_reveal(**md, ours(), s).ok()) << rel;
    s = revealed_storage();
    s.last_stored_round = Bytes{0x01, 0x02};
    EXPECT_FALSE(decide_timelocked_reveal(**md, ours(), s).ok()) << rel;
  }
}

TEST(TimelockedReveal, ARuntimeWithoutTimelockedCommitsIsAnError) {
  const char* local = "chain/localnet/spec293-metadata-v15.option.hex";
  if (!test::have_shared(local)) GTEST_SKIP() << "reference file absent";
  auto md = load(local);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto c = ours();
  c.mechanism = 0;
  auto r = decide_timelocked_reveal(**md, c, revealed_storage());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(TimelockedRevealErrc::kNotInRuntime));
}

std::string json_str(const std::string& s) {
  return "\"" + s + "\"";
}

// The read path: keys from the recorded block's metadata (finney spec 343: mechanism 1 of netuid 1
// is storage index 4097), the queue iterated by prefix, the rest read by key.
TEST(TimelockedReveal, ReadThroughTheChainClientAtTheMechanismsIndex) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto server = replay::ReplayServer::start({replay::testing::shared_dir(), "metagraph"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  replay::testing::ClientStack stack((*server)->url());
  ASSERT_TRUE(stack.chain);
  auto hash = from_hex((*server)->recorded_hash());
  ASSERT_TRUE(hash.ok());
  chain::BlockRef at;
  std::copy(hash->begin(), hash->end(), at.hash.begin());
  at.number = (*server)->recorded_number();
  auto md = stack.chain->metadata(at.hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto hex_key = [&](std::string_view pallet, std::string_view item, std::vector<Bytes> keys) {
    auto k = chain::storage_key(**md, pallet, item, keys);
    EXPECT_TRUE(k.ok()) << item;
    return k.ok() ? to_hex(*k) : std::string("-");
  };
  Bytes epoch_key;
  put_u64(epoch_key, 18982);
  const std::string prefix = hex_key("SubtensorModule", "TimelockedWeightCommits", {netuid_key(4097)});
  const std::string queued =
      hex_key("SubtensorModule", "TimelockedWeightCommits", {netuid_key(4097), epoch_key});
  std::string queue_value = to_hex(commits_value({{account(7), kCommitBlock, kRound}}));
  std::map<std::string, std::string> values{
      {hex_key("Drand", "LastStoredRound", {}), to_hex(u64_value(kRound + 40))},
      {hex_key("SubtensorModule", "LastUpdate", {netuid_key(4097)}),
       to_hex(last_update_value({0, 5, 6852862}))},
      {hex_key("SubtensorModule", "Weights", {netuid_key(4097), netuid_key(2)}),
       to_hex(weights_value({{1, 9}}))},
  };
  (*server)->set_override(
      [&](std::string_view method, std::string_view params) -> std::optional<std::string> {
        if (method == "state_getKeysPaged") {
          // One page holding the queued key (only under the mechanism's prefix), then none.
          if (params.find(prefix.substr(2)) == std::string_view::npos ||
              params.find("null") == std::string_view::npos || queue_value.empty())
            return std::string("[]");
          return "[" + json_str(queued) + "]";
        }
        if (method == "state_queryStorageAt")
          return "[{\"block\":" + json_str((*server)->recorded_hash()) + ",\"changes\":[[" +
                 json_str(queued) + "," + json_str(queue_value) + "]]}]";
        if (method != "state_getStorage" && method != "state_getStorageAt") return std::nullopt;
        for (const auto& [k, v] : values)
          if (params.find(k.substr(2)) != std::string_view::npos) return json_str(v);
        return std::string("null");
      });

  // The read is at the recorded block (6852690): the commit landed 10 blocks before it.
  auto later = ours();
  later.commit_block = at.number - 10;
  auto waiting = read_timelocked_reveal(*stack.chain, later, at);
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  EXPECT_EQ(waiting->state, ChainRevealState::kAwaiting);

  queue_value.clear();  // the chain took it out of the queue and applied it
  auto done = read_timelocked_reveal(*stack.chain, later, at);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->state, ChainRevealState::kRevealed);
  EXPECT_EQ(done->weights, (std::vector<std::pair<std::uint16_t, std::uint16_t>>{{1, 9}}));
  EXPECT_EQ(done->last_stored_round, kRound + 40);
  (*server)->set_override({});
}

}  // namespace
}  // namespace pylon::committer

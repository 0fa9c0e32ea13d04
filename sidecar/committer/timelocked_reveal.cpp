#include "committer/timelocked_reveal.hpp"

#include "chain/storage_key.hpp"
#include "committer/chain_storage.hpp"
#include "common/enum_names.hpp"

namespace pylon::committer {

namespace {

constexpr std::string_view kPallet = "SubtensorModule";
constexpr std::string_view kCommits = "TimelockedWeightCommits";

// Whether one TimelockedWeightCommits value (a queue of (AccountId, commit block, ciphertext,
// reveal round)) holds this hotkey's commit sealed to the round.
Result<bool> holds_commit(const codec::Metadata& md, const Bytes& raw, const TimelockedCommitRef& c) {
  PYLON_ASSIGN(std::optional<codec::Value> v, decode_storage_value(md, kPallet, kCommits, raw));
  const std::string shape_error =
      "SubtensorModule.TimelockedWeightCommits entries are not (AccountId, u64, Bytes, u64) in this runtime";
  if (!v) return false;
  if (v->kind != codec::Value::Kind::Array) return make_error(TimelockedRevealErrc::kBadShape, shape_error);
  for (const codec::Value& e : v->items) {
    if (e.kind != codec::Value::Kind::Array || e.items.size() != 4 ||
        e.items[0].kind != codec::Value::Kind::AccountId || e.items[0].bytes.size() != c.hotkey.size() ||
        e.items[3].kind != codec::Value::Kind::UInt)
      return make_error(TimelockedRevealErrc::kBadShape, shape_error);
    if (std::equal(c.hotkey.begin(), c.hotkey.end(), e.items[0].bytes.begin()) &&
        e.items[3].uint == c.reveal_round)
      return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(ChainRevealState state) {
  static constexpr auto kNames =
      enum_names<ChainRevealState::kAwaiting, ChainRevealState::kDropped>("awaiting", "revealed", "dropped");
  return kNames(state, "awaiting");  // only a cast makes a value outside the table
}

namespace {

Result<ChainReveal> decide(const codec::Metadata& md, const TimelockedCommitRef& commit,
                           const TimelockedRevealStorage& storage) {
  if (!has_storage_item(md, kPallet, kCommits))
    return make_error(TimelockedRevealErrc::kNotInRuntime,
                      "this runtime has no SubtensorModule.TimelockedWeightCommits");
  ChainReveal r;
  r.block = storage.block;
  PYLON_ASSIGN(std::optional<codec::Value> round,
               decode_storage_value(md, "Drand", "LastStoredRound", storage.last_stored_round));
  PYLON_ASSIGN(r.last_stored_round, as_u64(round, "Drand", "LastStoredRound"));
  PYLON_ASSIGN(std::optional<codec::Value> updates,
               decode_storage_value(md, kPallet, "LastUpdate", storage.last_update));
  PYLON_ASSIGN(r.last_update, last_update_from(updates, commit.uid));
  bool pending = storage.block < commit.commit_block;  // read before the commit landed
  for (const Bytes& raw : storage.pending) {
    PYLON_ASSIGN(bool held, holds_commit(md, raw, commit));
    pending = pending || held;
  }
  if (pending) return r;  // awaiting
  if (r.last_stored_round < commit.reveal_round || r.last_update <= commit.commit_block) {
    r.state = ChainRevealState::kDropped;
    return r;
  }
  PYLON_ASSIGN(std::optional<codec::Value> row,
               decode_storage_value(md, kPallet, "Weights", storage.weights_row));
  PYLON_ASSIGN(r.weights, weights_row_from(row));
  r.state = ChainRevealState::kRevealed;
  return r;
}

}  // namespace

Result<ChainReveal> decide_timelocked_reveal(const codec::Metadata& md, const TimelockedCommitRef& commit,
                                             const TimelockedRevealStorage& storage) {
  auto r = decide(md, commit, storage);
  // The decoder's and chain_storage's shape errors carry no kind of their own: each is an answer
  // that does not fit the metadata.
  if (!r.ok() && r.error().domain == nullptr)
    return make_error(TimelockedRevealErrc::kBadShape, r.error().message);
  return r;
}

Result<ChainReveal> read_timelocked_reveal(chain::ChainClient& chain, const TimelockedCommitRef& commit,
                                           const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, chain.metadata(at));
  PYLON_ASSIGN(std::uint16_t index, mechanism_index(*md, commit.netuid, commit.mechanism));
  TimelockedRevealStorage s;
  s.block = at.number;
  PYLON_ASSIGN(Bytes prefix, chain::storage_key(*md, kPallet, kCommits, {netuid_key(index)}));
  PYLON_ASSIGN(auto entries, chain.storage_by_prefix(prefix, at));
  for (auto& [key, value] : entries) s.pending.push_back(std::move(value));
  auto read = [&](std::string_view pallet, std::string_view item,
                  const std::vector<Bytes>& keys) -> Result<std::optional<Bytes>> {
    PYLON_ASSIGN(Bytes key, chain::storage_key(*md, pallet, item, keys));
    return chain.storage(key, at);
  };
  PYLON_ASSIGN(s.last_stored_round, read("Drand", "LastStoredRound", {}));
  PYLON_ASSIGN(s.last_update, read(kPallet, "LastUpdate", {netuid_key(index)}));
  PYLON_ASSIGN(s.weights_row, read(kPallet, "Weights", {netuid_key(index), netuid_key(commit.uid)}));
  return decide_timelocked_reveal(*md, commit, s);
}

}  // namespace pylon::committer

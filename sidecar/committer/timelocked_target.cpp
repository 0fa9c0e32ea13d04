#include "committer/timelocked_target.hpp"

#include "committer/chain_storage.hpp"
#include "extrinsic/call.hpp"

namespace pylon::committer {

namespace {

constexpr std::string_view kSubtensor = "SubtensorModule";

// subtensor's DefaultCommitRevealWeightsVersion (lib.rs), for a runtime with the call but without
// the storage item that would say otherwise.
constexpr std::uint16_t kDefaultCommitRevealVersion = 4;

// The slot duration in ms: Aura.SlotDuration (u64), else twice Timestamp.MinimumPeriod.
Result<std::uint64_t> block_time_ms(const codec::Metadata& md) {
  auto read = [&](std::string_view pallet, std::string_view name) -> std::optional<std::uint64_t> {
    const codec::Pallet* p = md.pallet(pallet);
    const codec::Constant* c = p ? p->constant(name) : nullptr;
    if (!c || c->value.size() != 8) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t{c->value[i]} << (8 * i);
    return v;
  };
  if (auto slot = read("Aura", "SlotDuration")) return *slot;
  if (auto min = read("Timestamp", "MinimumPeriod")) return *min * 2;
  return make_error(
      "the runtime has neither Aura.SlotDuration nor Timestamp.MinimumPeriod: its block time is unknown");
}

}  // namespace

bool has_timelocked_commits(const codec::Metadata& md) {
  return extrinsic::find_call(md, "SubtensorModule.commit_timelocked_weights").ok();
}

Result<TimelockedTarget> timelocked_target(chain::ChainClient& chain, std::uint16_t netuid,
                                           const chain::BlockRef& at, std::uint64_t now_unix_ms) {
  PYLON_ASSIGN(auto md, chain.metadata(at.hash));
  PYLON_ASSIGN(std::uint64_t tempo, read_netuid_u64(chain, *md, "Tempo", netuid, at));
  if (tempo > UINT16_MAX)
    return make_error("SubtensorModule.Tempo " + std::to_string(tempo) + " is not a u16");
  RevealRoundInputs in;
  // The stateful epoch rule where the runtime keeps the epoch state (epoch.hpp decides alike).
  const bool stateful = has_storage_item(*md, kSubtensor, "SubnetEpochIndex") &&
                        has_storage_item(*md, kSubtensor, "LastEpochBlock") &&
                        has_storage_item(*md, kSubtensor, "PendingEpochAt") &&
                        has_storage_item(*md, kSubtensor, "BlocksSinceLastStep");
  if (stateful) {
    EpochScheduleState s;
    s.tempo = static_cast<std::uint16_t>(tempo);
    s.current_block = at.number;
    PYLON_ASSIGN(s.subnet_epoch_index, read_netuid_u64(chain, *md, "SubnetEpochIndex", netuid, at));
    PYLON_ASSIGN(s.last_epoch_block, read_netuid_u64(chain, *md, "LastEpochBlock", netuid, at));
    PYLON_ASSIGN(s.pending_epoch_at, read_netuid_u64(chain, *md, "PendingEpochAt", netuid, at));
    PYLON_ASSIGN(s.blocks_since_last_step, read_netuid_u64(chain, *md, "BlocksSinceLastStep", netuid, at));
    in.state = s;
  } else {
    in.state = FormulaEpochState{netuid, static_cast<std::uint16_t>(tempo), at.number};
  }
  PYLON_ASSIGN(in.reveal_period_epochs, read_netuid_u64(chain, *md, "RevealPeriodEpochs", netuid, at));
  PYLON_ASSIGN(in.last_stored_round, read_plain_u64(chain, *md, "Drand", "LastStoredRound", at));
  PYLON_ASSIGN(in.block_time_ms, block_time_ms(*md));
  in.now_unix_ms = now_unix_ms;
  TimelockedTarget t;
  t.last_stored_round = in.last_stored_round;
  PYLON_ASSIGN(t.reveal, reveal_round(in));
  t.commit_reveal_version = kDefaultCommitRevealVersion;
  if (has_storage_item(*md, kSubtensor, "CommitRevealWeightsVersion")) {
    PYLON_ASSIGN(std::uint64_t v, read_plain_u64(chain, *md, kSubtensor, "CommitRevealWeightsVersion", at));
    if (v > UINT16_MAX)
      return make_error("CommitRevealWeightsVersion " + std::to_string(v) + " is not a u16");
    t.commit_reveal_version = static_cast<std::uint16_t>(v);
  }
  return t;
}

}  // namespace pylon::committer

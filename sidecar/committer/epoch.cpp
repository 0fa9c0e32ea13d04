// Epoch boundaries, two rules, as subtensor's source has them (opentensor/subtensor main at
// 14bc6f9f9, 2026-06-30; paths under pallets/subtensor/src):
//
// Formula (spec 293 and every runtime before the epoch storage): an epoch runs in the block where
// blocks_until_next_epoch(netuid, tempo, block) == 0, i.e. tempo - (block + netuid + 1) % (tempo + 1)
// is zero; epochs are tempo + 1 blocks apart. Tempo 0 never runs one.
//
// Stateful (coinbase/run_coinbase.rs drain_pending, :347-431, and should_run_epoch, :1085-1100):
// in each block's coinbase, for every subnet but root, BlocksSinceLastStep += 1 (saturating, no
// other cap: :363), then an epoch is due when (should_run_epoch)
//   tempo > 0 and
//   PendingEpochAt > 0 && block >= PendingEpochAt          (deferred or owner-triggered), or
//   BlocksSinceLastStep > MAX_TEMPO = 50400                (the safety net; lib.rs:1814), or
//   block - LastEpochBlock >= tempo                        (the regular period: tempo blocks).
// A due epoch beyond MaxEpochsPerBlock is deferred: PendingEpochAt = block + 1, nothing else
// changes (:370-379). Otherwise the slot is consumed: LastEpochBlock = block, PendingEpochAt = 0,
// SubnetEpochIndex += 1 (:426-428), and BlocksSinceLastStep = 0 only when the epoch really ran
// (is_epoch_input_state_consistent, :385); a skipped epoch leaves it counting, so the safety net
// can come before LastEpochBlock + tempo. Before 1fc3e8824 (2026-05-22, which added
// SubnetEpochIndex) the regular period was block - LastEpochBlock > tempo (d30a76f38 :1044);
// epoch_at tells the two apart by SubnetEpochIndex in the block's metadata.
// So, read after block B: the epoch holding B started at LastEpochBlock, and the next is due at the
// earliest of LastEpochBlock + period, PendingEpochAt (when set) and the block where
// BlocksSinceLastStep passes 50400 (B + 50401 - BlocksSinceLastStep) — never before B + 1. That is
// get_next_epoch_start_block (:1124) plus the safety net it leaves out; a deferral by
// MaxEpochsPerBlock cannot be known in advance and moves the fire later.
// RaoFoundation/subtensor (0bb2cb305, coinbase/run_coinbase/drain_pending_emissions.rs) changed
// this: the bump is capped at tempo + 1 and the safety net is BlocksSinceLastStep > tempo, so a
// skipped or deferred epoch fires again at the next block. EpochState::SafetyNet holds both.
// None of the metadata files in ../shared (finney spec 343, devnet spec 381, local spec 293) has
// LastEpochBlock: the stateful rule is tested over values (tests/committer/epoch_test.cpp).
#include "committer/epoch.hpp"

#include <algorithm>

#include "committer/chain_storage.hpp"
#include "committer/epoch_api.hpp"
#include "committer/reveal_round.hpp"

namespace pylon::committer {

Result<EpochSpan> epoch_by_formula(std::uint16_t netuid, std::uint16_t tempo, std::uint64_t block) {
  if (tempo == 0) return make_error("subnet " + std::to_string(netuid) + " has tempo 0: it runs no epochs");
  const std::uint64_t period = std::uint64_t{tempo} + 1;
  const std::uint64_t remainder = (block + netuid + 1) % period;
  const std::uint64_t next = block + tempo - remainder;
  EpochSpan s;
  s.tempo = tempo;
  s.rule = EpochSpan::Rule::formula;
  if (next == block) {
    s.start = block;
    s.end = block + period;
  } else {
    s.end = next;
    s.start = next >= period ? next - period : 0;  // before the chain's first epoch: from genesis
  }
  return s;
}

Result<EpochSpan> epoch_by_state(const EpochState& st, std::uint64_t block) {
  if (st.tempo == 0) return make_error("the subnet has tempo 0: it runs no epochs");
  if (st.last_epoch_block > block)
    return make_error("LastEpochBlock " + std::to_string(st.last_epoch_block) + " is after block " +
                      std::to_string(block));
  EpochSpan s;
  s.tempo = st.tempo;
  s.rule = EpochSpan::Rule::stateful;
  s.start = st.last_epoch_block;
  const std::uint64_t period =
      std::uint64_t{st.tempo} + (st.period == EpochState::Period::tempo_plus_one ? 1 : 0);
  std::uint64_t next = st.last_epoch_block + period;
  if (st.pending_epoch_at > 0) next = std::min(next, st.pending_epoch_at);
  // The bump of block k makes BlocksSinceLastStep blocks_since_last_step + (k - block) (capped at
  // tempo + 1 where the net is tempo, which changes nothing here: the net fires once it is passed).
  const std::uint64_t limit = st.safety_net == EpochState::SafetyNet::tempo ? st.tempo : kMaxTempo;
  const std::uint64_t safety_net =
      st.blocks_since_last_step > limit ? block + 1 : block + (limit + 1 - st.blocks_since_last_step);
  next = std::min(next, safety_net);
  s.end = std::max(next, block + 1);
  return s;
}

Result<EpochSpan> epoch_at(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, chain.metadata(at.hash));
  PYLON_ASSIGN(std::uint64_t tempo, read_netuid_u64(chain, *md, "Tempo", netuid, at));
  if (tempo > UINT16_MAX)
    return make_error("SubtensorModule.Tempo " + std::to_string(tempo) + " is not a u16");
  const bool stateful = has_storage_item(*md, "SubtensorModule", "LastEpochBlock") &&
                        has_storage_item(*md, "SubtensorModule", "PendingEpochAt") &&
                        has_storage_item(*md, "SubtensorModule", "BlocksSinceLastStep");
  if (!stateful) {
    PYLON_ASSIGN(EpochSpan span, epoch_by_formula(netuid, static_cast<std::uint16_t>(tempo), at.number));
    PYLON_TRY(cross_check_with_runtime(chain, *md, netuid, at, span));
    return span;
  }
  EpochState st;
  st.tempo = static_cast<std::uint16_t>(tempo);
  // SubnetEpochIndex came with the period of tempo blocks (1fc3e8824); before it, tempo + 1.
  st.period = has_storage_item(*md, "SubtensorModule", "SubnetEpochIndex")
                  ? EpochState::Period::tempo
                  : EpochState::Period::tempo_plus_one;
  PYLON_ASSIGN(st.last_epoch_block, read_netuid_u64(chain, *md, "LastEpochBlock", netuid, at));
  PYLON_ASSIGN(st.pending_epoch_at, read_netuid_u64(chain, *md, "PendingEpochAt", netuid, at));
  PYLON_ASSIGN(st.blocks_since_last_step, read_netuid_u64(chain, *md, "BlocksSinceLastStep", netuid, at));
  auto span = epoch_by_state(st, at.number);
  if (!span.ok()) return make_error("subnet " + std::to_string(netuid) + ": " + span.error().message);
  // The runtime's own answer, where it has one, only checks the span (epoch_api.hpp says why).
  PYLON_TRY(cross_check_with_runtime(chain, *md, netuid, at, *span));
  return span;
}

Result<follower::SnapshotEpoch> snapshot_epoch(chain::ChainClient& chain, std::uint16_t netuid,
                                               const chain::BlockRef& at) {
  PYLON_ASSIGN(EpochSpan s, epoch_at(chain, netuid, at));
  return follower::SnapshotEpoch{s.start, s.end};
}

}  // namespace pylon::committer

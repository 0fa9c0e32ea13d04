// Epoch boundaries, two rules, as subtensor's source has them (read from opentensor/subtensor):
//
// Formula (spec 293 and every runtime before the epoch storage): an epoch runs in the block where
// blocks_until_next_epoch(netuid, tempo, block) == 0, i.e. tempo - (block + netuid + 1) % (tempo + 1)
// is zero; epochs are tempo + 1 blocks apart. Tempo 0 never runs one.
//
// Stateful (run_coinbase's drain_pending_subnet_emissions / should_run_epoch_given_tempo on
// current subtensor): each block first bumps BlocksSinceLastStep (capped at tempo + 1), then an
// epoch fires when
//   PendingEpochAt > 0 && block >= PendingEpochAt          (deferred or owner-triggered), or
//   BlocksSinceLastStep > tempo                            (the safety net after skipped epochs), or
//   block - LastEpochBlock >= tempo                        (the regular period: tempo blocks);
// a firing sets LastEpochBlock = block, PendingEpochAt = 0 and bumps SubnetEpochIndex, even when
// the epoch itself is skipped; a fire beyond MaxEpochsPerBlock is deferred with
// PendingEpochAt = block + 1. So, read after block B: the epoch holding B started at
// LastEpochBlock, and the next starts at the earliest of LastEpochBlock + tempo, PendingEpochAt
// (when set) and B + 1 when BlocksSinceLastStep >= tempo (it passes tempo at the next bump) —
// never before B + 1. SubnetEpochIndex only counts epochs; it does not move a boundary.
// None of the metadata files in ../shared (finney spec 343, devnet spec 381, local spec 293) has
// LastEpochBlock: the stateful rule is tested over values (tests/committer/epoch_test.cpp).
#include "committer/epoch.hpp"

#include <algorithm>

#include "committer/chain_storage.hpp"

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
  std::uint64_t next = st.last_epoch_block + st.tempo;
  if (st.pending_epoch_at > 0) next = std::min(next, st.pending_epoch_at);
  if (st.blocks_since_last_step >= st.tempo) next = std::min(next, block + 1);
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
  if (!stateful) return epoch_by_formula(netuid, static_cast<std::uint16_t>(tempo), at.number);
  EpochState st;
  st.tempo = static_cast<std::uint16_t>(tempo);
  PYLON_ASSIGN(st.last_epoch_block, read_netuid_u64(chain, *md, "LastEpochBlock", netuid, at));
  PYLON_ASSIGN(st.pending_epoch_at, read_netuid_u64(chain, *md, "PendingEpochAt", netuid, at));
  PYLON_ASSIGN(st.blocks_since_last_step, read_netuid_u64(chain, *md, "BlocksSinceLastStep", netuid, at));
  auto span = epoch_by_state(st, at.number);
  if (!span.ok()) return make_error("subnet " + std::to_string(netuid) + ": " + span.error().message);
  return span;
}

Result<follower::SnapshotEpoch> snapshot_epoch(chain::ChainClient& chain, std::uint16_t netuid,
                                               const chain::BlockRef& at) {
  PYLON_ASSIGN(EpochSpan s, epoch_at(chain, netuid, at));
  return follower::SnapshotEpoch{s.start, s.end};
}

}  // namespace pylon::committer

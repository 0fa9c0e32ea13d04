// Builders of the epoch-schedule states the committer's epoch and reveal-round tables are written
// in: the chain's storage items in the order the tables list them, so a row reads as the chain
// would be read. Pure functions; no state.
#pragma once

#include <cstdint>

#include "committer/epoch.hpp"
#include "committer/reveal_round.hpp"

namespace pylon::committer::test {

// LastEpochBlock, PendingEpochAt, SubnetEpochIndex, Tempo, BlocksSinceLastStep, read at `head`.
inline EpochScheduleState schedule_state(std::uint64_t last, std::uint64_t pending, std::uint64_t index,
                                         std::uint16_t tempo, std::uint64_t bsls, std::uint64_t head) {
  EpochScheduleState s;
  s.last_epoch_block = last;
  s.pending_epoch_at = pending;
  s.subnet_epoch_index = index;
  s.tempo = tempo;
  s.blocks_since_last_step = bsls;
  s.current_block = head;
  return s;
}

// LastEpochBlock, PendingEpochAt, BlocksSinceLastStep, Tempo, the regular period and the safety net.
inline EpochState epoch_state(std::uint64_t last, std::uint64_t pending, std::uint64_t bsls,
                              std::uint16_t tempo, EpochState::Period period = EpochState::Period::tempo,
                              EpochState::SafetyNet net = EpochState::SafetyNet::max_tempo) {
  return EpochState{.last_epoch_block = last,
                    .pending_epoch_at = pending,
                    .blocks_since_last_step = bsls,
                    .tempo = tempo,
                    .period = period,
                    .safety_net = net};
}

}  // namespace pylon::committer::test

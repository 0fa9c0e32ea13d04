// Epoch boundaries as the runtime of a block computes them. Runtimes without epoch storage (the
// local spec 293) use subtensor's blocks_until_next_epoch formula; runtimes whose metadata has the
// stateful items (LastEpochBlock, PendingEpochAt, ... in SubtensorModule) follow those, read at
// that block. Which rule applies is decided from the metadata, never from a spec number.
#pragma once

#include <cstdint>

#include "chain/chain_client.hpp"
#include "follower/snapshot.hpp"

namespace pylon::committer {

struct EpochSpan {
  std::uint64_t start = 0;  // first block of the epoch (the epoch's id in the store)
  std::uint64_t end = 0;    // first block of the next epoch, as far as it can be known at `block`
  std::uint64_t tempo = 0;
  enum class Rule { formula, stateful } rule = Rule::formula;
};

// The formula rule: next = block + tempo - (block + netuid + 1) % (tempo + 1); where that equals
// `block`, an epoch starts there. Pure; tempo 0 is an error.
Result<EpochSpan> epoch_by_formula(std::uint16_t netuid, std::uint16_t tempo, std::uint64_t block);

// The stateful rule's inputs, read at one block (the state after that block executed).
struct EpochState {
  // The regular period, chosen from the block's metadata: runtimes with SubnetEpochIndex
  // (subtensor 1fc3e8824 and later) fire at block - LastEpochBlock >= tempo; the dynamic-tempo
  // runtimes before it (d30a76f38 up to 1fc3e8824, LastEpochBlock but no SubnetEpochIndex) at
  // block - LastEpochBlock > tempo.
  enum class Period : std::uint8_t { tempo, tempo_plus_one };
  // The safety net: opentensor/subtensor (main 14bc6f9f9) bumps BlocksSinceLastStep without a cap
  // and fires past MAX_TEMPO (50400); RaoFoundation/subtensor (0bb2cb305, drain_pending_emissions.rs)
  // caps the bump at tempo + 1 and fires past tempo. No metadata item is known yet that tells the
  // two apart: epoch_at takes max_tempo (see the report of branch wt-epoch).
  enum class SafetyNet : std::uint8_t { max_tempo, tempo };
  std::uint64_t last_epoch_block = 0;        // LastEpochBlock: where the current epoch fired
  std::uint64_t pending_epoch_at = 0;        // PendingEpochAt: a deferred or owner-triggered epoch (0: none)
  std::uint64_t blocks_since_last_step = 0;  // BlocksSinceLastStep: blocks since the last epoch that ran
  std::uint16_t tempo = 0;
  Period period = Period::tempo;
  SafetyNet safety_net = SafetyNet::max_tempo;
};

// The stateful rule (run_coinbase's drain_pending and should_run_epoch): the epoch holding `block`
// began at LastEpochBlock and the next fires at the first later block where PendingEpochAt is due,
// BlocksSinceLastStep passes MAX_TEMPO (50400) or the regular period is over. Pure.
Result<EpochSpan> epoch_by_state(const EpochState& state, std::uint64_t block);

// The epoch holding `at`, by the rule that block's runtime uses (reads Tempo and, where the
// metadata has them, the epoch storage items at that block). Where the runtime also offers
// get_next_epoch_start_block, its answer is compared with the span's end (epoch_api.hpp).
Result<EpochSpan> epoch_at(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at);

// epoch_at in the shape follower::BuildOptions::epoch takes, so snapshots carry their epoch:
//   build.epoch = committer::snapshot_epoch;
Result<follower::SnapshotEpoch> snapshot_epoch(chain::ChainClient& chain, std::uint16_t netuid,
                                               const chain::BlockRef& at);

}  // namespace pylon::committer

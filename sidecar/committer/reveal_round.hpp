// The drand quicknet round a timelocked weight commit (commit-reveal v4) is encrypted to: the round
// published a few blocks after the chain starts revealing the commit's epoch, so its pulse is on
// chain when the reveal runs and not before the commit's reveal epoch.
//
// Where the reveal epoch begins depends on the runtime's epoch rule, chosen from the metadata by
// the caller (never from a spec number):
//   - stateful (SubnetEpochIndex, LastEpochBlock, PendingEpochAt, BlocksSinceLastStep): the
//     block-by-block simulation of run_coinbase's scheduling that bittensor-drand 2.0 does
//     (epoch_schedule.rs predict_first_reveal_block; ../shared/crv4/README.md §1.5): the commit
//     lands in head + 1, its epoch is the lookahead epoch there after that block's coinbase (the
//     extrinsic runs after on_initialize), and the reveal begins at the first block whose
//     pre-coinbase lookahead epoch is commit epoch + RevealPeriodEpochs (reveal_crv3_commits runs
//     before run_coinbase: coinbase/block_step.rs:19-21@14bc6f9f9);
//   - formula (runtimes before the epoch storage): epochs on the (block + netuid + 1) / (tempo + 1)
//     grid, the commit's epoch that of head + 1, the reveal at the first block of the epoch
//     RevealPeriodEpochs later.
// Blocks become seconds with the runtime's slot duration (Aura.SlotDuration), and the round is
// floor((now + seconds - genesis) / 3), at least 1 and above Drand.LastStoredRound (the chain
// refuses a commit to a round below it, and a stored round's signature is already public).
//
// Thread contract: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <variant>

#include "common/result.hpp"

namespace pylon::committer {

enum class RevealRoundErrc : std::uint8_t {
  tempo_zero,      // the subnet runs no epochs: nothing would ever be revealed
  bound_exceeded,  // no reveal block within the simulation budget (reveal period x max tempo)
  bad_input,       // inputs no chain produces (a reveal period beyond any the chain allows, slot 0)
};

// run_coinbase's scheduling state of one subnet, read after block `current_block` executed.
struct EpochScheduleState {
  std::uint64_t last_epoch_block = 0;        // LastEpochBlock
  std::uint64_t pending_epoch_at = 0;        // PendingEpochAt (0: none)
  std::uint64_t subnet_epoch_index = 0;      // SubnetEpochIndex
  std::uint64_t blocks_since_last_step = 0;  // BlocksSinceLastStep
  std::uint64_t current_block = 0;           // the head the state was read at
  std::uint16_t tempo = 0;                   // Tempo
};

// The modulo grid of runtimes without the epoch storage.
struct FormulaEpochState {
  std::uint16_t netuid = 0;
  std::uint16_t tempo = 0;
  std::uint64_t current_block = 0;
};

using EpochRuleState = std::variant<EpochScheduleState, FormulaEpochState>;

// subtensor's MAX_TEMPO (pallets/subtensor/src/lib.rs:1814@14bc6f9f9, 2026-06-30): past it
// BlocksSinceLastStep forces an epoch (should_run_epoch, coinbase/run_coinbase.rs:1094), and the
// simulation budget is (reveal period + 1) times it. Not on main yet: branch
// chore/dynamic-tempo-cleanup (0d66c4238) makes it the pallet constant SubtensorModule.MaxTempo,
// to be read from the block's metadata once a runtime carries it. RaoFoundation/subtensor
// (0bb2cb305) instead caps BlocksSinceLastStep at tempo + 1 and fires past tempo; that variant is
// not simulated here yet (epoch.hpp EpochState::SafetyNet has it).
inline constexpr std::uint64_t kMaxTempo = 50400;
// A reveal period no runtime allows (subtensor caps it far lower); above it the inputs are refused
// instead of simulated for hours.
inline constexpr std::uint64_t kMaxRevealPeriodEpochs = 1000;
// bittensor-drand's SECURITY_BLOCK_OFFSET: aim at the round of a few blocks into the reveal epoch,
// so its pulse has been written on chain by the time the chain reveals.
inline constexpr std::uint64_t kSecurityBlockOffset = 3;

// should_run_epoch of run_coinbase at `block` for the state before that block's coinbase.
bool should_run_epoch(const EpochScheduleState& s, std::uint64_t block);
// current_epoch_with_lookahead at `block` (what reveal_crv3_commits and the commit key use).
std::uint64_t lookahead_epoch(const EpochScheduleState& s, std::uint64_t block);
// One block of run_coinbase's scheduling: BlocksSinceLastStep + 1, then a firing epoch resets.
EpochScheduleState simulate_block(EpochScheduleState s, std::uint64_t block);

struct RevealBlocks {
  std::uint64_t commit_block = 0;        // head + 1: where the commit is expected to land
  std::uint64_t commit_epoch = 0;        // the epoch the chain files the commit under
  std::uint64_t first_reveal_block = 0;  // the first block of the reveal epoch
};

// The reveal epoch's first block for a commit made on top of the state's head.
Result<RevealBlocks> first_reveal_block(const EpochRuleState& state, std::uint64_t reveal_period_epochs);

struct RevealRoundInputs {
  EpochRuleState state;
  std::uint64_t reveal_period_epochs = 0;  // RevealPeriodEpochs of the subnet
  std::uint64_t now_unix_ms = 0;           // the time at the head
  std::uint64_t block_time_ms = 0;         // Aura.SlotDuration
  std::uint64_t last_stored_round = 0;     // Drand.LastStoredRound (0: none stored)
};

struct RevealRound {
  RevealBlocks blocks;
  std::uint64_t target_block = 0;  // first_reveal_block + kSecurityBlockOffset
  std::uint64_t round = 0;
  bool raised_to_stored = false;  // the clock pointed at or before Drand.LastStoredRound
};

Result<RevealRound> reveal_round(const RevealRoundInputs& in);

}  // namespace pylon::committer

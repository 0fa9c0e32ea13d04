// The stateful simulation follows subtensor's run_coinbase and weights.rs as read at
// opentensor/subtensor main 14bc6f9f9 (2026-06-30; paths under pallets/subtensor/src):
// should_run_epoch (coinbase/run_coinbase.rs:1085-1100: tempo > 0 and a due PendingEpochAt,
// BlocksSinceLastStep > MAX_TEMPO = 50400 (lib.rs:1814) or block - LastEpochBlock >= tempo),
// drain_pending (:347-431: BlocksSinceLastStep += 1 uncapped, then a due epoch consumes its slot)
// and current_epoch_with_lookahead (subnets/weights.rs:1275), as bittensor-drand 2.0's
// epoch_schedule.rs models them. The simulation cannot know the future, so it takes every due
// epoch as run: none deferred by MaxEpochsPerBlock (that moves a fire a block later) and none
// skipped (a skipped one leaves BlocksSinceLastStep counting). The formula rule is subtensor's
// get_epoch_index of the runtimes before SubnetEpochIndex. Facts and sources:
// ../shared/crv4/README.md §1.3-§1.6.
#include "committer/reveal_round.hpp"

#include <algorithm>
#include <string>

#include "timelock/timelock.hpp"

namespace pylon::committer {

namespace {

// A slot longer than an hour is no chain's; it would only overflow the seconds arithmetic.
constexpr std::uint64_t kMaxBlockTimeMs = 3'600'000;

Result<RevealBlocks> stateful_reveal(const EpochScheduleState& head, std::uint64_t period) {
  if (head.tempo == 0)
    return make_error(RevealRoundErrc::tempo_zero, "the subnet has tempo 0: it runs no epochs");
  RevealBlocks out;
  // The extrinsic lands in head + 1 (bittensor-drand's COMMIT_INCLUSION_BLOCK_OFFSET) and runs
  // after that block's on_initialize, so it files the commit under current_epoch_with_lookahead
  // (weights.rs:100, :1275@14bc6f9f9) of the state after the coinbase. The pre-coinbase
  // lookahead differs when that coinbase's bump takes BlocksSinceLastStep past MAX_TEMPO.
  out.commit_block = head.current_block + 1;
  out.commit_epoch = lookahead_epoch(simulate_block(head, out.commit_block), out.commit_block);
  const std::uint64_t target = out.commit_epoch + period;
  const std::uint64_t budget = period * kMaxTempo + kMaxTempo;
  EpochScheduleState before = head;
  for (std::uint64_t r = out.commit_block; r <= out.commit_block + budget; ++r) {
    // The reveal runs before run_coinbase in block_step: compare the pre-coinbase lookahead.
    if (lookahead_epoch(before, r) == target) {
      out.first_reveal_block = r;
      return out;
    }
    before = simulate_block(before, r);
  }
  return make_error(RevealRoundErrc::bound_exceeded, "no block within " + std::to_string(budget) +
                                                         " blocks of " + std::to_string(out.commit_block) +
                                                         " begins epoch " + std::to_string(target));
}

Result<RevealBlocks> formula_reveal(const FormulaEpochState& head, std::uint64_t period) {
  if (head.tempo == 0)
    return make_error(RevealRoundErrc::tempo_zero, "the subnet has tempo 0: it runs no epochs");
  const std::uint64_t span = std::uint64_t{head.tempo} + 1;
  const std::uint64_t offset = std::uint64_t{head.netuid} + 1;
  RevealBlocks out;
  out.commit_block = head.current_block + 1;
  out.commit_epoch = (out.commit_block + offset) / span;  // get_epoch_index
  // The first block whose epoch index is commit_epoch + period.
  const std::uint64_t first = (out.commit_epoch + period) * span;
  out.first_reveal_block = std::max(out.commit_block, first >= offset ? first - offset : 0);
  return out;
}

}  // namespace

bool should_run_epoch(const EpochScheduleState& s, std::uint64_t block) {
  if (s.tempo == 0) return false;
  if (s.pending_epoch_at > 0 && block >= s.pending_epoch_at) return true;
  if (s.blocks_since_last_step > kMaxTempo) return true;
  const std::uint64_t since = block > s.last_epoch_block ? block - s.last_epoch_block : 0;
  return since >= s.tempo;
}

std::uint64_t lookahead_epoch(const EpochScheduleState& s, std::uint64_t block) {
  return s.subnet_epoch_index + (should_run_epoch(s, block) ? 1 : 0);
}

EpochScheduleState simulate_block(EpochScheduleState s, std::uint64_t block) {
  s.blocks_since_last_step += 1;  // drain_pending (run_coinbase.rs:363): before the check, no cap
  s.current_block = block;
  if (should_run_epoch(s, block)) {
    s.last_epoch_block = block;
    s.pending_epoch_at = 0;
    s.subnet_epoch_index += 1;
    s.blocks_since_last_step = 0;
  }
  return s;
}

Result<RevealBlocks> first_reveal_block(const EpochRuleState& state, std::uint64_t reveal_period_epochs) {
  if (reveal_period_epochs > kMaxRevealPeriodEpochs)
    return make_error(RevealRoundErrc::bad_input, "reveal period of " + std::to_string(reveal_period_epochs) +
                                                      " epochs is beyond any runtime's (at most " +
                                                      std::to_string(kMaxRevealPeriodEpochs) + ")");
  if (const auto* s = std::get_if<EpochScheduleState>(&state))
    return stateful_reveal(*s, reveal_period_epochs);
  return formula_reveal(std::get<FormulaEpochState>(state), reveal_period_epochs);
}

Result<RevealRound> reveal_round(const RevealRoundInputs& in) {
  if (in.block_time_ms == 0 || in.block_time_ms > kMaxBlockTimeMs)
    return make_error(RevealRoundErrc::bad_input,
                      "block time of " + std::to_string(in.block_time_ms) + " ms is not a chain's");
  PYLON_ASSIGN(RevealBlocks blocks, first_reveal_block(in.state, in.reveal_period_epochs));
  const std::uint64_t head = std::visit([](const auto& s) { return s.current_block; }, in.state);
  RevealRound out;
  out.blocks = blocks;
  out.target_block = blocks.first_reveal_block + kSecurityBlockOffset;
  const std::uint64_t target_ms = in.now_unix_ms + (out.target_block - head) * in.block_time_ms;
  const std::uint64_t genesis_ms = timelock::kQuicknetGenesis * 1000;
  const std::uint64_t period_ms = timelock::kQuicknetPeriodSeconds * 1000;
  out.round = std::max<std::uint64_t>(1, target_ms > genesis_ms ? (target_ms - genesis_ms) / period_ms : 0);
  if (out.round <= in.last_stored_round) {
    // The chain refuses a round below LastStoredRound, and the signature of a stored round is
    // public already: take the first round not yet on chain.
    out.round = in.last_stored_round + 1;
    out.raised_to_stored = true;
  }
  return out;
}

}  // namespace pylon::committer

// The commit rules (policy.hpp lists them, R1-R14). Pure: every input is an argument.
#include "committer/policy.hpp"

#include <algorithm>

namespace pylon::committer {

using weights::AttemptStatus;
using weights::CallKind;

Window commit_window(std::uint64_t epoch_start, std::uint64_t epoch_end, const config::CommitWindow& window) {
  const std::uint64_t length = epoch_end - epoch_start;
  Window w;
  w.start = window.start_offset ? epoch_start + *window.start_offset : epoch_start + length / 2;
  w.end = epoch_end > window.end_buffer ? epoch_end - window.end_buffer : epoch_start;
  if (w.end <= w.start || w.start >= epoch_end) {  // the tempo is too short for this window
    w.start = epoch_start + length / 2;
    w.end = epoch_end;
  }
  return w;
}

CallKind call_for(bool commit_reveal, bool timelocked) {
  if (!commit_reveal) return CallKind::kSetWeights;
  return timelocked ? CallKind::kCommitTimelockedWeights : CallKind::kCommitWeights;
}

Action decide(const ChainFacts& facts, const Ledger& ledger, const PolicyOptions& options) {
  using namespace action;
  // R5.
  if (!facts.own) return Blocked{BlockedWhy::kNotRegistered};
  if (!facts.own->validator_permit) return Blocked{BlockedWhy::kNoPermit};
  // R6: the first commit of the epoch that landed or is pending decides.
  bool missed = false;
  for (const LedgerEntry& a : ledger.epoch_attempts) {
    if (a.epoch != facts.epoch_start || a.mechanism != facts.mechanism || !weights::commits_weights(a.call))
      continue;
    switch (a.status) {
      case AttemptStatus::kIncluded:
      case AttemptStatus::kFinalized:
        return Idle{IdleWhy::kDone};
      case AttemptStatus::kPending:
        return Wait{WaitWhy::kOutcomeUnknown, 0};
      case AttemptStatus::kMissed:
        missed = true;
        break;
      case AttemptStatus::kFailed:
      case AttemptStatus::kExpired:
        break;
    }
  }
  // R4: closed already, in this run (the memo) or recorded missed by an earlier one (the record).
  if (ledger.memo.closed || missed) return Idle{IdleWhy::kWindowClosed};
  // R2.
  const std::uint64_t epoch = facts.epoch_start;
  const std::uint64_t length = facts.epoch_end - facts.epoch_start;
  if (ledger.last_committed_epoch && options.every_epochs > 1 &&
      epoch < *ledger.last_committed_epoch + (options.every_epochs - 1) * length + 1)
    return Idle{IdleWhy::kOffCadence};
  // R3, R4.
  const Window w = commit_window(facts.epoch_start, facts.epoch_end, options.window);
  if (facts.block >= w.end) {
    if (ledger.has_weights) return RecordMissed{call_for(facts.commit_reveal, facts.timelocked), w};
    return Idle{IdleWhy::kWindowClosed};
  }
  // R1.
  if (!ledger.has_weights) return Idle{IdleWhy::kNoWeights};
  if (facts.block < w.start) return Wait{WaitWhy::kBeforeWindow, w.start};
  // R7.
  const std::uint64_t open_at = facts.own->last_update + facts.weights_rate_limit;
  if (facts.own->last_update != 0 && facts.block + 1 < open_at) return Wait{WaitWhy::kRateLimit, open_at};
  // R8.
  if (facts.block < ledger.memo.next_try_block) return Wait{WaitWhy::kBackoff, ledger.memo.next_try_block};
  return Commit{call_for(facts.commit_reveal, facts.timelocked)};
}

bool mechanism_exists(const ChainFacts& facts) {
  return facts.mechanism < facts.mechanism_count;
}

namespace {

constexpr int kMaxDoublings = 6;  // 1, 2, 4, 8, 16, 32 blocks

std::uint64_t backoff_blocks(int failures) {
  return std::uint64_t{1} << (failures - 1);
}

}  // namespace

EpochMemo after_commit_failure(EpochMemo memo, std::uint64_t block, std::string error) {
  memo.last_error = std::move(error);
  memo.failures = std::min(memo.failures + 1, kMaxDoublings);
  memo.next_try_block = block + backoff_blocks(memo.failures);
  return memo;
}

RevealStep decide_reveal(const RevealFacts& f) {
  if (f.block < f.commit_block) return RevealStep::kNotYet;
  if (!f.commit) return RevealStep::kCheckGone;
  const std::uint64_t next = f.block + 1;  // the earliest block a reveal sent now can land in
  if (next < f.commit->first_reveal_block) return RevealStep::kWaitWindow;
  if (next > f.commit->last_reveal_block) return RevealStep::kWindowPassed;
  if (f.block < f.next_try_block) return RevealStep::kBackoff;
  if (f.reveal_in_flight) return RevealStep::kInFlight;
  return RevealStep::kReveal;
}

RevealMemo after_reveal_failure(RevealMemo memo, std::uint64_t block, bool too_early) {
  memo.failures = std::min(memo.failures + 1, kMaxDoublings);
  memo.next_try_block = too_early ? block + 1 : block + backoff_blocks(memo.failures);
  return memo;
}

BlockRange pending_search(std::uint64_t signed_at, std::uint64_t mortal_until, std::uint64_t searched,
                          std::uint64_t block) {
  BlockRange r;
  r.from = std::max(searched, signed_at) + 1;
  r.to = std::min({block, mortal_until, r.from + kSearchBlocksPerTick - 1});
  return r;
}

bool pending_expired(std::uint64_t searched, std::uint64_t mortal_until, std::uint64_t block) {
  return searched >= mortal_until && block > mortal_until;
}

std::optional<std::uint64_t> last_committed_epoch(std::span<const LedgerEntry> record,
                                                  std::uint8_t mechanism) {
  std::optional<std::uint64_t> last;
  for (const LedgerEntry& a : record)
    if (a.mechanism == mechanism && weights::commits_weights(a.call) && weights::landed(a.status) &&
        (!last || a.epoch > *last))
      last = a.epoch;
  return last;
}

bool sweeps_missed(const PolicyOptions& options) {
  return options.every_epochs == 1;
}

bool epoch_missed(std::uint64_t epoch, std::uint64_t current, bool has_weights,
                  std::span<const LedgerEntry> attempts, const PolicyOptions& options,
                  std::uint8_t mechanism) {
  if (!sweeps_missed(options) || epoch >= current || !has_weights) return false;
  for (const LedgerEntry& a : attempts) {
    if (a.mechanism != mechanism || !weights::commits_weights(a.call)) continue;
    switch (a.status) {
      case AttemptStatus::kIncluded:
      case AttemptStatus::kFinalized:
      case AttemptStatus::kPending:
      case AttemptStatus::kMissed:
        return false;  // on chain, still being looked for, or already reported
      case AttemptStatus::kFailed:
      case AttemptStatus::kExpired:
        break;
    }
  }
  return true;
}

}  // namespace pylon::committer

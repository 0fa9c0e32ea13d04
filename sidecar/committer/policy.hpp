// The commit loop's rules as pure functions: plain facts in (the snapshot's block, epoch, neuron
// and hyperparameters; the store's record of attempts; the loop's memory of the epoch; the
// options), a decision out. No I/O, no clock (the block is the only time), no threads: the
// executor (committer.cpp, commit_*.cpp) gathers the facts, asks, and does what it is told. This
// is what tests/committer/policy_test.cpp checks row by row without a chain.
//
// The rules, each where it is decided (an operator will ask; the e2e tests hold the chain to them):
//
// Epochs and cadence
//  R1  The epoch is the chain's (epoch.hpp): [start, end), its start block is its id. The weights
//      committed are those stored for that epoch; an epoch without stored weights is not
//      committed (nothing is carried forward from an earlier epoch).                   decide()
//  R2  Cadence every N epochs: with N > 1, an epoch is due when at least N - 1 whole epochs (of
//      this epoch's length) lie between it and the last committed one:
//      epoch >= last + (N - 1) * length + 1. N = 1 commits every epoch. Before any commit
//      (nothing landed in the record) every epoch is due.                              decide()
// Window
//  R3  The window is [start + start_offset (default the epoch's middle), end - end_buffer). When
//      the tempo is too short for it (empty, or starting at or after the end) it is the epoch's
//      second half [start + length / 2, end).                                  commit_window()
//  R4  Before the window: wait. At or after its end with weights stored and no commit: the epoch is
//      recorded "missed" once (with the last failure as the reason; a "missed" commit in the
//      record, from an earlier run, counts: a restart does not record it again), and nothing more
//      is done for the epoch; without weights it is just closed.                       decide()
// Who may commit
//  R5  A hotkey not registered on the subnet, or without a validator permit, is blocked: nothing is
//      sent, checked again each block.                                                 decide()
// At most once per epoch
//  R6  An epoch is committed at most once: a set_weights/commit_weights attempt of the epoch that
//      landed (included/finalized) makes it done; one whose outcome is unknown (pending) makes the
//      loop wait for it (it is looked for on chain, R11). Failed, expired and missed attempts do
//      not count: the epoch may be tried again while its window lasts.                 decide()
// The chain's rate limit
//  R7  weights_rate_limit: the call lands in the next block at the earliest, so it is due when
//      block + 1 >= last_update + weights_rate_limit (subtensor's check_rate_limit); a neuron
//      that never set weights (last_update 0) is not limited.                          decide()
// Backoff
//  R8  A failed commit is retried after 1, 2, 4, ... 32 blocks (the n-th failure in a row waits
//      2^(n-1) blocks, capped at 32) until the window closes; the memory of failures is the
//      epoch's and starts afresh with the next epoch.                 after_commit_failure(), decide()
// Which call
//  R9  commit_reveal_weights_enabled: where the block's runtime has commit_timelocked_weights,
//      that (the weights sealed to a drand round; the chain reveals them, no reveal is owed),
//      else commit_weights (a hash, the reveal owed later); otherwise set_weights. The choice
//      follows the metadata of the block at hand, never a spec version.              call_for()
// Hash commit-reveal
//  R10 An owed reveal (its commit included) is revealed when the next block lies inside the
//      chain's own window for that commit, [first_reveal_block, last_reveal_block] from
//      WeightCommits (the reveal epoch: commit epoch + RevealPeriodEpochs). Before: wait. After:
//      the reveal failed and the epoch is recorded missed. A commit no longer on chain was either
//      revealed (the Weights row holds its values) or expired. A snapshot behind the commit's own
//      block decides nothing. While a reveal's outcome is unknown, no second one is sent. A failed
//      reveal retries at the next block after RevealTooEarly (a boundary race), else backs off
//      as R8.                                                   decide_reveal(), after_reveal_failure()
// Resume after a restart (the store's record is the memory that survives)
//  R11 A pending attempt (persisted, maybe sent) is looked for in the blocks its mortal era allows,
//      block + 1 ..= mortal_until, at most 64 blocks per tick; once the era is over and every block
//      of it searched without finding it, it is "expired" and can never land.
//                                                            pending_search(), pending_expired()
//  R12 The last committed epoch (for R2) is the newest epoch with a landed set_weights or
//      commit_weights.                                                     last_committed_epoch()
//  R13 Missed epochs: on entering a new epoch, each earlier stored epoch with weights and no
//      commit that landed, is pending or was already reported missed, is recorded "missed" (its
//      window passed while the daemon was down or could not commit). Only with cadence 1: with a
//      longer cadence the epochs between commits are skipped by design.          epoch_missed()
//  R14 A reveal owed by a previous run is found through the store (status "committed") and
//      follows R10; a commit persisted but pending follows R11, then R10.
// Mechanisms (sub-subnets)
//  R15 Each mechanism with stored weights for the epoch is decided on its own, by R1-R14 over its
//      own attempts, reveals, memo and last committed epoch; mechanism 0 is always decided (it is
//      the subnet's only one on runtimes without mechanisms, and takes the legacy calls). The rate
//      limit (R7) is subtensor's check_rate_limit over LastUpdate at the mechanism's storage index
//      (mecid * 4096 + netuid) against the subnet's one WeightsSetRateLimit; the epoch, and so
//      the window (R3), is the subnet's, the same for every mechanism. A mechanism >= the
//      subnet's MechanismCountCurrent is never committed (the chain refuses it with
//      MechanismDoesNotExist after taking the fee): decide() is not asked.    mechanism_exists()
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "config/config.hpp"
#include "weights/attempt_state.hpp"

namespace pylon::committer {

// The snapshot's facts the commit rules need.
struct ChainFacts {
  std::uint64_t block = 0;        // the snapshot's block
  std::uint64_t epoch_start = 0;  // the epoch holding `block` (its id)
  std::uint64_t epoch_end = 0;    // the first block of the next epoch
  struct Neuron {
    bool validator_permit = false;
    std::uint64_t last_update = 0;  // the block its weights were last set in (0: never)
  };
  std::optional<Neuron> own;             // the validator's hotkey; nullopt: not registered
  bool commit_reveal = false;            // hyperparameter commit_reveal_weights_enabled
  bool timelocked = false;               // the runtime has commit_timelocked_weights (metadata)
  std::uint64_t weights_rate_limit = 0;  // hyperparameter weights_rate_limit (blocks)
  // R15: the mechanism decided on (own->last_update is its LastUpdate) and the subnet's count.
  std::uint8_t mechanism = 0;
  std::uint8_t mechanism_count = 1;
};

// One attempt of the store's record, as the rules see it.
struct LedgerEntry {
  std::uint64_t epoch = 0;
  weights::CallKind call = weights::CallKind::kSetWeights;
  weights::AttemptStatus status = weights::AttemptStatus::kPending;
  std::uint8_t mechanism = 0;
};

// The loop's memory of one epoch: lost on a restart (the record in the store is what survives).
struct EpochMemo {
  std::uint64_t epoch = UINT64_MAX;       // the epoch this is for
  int failures = 0;                       // commit failures in a row
  std::uint64_t next_try_block = 0;       // no retry before this block
  std::string last_error;                 // the last failure, for the "missed" reason
  bool closed = false;                    // the window closed and that was recorded
  bool blocked_logged = false;            // the executor's: "blocked" is logged once per epoch
  bool no_such_mechanism_logged = false;  // the executor's: R15's refusal is logged once per epoch
};

// The record as it concerns the mechanism decided on (ChainFacts::mechanism).
struct Ledger {
  std::optional<std::uint64_t> last_committed_epoch;  // R12, of this mechanism
  std::span<const LedgerEntry> epoch_attempts;        // the current epoch's (any mechanism), oldest first
  bool has_weights = false;                           // the mechanism has stored weights for the epoch
  EpochMemo memo;                                     // the mechanism's, for the current epoch
};

struct PolicyOptions {
  std::uint32_t every_epochs = 1;  // >= 1
  config::CommitWindow window;
};

// The commit window: commit when start <= block < end.
struct Window {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};

// What to do about the current epoch.
namespace action {
enum class IdleWhy {
  kDone,          // R6: the epoch's weights landed
  kOffCadence,    // R2
  kNoWeights,     // R1
  kWindowClosed,  // R4: the window closed (and any miss was recorded): the executor remembers it
};
enum class WaitWhy {
  kOutcomeUnknown,  // R6: a commit of the epoch is pending
  kBeforeWindow,    // R4: until = the window's start
  kRateLimit,       // R7: until = the first block the chain accepts weights again
  kBackoff,         // R8: until = the retry block
};
enum class BlockedWhy {
  kNotRegistered,  // R5
  kNoPermit,       // R5
};
struct Idle {
  IdleWhy why;
};
struct Wait {
  WaitWhy why;
  std::uint64_t until = 0;  // 0 for kOutcomeUnknown
};
struct Blocked {
  BlockedWhy why;
};
struct Commit {
  weights::CallKind call;
};
struct RecordMissed {
  weights::CallKind call;  // the call the epoch would have been committed with
  Window window;           // the window that closed
};
}  // namespace action
using Action =
    std::variant<action::Idle, action::Wait, action::Blocked, action::Commit, action::RecordMissed>;

// R3.
Window commit_window(std::uint64_t epoch_start, std::uint64_t epoch_end, const config::CommitWindow& window);
// R9.
weights::CallKind call_for(bool commit_reveal, bool timelocked);
// R1-R9 for one mechanism (R15), in that order of precedence: blocked, done or pending, closed,
// off-cadence, window over, no weights, before the window, rate limit, backoff, commit.
// `ledger.memo` must be the mechanism's memo of `facts.epoch_start`; attempts of other mechanisms
// in `ledger.epoch_attempts` are not this one's. Ask only when mechanism_exists(facts).
Action decide(const ChainFacts& facts, const Ledger& ledger, const PolicyOptions& options);
// R15: the subnet has the mechanism (facts.mechanism < facts.mechanism_count).
bool mechanism_exists(const ChainFacts& facts);
// R8: the memo after a failed commit at `block`.
EpochMemo after_commit_failure(EpochMemo memo, std::uint64_t block, std::string error);

// R10: what to do about one owed reveal.
struct RevealFacts {
  std::uint64_t block = 0;         // the snapshot's block
  std::uint64_t commit_block = 0;  // where the commit was included (the store's record)
  struct OnChain {
    std::uint64_t first_reveal_block = 0;
    std::uint64_t last_reveal_block = 0;
  };
  std::optional<OnChain> commit;     // the commit in WeightCommits at `block`; nullopt: gone
  bool reveal_in_flight = false;     // a reveal_weights of the epoch is pending (R11 finds it)
  std::uint64_t next_try_block = 0;  // the reveal's backoff (RevealMemo)
};
enum class RevealStep {
  kNotYet,        // the snapshot is behind the commit's block: nothing to decide
  kCheckGone,     // the commit is gone: read the Weights row (revealed) or else it expired
  kWaitWindow,    // the reveal window is ahead (opens at commit->first_reveal_block)
  kWindowPassed,  // the window ended: the reveal failed, the epoch is missed
  kBackoff,       // a failed reveal waits
  kInFlight,      // a reveal's outcome is being looked for
  kReveal,        // send reveal_weights now
};
RevealStep decide_reveal(const RevealFacts& facts);
// The loop's memory of one reveal's failures.
struct RevealMemo {
  int failures = 0;
  std::uint64_t next_try_block = 0;
};
// R10: the memo after a failed reveal at `block`; `too_early`: the chain said RevealTooEarly.
RevealMemo after_reveal_failure(RevealMemo memo, std::uint64_t block, bool too_early);

// R11: the blocks to search next for a pending attempt signed at `signed_at`, valid until
// `mortal_until`, searched up to `searched` (0: not yet) so far, with the snapshot at `block`.
// Empty (from > to) when there is nothing to search now.
struct BlockRange {
  std::uint64_t from = 1;
  std::uint64_t to = 0;
  bool empty() const { return from > to; }
};
inline constexpr std::uint64_t kSearchBlocksPerTick = 64;
BlockRange pending_search(std::uint64_t signed_at, std::uint64_t mortal_until, std::uint64_t searched,
                          std::uint64_t block);
// R11: not found in any block up to `searched`, and the era is over at `block`.
bool pending_expired(std::uint64_t searched, std::uint64_t mortal_until, std::uint64_t block);

// R12, for one mechanism.
std::optional<std::uint64_t> last_committed_epoch(std::span<const LedgerEntry> record,
                                                  std::uint8_t mechanism = 0);

// R13: whether missed epochs are swept at all (cadence 1), and whether one past epoch is missed.
bool sweeps_missed(const PolicyOptions& options);
// `has_weights` and the verdict are the mechanism's; attempts of other mechanisms are ignored.
bool epoch_missed(std::uint64_t epoch, std::uint64_t current, bool has_weights,
                  std::span<const LedgerEntry> attempts, const PolicyOptions& options,
                  std::uint8_t mechanism = 0);

}  // namespace pylon::committer

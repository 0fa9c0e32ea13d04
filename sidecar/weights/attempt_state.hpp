// The states of the committer's record, as types: what an attempt to put weights on chain is
// (its call), how it went (its status), and where an owed reveal stands. Code compares and
// switches on these; the text below is what SQLite stores and what /weights_status shows, and is
// produced or read only at those edges (store_attempts.cpp, rest/). The texts never change: they
// are in every existing database and in the REST contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pylon::weights {

// The extrinsic an attempt sent (its name in SubtensorModule).
enum class CallKind : std::uint8_t {
  kSetWeights,     // "set_weights": the weights in the open (commit-reveal off)
  kCommitWeights,  // "commit_weights": the hash of the weights (commit-reveal on)
  kRevealWeights,  // "reveal_weights": the weights behind an earlier commit
  // "commit_timelocked_weights": the weights encrypted to a drand round (commit-reveal v4); the
  // chain decrypts and applies them itself in the reveal epoch, no reveal is owed
  kCommitTimelockedWeights,
};

// What became of an attempt.
enum class AttemptStatus : std::uint8_t {
  kPending,    // "pending": persisted, maybe sent, outcome unknown (looked for on chain)
  kIncluded,   // "included": in a block, and it succeeded
  kFinalized,  // "finalized": in a finalized block, and it succeeded
  kFailed,     // "failed": refused by the pool or failed in its block; error says why
  kExpired,    // "expired": not on chain once its mortal era ended; it can never land
  kMissed,     // "missed": no attempt was possible (window closed, daemon down); error says why
};

// Where an owed reveal (hash commit-reveal) stands.
enum class RevealStatus : std::uint8_t {
  kPending,    // "pending": persisted before its commit was sent; the commit is not on chain yet
  kCommitted,  // "committed": the commit is in a block; the reveal is owed in the reveal epoch
  kRevealed,   // "revealed": done
  kFailed,     // "failed": the commit failed or expired, or the reveal window passed
};

std::string_view to_text(CallKind call);
std::string_view to_text(AttemptStatus status);
std::string_view to_text(RevealStatus status);

// The value a text names; nullopt for any other text (the caller refuses it, never guesses).
std::optional<CallKind> call_kind_from_text(std::string_view text);
std::optional<AttemptStatus> attempt_status_from_text(std::string_view text);
std::optional<RevealStatus> reveal_status_from_text(std::string_view text);

// set_weights and the commits put an epoch's weights on chain (a reveal only follows one).
inline bool commits_weights(CallKind call) {
  switch (call) {
    case CallKind::kSetWeights:
    case CallKind::kCommitWeights:
    case CallKind::kCommitTimelockedWeights:
      return true;
    case CallKind::kRevealWeights:
      return false;
  }
  return false;  // not reached: every CallKind is named above
}

// The attempt's weights are on chain (included or finalized, and succeeded).
inline bool landed(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::kIncluded:
    case AttemptStatus::kFinalized:
      return true;
    case AttemptStatus::kPending:
    case AttemptStatus::kFailed:
    case AttemptStatus::kExpired:
    case AttemptStatus::kMissed:
      return false;
  }
  return false;  // not reached
}

}  // namespace pylon::weights

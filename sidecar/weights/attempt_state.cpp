// The one table between the record's states and their stored/shown text. from_text goes through
// to_text over every value, so the two directions cannot disagree.
#include "weights/attempt_state.hpp"

#include <array>

namespace pylon::weights {

std::string_view to_text(CallKind call) {
  switch (call) {
    case CallKind::kSetWeights:
      return "set_weights";
    case CallKind::kCommitWeights:
      return "commit_weights";
    case CallKind::kRevealWeights:
      return "reveal_weights";
    case CallKind::kCommitTimelockedWeights:
      return "commit_timelocked_weights";
  }
  return "unknown";  // not reached: every CallKind is named above
}

std::string_view to_text(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::kPending:
      return "pending";
    case AttemptStatus::kIncluded:
      return "included";
    case AttemptStatus::kFinalized:
      return "finalized";
    case AttemptStatus::kFailed:
      return "failed";
    case AttemptStatus::kExpired:
      return "expired";
    case AttemptStatus::kMissed:
      return "missed";
  }
  return "unknown";  // not reached
}

std::string_view to_text(RevealStatus status) {
  switch (status) {
    case RevealStatus::kPending:
      return "pending";
    case RevealStatus::kCommitted:
      return "committed";
    case RevealStatus::kRevealed:
      return "revealed";
    case RevealStatus::kFailed:
      return "failed";
  }
  return "unknown";  // not reached
}

namespace {

template <class E, std::size_t N>
std::optional<E> from_text(std::string_view text, const std::array<E, N>& all) {
  for (E e : all)
    if (to_text(e) == text) return e;
  return std::nullopt;
}

}  // namespace

std::optional<CallKind> call_kind_from_text(std::string_view text) {
  return from_text(text, std::array{CallKind::kSetWeights, CallKind::kCommitWeights, CallKind::kRevealWeights,
                                    CallKind::kCommitTimelockedWeights});
}

std::optional<AttemptStatus> attempt_status_from_text(std::string_view text) {
  return from_text(text,
                   std::array{AttemptStatus::kPending, AttemptStatus::kIncluded, AttemptStatus::kFinalized,
                              AttemptStatus::kFailed, AttemptStatus::kExpired, AttemptStatus::kMissed});
}

std::optional<RevealStatus> reveal_status_from_text(std::string_view text) {
  return from_text(text, std::array{RevealStatus::kPending, RevealStatus::kCommitted, RevealStatus::kRevealed,
                                    RevealStatus::kFailed});
}

}  // namespace pylon::weights

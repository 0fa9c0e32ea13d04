// The one rule for a weight value, wherever it comes from (a REST body, the shm queue, the result
// of a delta in the store): a finite number from 0 to kMaxWeight. Above that no real use exists,
// and the committer's max-normalisation to u16 still sees distinct values exactly as doubles;
// one bound for every door, so a value refused by one is never stored through another.
#pragma once

#include <cmath>

namespace pylon::weights {

inline constexpr double kMaxWeight = 1e15;

// Whether `w` may be stored as a weight: finite, >= 0, <= kMaxWeight (NaN fails every test).
constexpr bool valid_weight(double w) noexcept {
  return w >= 0 && w <= kMaxWeight;
}

// Whether `d` may be sent as a delta (PUT /update_weight): finite with |d| <= kMaxWeight. The
// weight it leads to must still pass valid_weight.
constexpr bool valid_delta(double d) noexcept {
  return d >= -kMaxWeight && d <= kMaxWeight;
}

// Why `w` failed valid_weight, as the end of a sentence naming the value ("…is -1; weights are
// non-negative"); empty when it passes.
inline const char* weight_problem(double w) noexcept {
  if (std::isnan(w) || std::isinf(w)) return ", not a finite number";
  if (w < 0) return "; weights are non-negative";
  if (w > kMaxWeight) return "; weights are at most 1e15";
  return "";
}

}  // namespace pylon::weights

// find_by: the element of a range whose member (or other projection) equals a value, as a pointer,
// nullptr when none does; find_value: the same by key over (key, value) pairs. The one home of the
// lookup by name or index that metadata, type definitions and decoded records do over their short
// vectors; the first match wins.
#pragma once

#include <algorithm>
#include <iterator>
#include <ranges>

namespace pylon {

template <std::ranges::forward_range Range, class T, class Proj>
auto find_by(Range& range, const T& value, Proj proj) -> decltype(&*std::ranges::begin(range)) {
  const auto it = std::ranges::find(range, value, proj);
  if (it == std::ranges::end(range)) return nullptr;
  return &*it;
}

// For a range of (key, value) pairs (`first`, `second`): the value of the first pair with `key`.
template <std::ranges::forward_range Range, class K>
auto find_value(Range& range, const K& key) -> decltype(&std::ranges::begin(range)->second) {
  const auto* entry = find_by(range, key, &std::ranges::range_value_t<Range>::first);
  if (entry == nullptr) return nullptr;
  return &entry->second;
}

}  // namespace pylon

// The text names of an enum's values (log levels, metric labels, HTTP methods), kept as one table
// indexed by the value instead of a switch per enum: the one home of the lookup, its bounds check
// and the reverse lookup.
//
// enum_names<First, Last>("a", "b", ...) takes exactly one name per enumerator from First to Last,
// in declaration order, and refuses to compile with any other count; the enumerators must be
// contiguous (no explicit values between First and Last). Name Last as the enum's last value, so
// that an enumerator added or removed at the end changes the count the table must have.
//
// Thread contract: immutable (constexpr), safe to read from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

namespace pylon {

template <class E, std::size_t N>
class EnumNames {
  static_assert(std::is_enum_v<E>);

 public:
  constexpr EnumNames(E first, std::array<std::string_view, N> names) : first_(first), names_(names) {}

  // The name of `e`; `fallback` for a value outside the table (only a cast can make one).
  constexpr std::string_view operator()(E e, std::string_view fallback) const {
    const auto i = index(e);
    return i < N ? names_[i] : fallback;
  }

  // The enumerator named exactly `text`; nullopt for any other text.
  constexpr std::optional<E> parse(std::string_view text) const {
    for (std::size_t i = 0; i < N; ++i)
      if (names_[i] == text) return static_cast<E>(to_int(first_) + static_cast<Int>(i));
    return std::nullopt;
  }

 private:
  using Int = std::underlying_type_t<E>;
  static constexpr Int to_int(E e) { return static_cast<Int>(e); }
  // Values below first_ wrap to a large index, so one comparison bounds both ends.
  constexpr std::size_t index(E e) const {
    return static_cast<std::size_t>(to_int(e)) - static_cast<std::size_t>(to_int(first_));
  }

  E first_;
  std::array<std::string_view, N> names_;
};

template <auto First, auto Last, class... Names>
consteval EnumNames<decltype(First), sizeof...(Names)> enum_names(const Names&... names) {
  using E = decltype(First);
  static_assert(std::is_same_v<E, decltype(Last)>, "First and Last must be values of one enum");
  using Int = std::underlying_type_t<E>;
  static_assert(static_cast<Int>(First) <= static_cast<Int>(Last), "First must not come after Last");
  static_assert(
      sizeof...(Names) == static_cast<std::size_t>(static_cast<Int>(Last) - static_cast<Int>(First)) + 1,
      "one name per enumerator from First to Last, in declaration order");
  return EnumNames<E, sizeof...(Names)>(First, {std::string_view(names)...});
}

}  // namespace pylon

// Errors as values at module boundaries. std::expected is not usable with clang-16 on Debian's
// libstdc++ 12 (the fuzz/sanitizer tree), so Pylon carries its own small Result type.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pylon {

// A human-readable error with its context (byte offset, type path, RPC method, file, ...).
struct Error {
  std::string message;
};

inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace pylon

// Propagate an error from an expression returning Result<...>; usable in functions returning
// any Result<...>.
#define PYLON_CONCAT_INNER(a, b) a##b
#define PYLON_CONCAT(a, b) PYLON_CONCAT_INNER(a, b)
#define PYLON_TRY_IMPL(tmp, expr)                 \
  do {                                            \
    auto tmp = (expr);                            \
    if (!tmp.ok()) return std::move(tmp).error(); \
  } while (0)
#define PYLON_TRY(expr) PYLON_TRY_IMPL(PYLON_CONCAT(pylon_try_, __LINE__), expr)
// Assign the value of a Result to `lhs` (which may be a declaration) or propagate its error.
// Expands to several statements: use braces around it in if/for bodies.
#define PYLON_ASSIGN_IMPL(tmp, lhs, expr)       \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
#define PYLON_ASSIGN(lhs, expr) PYLON_ASSIGN_IMPL(PYLON_CONCAT(pylon_assign_, __LINE__), lhs, expr)

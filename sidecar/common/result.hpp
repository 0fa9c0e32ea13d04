// Errors as values at module boundaries. std::expected is not usable with clang-16 on Debian's
// libstdc++ 12 (the fuzz/sanitizer tree), so Pylon carries its own small Result type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace pylon {

// Where a kind enum lives: one address per enum type (an inline variable template has one
// definition across translation units), so a kind is compared by its enum's identity and value.
template <class Kind>
inline constexpr char kErrorDomain = 0;

// A human-readable error with its context (byte offset, type path, RPC method, file, ...), and
// what kind of failure it is: a value of the failing module's own `enum class` (net::RpcErrc,
// weights::StoreErrc, ...), which callers switch on. Code never searches `message` for text: the
// message is for people, the kind for programs. An error without a kind (kind_of is nullopt) is
// one no caller distinguishes.
struct Error {
  std::string message;
  const void* domain = nullptr;  // &kErrorDomain<Kind>, or null without a kind
  int kind = 0;
  std::int64_t code = 0;  // a number the failing peer gave (a JSON-RPC error code), else 0
  std::string peer_data{};  // what the peer gave beside the code (a JSON-RPC error's data, as JSON)

  // The kind when it is of enum `Kind`.
  template <class Kind>
  std::optional<Kind> kind_of() const noexcept {
    if (domain != &kErrorDomain<Kind>) return std::nullopt;
    return static_cast<Kind>(kind);
  }
  template <class Kind>
  bool is(Kind k) const noexcept {
    return domain == &kErrorDomain<Kind> && kind == static_cast<int>(k);
  }
};

inline Error make_error(std::string message) {
  return Error{std::move(message)};
}

template <class Kind>
  requires std::is_enum_v<Kind>
Error make_error(Kind kind, std::string message, std::int64_t code = 0) {
  return Error{std::move(message), &kErrorDomain<Kind>, static_cast<int>(kind), code};
}

// The same error (kind and code kept) with context in front of its message.
inline Error with_context(std::string_view context, Error e) {
  e.message = std::string(context) + ": " + e.message;
  return e;
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
  Error& error() & { return std::get<1>(v_); }
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
  Error& error() & { return error_; }
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

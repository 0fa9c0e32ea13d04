// Errors as values for the header-only client. The client must build as C++17 (validators may not
// be on C++20) and every call is noexcept, so it carries its own small result type instead of
// pylon::Result: the message lives in a fixed buffer, so reporting an error never allocates.
#pragma once

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace pylon::shm {

enum class Errc : std::uint8_t {
  ok = 0,
  not_found,       // no segment of that name (daemon not running yet, or restarting)
  permission,      // the segment exists but we may not map it
  os_error,        // another system call failure (message has errno text)
  bad_magic,       // not a Pylon segment of the expected kind
  abi_mismatch,    // a Pylon segment written by another ABI version
  truncated,       // the segment is smaller than its header says
  corrupt,         // header or index fields out of range
  no_snapshot,     // the daemon has not published a snapshot yet
  busy,            // the writer kept changing the snapshot for the whole retry budget
  retired,         // the daemon replaced or closed the segment; reopen by name
  not_live,        // the segment is still being initialised
  out_of_range,    // uid/index beyond the table
  no_such_neuron,  // hotkey not in the metagraph
  full,            // the producer's ring is full: nothing was written, try later
  no_free_slot,    // every producer slot holds a live lease
  lease_lost,      // another producer took this slot over (our lease expired)
  timeout,         // wait_durable deadline passed
  invalid_argument,
  no_memory,
};

struct ShmError {
  // Only the terminator is initialised: results are created on every call, and zeroing the whole
  // buffer for successes showed up in the lookup benchmarks.
  ShmError() noexcept { message[0] = '\0'; }
  Errc code = Errc::ok;
  char message[200];
};

inline ShmError make_shm_error(Errc code, const char* fmt, ...) noexcept
    __attribute__((format(printf, 2, 3)));
inline ShmError make_shm_error(Errc code, const char* fmt, ...) noexcept {
  ShmError e;
  e.code = code;
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(e.message, sizeof(e.message), fmt, args);
  va_end(args);
  return e;
}

// Success or error.
class [[nodiscard]] ShmStatus {
 public:
  ShmStatus() noexcept = default;
  ShmStatus(ShmError error) noexcept : error_(error) {}  // NOLINT
  bool ok() const noexcept { return error_.code == Errc::ok; }
  explicit operator bool() const noexcept { return ok(); }
  Errc code() const noexcept { return error_.code; }
  const ShmError& error() const noexcept { return error_; }
  const char* message() const noexcept { return error_.message; }

 private:
  ShmError error_{};
};

// Value or error: a ShmStatus (its error part) with the value beside it. T must be
// default-constructible and nothrow-movable (all client types are).
template <class T>
class [[nodiscard]] ShmResult : public ShmStatus {
 public:
  ShmResult(T value) noexcept : value_(std::move(value)) {}  // NOLINT: implicit by design
  ShmResult(ShmError error) noexcept : ShmStatus(error) {}   // NOLINT
  T& value() & noexcept { return value_; }
  const T& value() const& noexcept { return value_; }
  T&& value() && noexcept { return std::move(value_); }
  T& operator*() & noexcept { return value_; }
  const T& operator*() const& noexcept { return value_; }
  T* operator->() noexcept { return &value_; }
  const T* operator->() const noexcept { return &value_; }

 private:
  T value_{};
};

}  // namespace pylon::shm

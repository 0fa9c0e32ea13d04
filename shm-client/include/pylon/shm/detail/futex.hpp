// Shared (cross-process) futex calls on words in a mapped segment. Not FUTEX_PRIVATE: waiter and
// waker are different processes mapping the same file. FUTEX_WAIT only reads the word, so it works
// on a read-only mapping (snapshot readers map theirs read-only).
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdint>

namespace pylon::shm {

// Sleep while *word == expected, at most timeout_ns; returns on a wake, a timeout, a signal or
// when the word already differs (the caller re-checks its condition in every case).
inline void futex_wait_shared(const std::uint32_t* word, std::uint32_t expected,
                              std::uint64_t timeout_ns) noexcept {
  timespec ts{static_cast<time_t>(timeout_ns / 1000000000ULL), static_cast<long>(timeout_ns % 1000000000ULL)};
  ::syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, nullptr, 0);
}

// Wake every process waiting on word (at most `count`).
inline void futex_wake_shared(const std::uint32_t* word, int count = INT_MAX) noexcept {
  ::syscall(SYS_futex, word, FUTEX_WAKE, count, nullptr, nullptr, 0);
}

}  // namespace pylon::shm

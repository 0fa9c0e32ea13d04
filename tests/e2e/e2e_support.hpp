// Shared by the end-to-end tests: polling for a condition with a deadline.
#pragma once

#include <chrono>
#include <utility>

#include "../common/poll_until.hpp"

namespace pylon::test {

// Polls f every 100 ms until it holds or `limit` passes; returns its last answer.
template <class F>
bool eventually(F&& f, std::chrono::seconds limit) {
  return poll_until(std::forward<F>(f), limit, std::chrono::milliseconds(100));
}

}  // namespace pylon::test

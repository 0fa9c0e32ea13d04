// Shared by the end-to-end tests: polling for a condition with a deadline.
#pragma once

#include <chrono>
#include <thread>

namespace pylon::test {

// Polls f every 100 ms until it holds or `limit` passes; returns its last answer.
template <class F>
bool eventually(F&& f, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return f();
}

}  // namespace pylon::test

// Polling a condition with a deadline: for the tests' waits on something that has no event to wait
// on (another process's HTTP answers, a chain node, a segment another thread re-creates). Where an
// event exists (SnapshotStore::wait_newer, a futex, waitpid, a pipe) the tests wait on that instead.
// Stateless; call from any thread.
#pragma once

#include <chrono>
#include <thread>

namespace pylon::test {

// Asks `pred` every `every` until it holds or `limit` passes; returns its last answer.
template <class Pred>
bool poll_until(Pred&& pred, std::chrono::milliseconds limit, std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    // The one sleep of the polling waits: the condition has no event, so it is asked again later.
    std::this_thread::sleep_for(every);
  }
  return pred();
}

}  // namespace pylon::test

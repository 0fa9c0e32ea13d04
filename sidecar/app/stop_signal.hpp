// The daemon's stop request as an event rather than a flag polled on a timer. SIGTERM and SIGINT
// are blocked in every thread and taken by one thread of their own with sigwait(), which marks
// the stop and wakes whoever waits here; other events (a new snapshot) wake the same waiter
// through notify(). A signal handler could only set a flag, and a flag must be polled.
//
// Thread contract: install() once, from main, before any other thread starts (threads inherit the
// blocked mask). Every other member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>

#include "common/sync.hpp"

namespace pylon::app {

class StopSignal {
 public:
  // Blocks SIGTERM and SIGINT and starts the thread that waits for them.
  static StopSignal& install();

  bool requested() const noexcept { return requested_.load(std::memory_order_acquire); }
  void request();  // as if a signal came
  // Wakes wait_for() so it re-checks its condition (call after changing what it checks).
  void notify();
  // Waits until a stop is requested, `ready()` holds, or the timeout passes; true when a stop
  // was requested.
  bool wait_for(std::chrono::milliseconds timeout, const std::function<bool()>& ready = {});

 private:
  StopSignal() = default;
  std::atomic<bool> requested_{false};
  Mutex mu_;  // guards no data: it orders notify() against a waiter between check and sleep
  std::condition_variable cv_;
};

}  // namespace pylon::app

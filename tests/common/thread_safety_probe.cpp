// Compiled, not run, by the thread_safety_* tests (tests/common/CMakeLists.txt) with the project's
// own compile options: proves that the clang trees refuse a guarded member read without its lock.
// Built as is it must compile; with PYLON_PROBE_UNLOCKED_READ it must not.
#include "common/sync.hpp"

namespace {

class Counter {
 public:
  int read_locked() {
    pylon::Lock lock(mu_);
    return value_;
  }
#ifdef PYLON_PROBE_UNLOCKED_READ
  int read_unlocked() { return value_; }
#endif

 private:
  pylon::Mutex mu_;
  int value_ PYLON_GUARDED_BY(mu_) = 0;
};

}  // namespace

int probe() {
  Counter c;
  return c.read_locked();
}

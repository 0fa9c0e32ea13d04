// A mutex and its lock that clang's thread-safety analysis understands (-Wthread-safety, on in
// the clang trees and an error there). libstdc++'s std::mutex carries no capability attributes,
// so members marked PYLON_GUARDED_BY(mu) must be guarded by a pylon::Mutex and locked through a
// pylon::Lock: then reading such a member without the lock, or calling a PYLON_REQUIRES(mu)
// function without it, fails the build instead of racing at run time. Under g++ the attributes
// expand to nothing and the types are thin wrappers over std::mutex and std::unique_lock.
//
// Thread contract: Mutex is a std::mutex (not recursive); a Lock belongs to the thread that made
// it. Predicates given to Lock::wait run with the lock held: write them as
// `[&]() PYLON_REQUIRES(mu_) { ... }` so the analysis knows.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define PYLON_THREAD_ATTR(x) __attribute__((x))
#else
#define PYLON_THREAD_ATTR(x)
#endif

#define PYLON_CAPABILITY(name) PYLON_THREAD_ATTR(capability(name))
#define PYLON_SCOPED_CAPABILITY PYLON_THREAD_ATTR(scoped_lockable)
#define PYLON_GUARDED_BY(mu) PYLON_THREAD_ATTR(guarded_by(mu))
#define PYLON_PT_GUARDED_BY(mu) PYLON_THREAD_ATTR(pt_guarded_by(mu))
#define PYLON_REQUIRES(...) PYLON_THREAD_ATTR(requires_capability(__VA_ARGS__))
#define PYLON_EXCLUDES(...) PYLON_THREAD_ATTR(locks_excluded(__VA_ARGS__))
#define PYLON_ACQUIRE(...) PYLON_THREAD_ATTR(acquire_capability(__VA_ARGS__))
#define PYLON_RELEASE(...) PYLON_THREAD_ATTR(release_capability(__VA_ARGS__))
#define PYLON_TRY_ACQUIRE(...) PYLON_THREAD_ATTR(try_acquire_capability(__VA_ARGS__))
#define PYLON_RETURN_CAPABILITY(mu) PYLON_THREAD_ATTR(lock_returned(mu))
#define PYLON_NO_THREAD_SAFETY_ANALYSIS PYLON_THREAD_ATTR(no_thread_safety_analysis)

namespace pylon {

class PYLON_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() PYLON_ACQUIRE() { mu_.lock(); }
  void unlock() PYLON_RELEASE() { mu_.unlock(); }
  bool try_lock() PYLON_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class Lock;
  std::mutex mu_;
};

// Holds a Mutex for its scope; can wait on a std::condition_variable (which needs the underlying
// std::unique_lock) and can be released early.
class PYLON_SCOPED_CAPABILITY Lock {
 public:
  explicit Lock(Mutex& mu) PYLON_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~Lock() PYLON_RELEASE() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // Releases the mutex before the end of the scope (e.g. around a slow call) and takes it again.
  void unlock() PYLON_RELEASE() { lock_.unlock(); }
  void lock() PYLON_ACQUIRE() { lock_.lock(); }

  template <class Pred>
  void wait(std::condition_variable& cv, Pred pred) {
    cv.wait(lock_, std::move(pred));
  }
  template <class Rep, class Period, class Pred>
  bool wait_for(std::condition_variable& cv, std::chrono::duration<Rep, Period> timeout, Pred pred) {
    return cv.wait_for(lock_, timeout, std::move(pred));
  }
  template <class Clock, class Duration, class Pred>
  bool wait_until(std::condition_variable& cv, std::chrono::time_point<Clock, Duration> deadline, Pred pred) {
    return cv.wait_until(lock_, deadline, std::move(pred));
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace pylon

// Where snapshots are published: readers take the latest (or one of the last K, by block); the
// follower marks the latest stale with a reason when the chain cannot be read, and the last good
// snapshot stays.
//
// Whoever needs to act on a new snapshot is told, instead of polling: listeners run on the
// publishing thread right after the snapshot became the latest, and wait_newer() blocks until the
// generation (the count of published snapshots) passes one the caller has seen.
//
// Thread contract: every member may be called from any thread. Listeners run on the thread that
// calls publish(), one at a time, in subscription order; they must be short and must not publish
// or (un)subscribe. unsubscribe() returns only once that listener is no longer running.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "common/sync.hpp"
#include "follower/snapshot.hpp"

namespace pylon::follower {

// Bounds (seconds) of the snapshot build-time histogram: a small subnet on a local node takes a
// few milliseconds, finney's 256-neuron subnets a few hundred, an archive node far away seconds.
inline constexpr std::array<double, 12> kBuildTimeBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                             0.5,   1,    2.5,   5,    10,  30};

// How long the follower's snapshot builds took: counts[i] observations in bucket i alone (the last
// one is +Inf), and their sum.
struct BuildTimes {
  std::array<std::uint64_t, kBuildTimeBuckets.size() + 1> counts{};
  double sum_seconds = 0;
};

struct Staleness {
  bool stale = false;
  std::string reason;  // why the newest block could not be read
  std::chrono::steady_clock::time_point since{};
};

class SnapshotStore {
 public:
  explicit SnapshotStore(std::size_t keep = 32) : keep_(keep) {}

  void publish(SnapshotPtr s);
  SnapshotPtr latest() const {
    Lock lock(latest_mu_);
    return latest_;
  }
  // One of the kept snapshots, or null when that block is not kept.
  SnapshotPtr at_block(std::uint64_t block) const;

  void mark_stale(std::string reason);
  Staleness staleness() const;
  // The generation: how many snapshots were published so far.
  std::uint64_t published_count() const { return published_.load(std::memory_order_acquire); }

  // The follower's record of one successful build (from looking up the block to the snapshot
  // being whole), for /metrics; build_times() reads them all.
  void record_build_time(std::chrono::nanoseconds took);
  BuildTimes build_times() const;

  // Blocks until more than `seen` snapshots were published, or the timeout passed; returns the
  // generation then (equal to `seen` on a timeout).
  std::uint64_t wait_newer(std::uint64_t seen, std::chrono::milliseconds timeout) const;

  // Every change a reader can see (a publish, a staleness mark) moves this generation, so a
  // caller can wait for any state of the store without polling it.
  std::uint64_t changes() const;
  // Blocks until the generation moved past `seen` or the timeout passed; returns it then.
  std::uint64_t wait_changed(std::uint64_t seen, std::chrono::milliseconds timeout) const;
  // Waits until `ready()` holds, re-checking it on each change; false when the timeout passed
  // first. `ready` runs without the store's locks, so it may read the store.
  template <class Pred>
  bool wait_until(Pred ready, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const std::uint64_t seen = changes();
      if (ready()) return true;
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      wait_changed(seen, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    }
  }

  using Listener = std::function<void(const SnapshotPtr&)>;
  using ListenerId = std::uint64_t;
  ListenerId subscribe(Listener on_published);
  void unsubscribe(ListenerId id);

 private:
  std::size_t keep_;
  // A plain mutex, held only to copy one shared_ptr, rather than std::atomic<shared_ptr>: libstdc++
  // 12's atomic<shared_ptr>::load releases its internal lock with a relaxed store, so a reader's
  // read of the pointer is not ordered before the next store's write of it (a data race by the
  // C++ memory model, which TSan reports). Uncontended, this costs about as much as that lock did.
  mutable Mutex latest_mu_;
  SnapshotPtr latest_ PYLON_GUARDED_BY(latest_mu_);
  mutable Mutex mu_;
  std::deque<SnapshotPtr> recent_ PYLON_GUARDED_BY(mu_);
  Staleness staleness_ PYLON_GUARDED_BY(mu_);
  std::atomic<std::uint64_t> published_{0};
  BuildTimes build_times_ PYLON_GUARDED_BY(mu_);
  std::uint64_t changes_ PYLON_GUARDED_BY(latest_mu_) = 0;
  mutable std::condition_variable published_cv_;  // with latest_mu_: published_ or changes_ moved
  // Held while listeners run, so unsubscribe() waits for a running listener to return.
  Mutex listeners_mu_;
  std::map<ListenerId, Listener> listeners_ PYLON_GUARDED_BY(listeners_mu_);
  ListenerId next_listener_ PYLON_GUARDED_BY(listeners_mu_) = 1;
};

}  // namespace pylon::follower

// Where snapshots are published: readers take the latest (or one of the last K, by block); the
// follower marks the latest stale with a reason when the chain cannot be read, and the last good
// snapshot stays.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <string>

#include "follower/snapshot.hpp"

namespace pylon::follower {

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
    std::lock_guard lock(latest_mu_);
    return latest_;
  }
  // One of the kept snapshots, or null when that block is not kept.
  SnapshotPtr at_block(std::uint64_t block) const;

  void mark_stale(std::string reason);
  Staleness staleness() const;
  std::uint64_t published_count() const { return published_.load(std::memory_order_relaxed); }

 private:
  std::size_t keep_;
  // A plain mutex, held only to copy one shared_ptr, rather than std::atomic<shared_ptr>: libstdc++
  // 12's atomic<shared_ptr>::load releases its internal lock with a relaxed store, so a reader's
  // read of the pointer is not ordered before the next store's write of it (a data race by the
  // C++ memory model, which TSan reports). Uncontended, this costs about as much as that lock did.
  mutable std::mutex latest_mu_;
  SnapshotPtr latest_;
  mutable std::mutex mu_;
  std::deque<SnapshotPtr> recent_;
  Staleness staleness_;
  std::atomic<std::uint64_t> published_{0};
};

}  // namespace pylon::follower

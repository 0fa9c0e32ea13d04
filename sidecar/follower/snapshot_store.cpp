#include "follower/snapshot_store.hpp"

namespace pylon::follower {

void SnapshotStore::publish(SnapshotPtr s) {
  {
    std::lock_guard lock(mu_);
    recent_.push_back(s);
    while (recent_.size() > keep_) recent_.pop_front();
    staleness_ = {};
  }
  {
    std::lock_guard lock(latest_mu_);
    latest_.swap(s);
  }  // the previous snapshot (now in s) is released outside the lock
  published_.fetch_add(1, std::memory_order_relaxed);
}

SnapshotPtr SnapshotStore::at_block(std::uint64_t block) const {
  std::lock_guard lock(mu_);
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it)
    if ((*it)->block == block) return *it;
  return nullptr;
}

void SnapshotStore::mark_stale(std::string reason) {
  std::lock_guard lock(mu_);
  if (!staleness_.stale) staleness_.since = std::chrono::steady_clock::now();
  staleness_.stale = true;
  staleness_.reason = std::move(reason);
}

Staleness SnapshotStore::staleness() const {
  std::lock_guard lock(mu_);
  return staleness_;
}

}  // namespace pylon::follower

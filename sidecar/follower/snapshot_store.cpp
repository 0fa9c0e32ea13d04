#include "follower/snapshot_store.hpp"

namespace pylon::follower {

void SnapshotStore::publish(SnapshotPtr s) {
  {
    Lock lock(mu_);
    recent_.push_back(s);
    while (recent_.size() > keep_) recent_.pop_front();
    staleness_ = {};
  }
  SnapshotPtr now = s;
  {
    Lock lock(latest_mu_);
    latest_.swap(s);
    published_.fetch_add(1, std::memory_order_release);
    ++changes_;
  }  // the previous snapshot (now in s) is released outside the lock
  published_cv_.notify_all();
  Lock lock(listeners_mu_);
  for (const auto& [id, listener] : listeners_) listener(now);
}

void SnapshotStore::record_build_time(std::chrono::nanoseconds took) {
  const double seconds = std::chrono::duration<double>(took).count();
  std::size_t bucket = 0;
  while (bucket < kBuildTimeBuckets.size() && seconds > kBuildTimeBuckets[bucket]) ++bucket;
  Lock lock(mu_);
  ++build_times_.counts[bucket];
  build_times_.sum_seconds += seconds;
}

BuildTimes SnapshotStore::build_times() const {
  Lock lock(mu_);
  return build_times_;
}

std::uint64_t SnapshotStore::wait_newer(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  Lock lock(latest_mu_);
  lock.wait_for(published_cv_, timeout, [&] { return published_.load(std::memory_order_relaxed) > seen; });
  return published_.load(std::memory_order_relaxed);
}

std::uint64_t SnapshotStore::changes() const {
  Lock lock(latest_mu_);
  return changes_;
}

std::uint64_t SnapshotStore::wait_changed(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  Lock lock(latest_mu_);
  lock.wait_for(published_cv_, timeout, [&]() PYLON_REQUIRES(latest_mu_) { return changes_ > seen; });
  return changes_;
}

SnapshotStore::ListenerId SnapshotStore::subscribe(Listener on_published) {
  Lock lock(listeners_mu_);
  const ListenerId id = next_listener_++;
  listeners_.emplace(id, std::move(on_published));
  return id;
}

void SnapshotStore::unsubscribe(ListenerId id) {
  Lock lock(listeners_mu_);
  listeners_.erase(id);
}

SnapshotPtr SnapshotStore::at_block(std::uint64_t block) const {
  Lock lock(mu_);
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it)
    if ((*it)->block == block) return *it;
  return nullptr;
}

void SnapshotStore::mark_stale(std::string reason) {
  {
    Lock lock(mu_);
    if (!staleness_.stale) staleness_.since = std::chrono::steady_clock::now();
    staleness_.stale = true;
    staleness_.reason = std::move(reason);
  }
  {
    Lock lock(latest_mu_);
    ++changes_;
  }
  published_cv_.notify_all();
}

Staleness SnapshotStore::staleness() const {
  Lock lock(mu_);
  return staleness_;
}

}  // namespace pylon::follower

#include "rest/timelocked_reveal_cache.hpp"

namespace pylon::rest {

std::optional<std::string> TimelockedRevealCache::find(const follower::SnapshotPtr& snap,
                                                       std::int64_t attempt) const {
  Lock lock(mu_);
  if (!snap || snap_.lock() != snap) return std::nullopt;
  auto it = answers_.find(attempt);
  if (it == answers_.end()) return std::nullopt;
  return it->second;
}

void TimelockedRevealCache::keep(const follower::SnapshotPtr& snap, std::int64_t attempt, std::string json) {
  if (!snap) return;
  Lock lock(mu_);
  if (snap_.lock() != snap) {
    // A request still holding an older snapshot than the one kept does not evict the newer one.
    if (auto kept = snap_.lock(); kept && kept->block > snap->block) return;
    snap_ = snap;
    answers_.clear();
  }
  answers_[attempt] = std::move(json);
}

std::optional<std::uint64_t> TimelockedRevealCache::block_number(const BlockHash& hash) const {
  Lock lock(mu_);
  auto it = numbers_.find(hash);
  if (it == numbers_.end()) return std::nullopt;
  return it->second;
}

void TimelockedRevealCache::keep_block_number(const BlockHash& hash, std::uint64_t number) {
  Lock lock(mu_);
  if (numbers_.size() >= kKeptNumbers) numbers_.clear();  // rare: a long-lived store; reread once
  numbers_[hash] = number;
}

}  // namespace pylon::rest

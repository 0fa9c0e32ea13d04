#include "rest/on_demand_snapshots.hpp"

namespace pylon::rest {

OnDemandSnapshots::Rendered OnDemandSnapshots::find(std::uint16_t netuid, std::uint64_t block) const {
  Lock lock(mu_);
  for (const auto& [key, r] : kept_)
    if (key == Key{netuid, block}) return r;
  return nullptr;
}

bool OnDemandSnapshots::join(std::uint16_t netuid, std::uint64_t block, Waiter w) {
  Lock lock(mu_);
  auto [it, first] = waiting_.try_emplace(Key{netuid, block});
  it->second.push_back(std::move(w));
  return first;
}

void OnDemandSnapshots::finish(std::uint16_t netuid, std::uint64_t block, const Result<Rendered>& r) {
  std::vector<Waiter> waiters;
  {
    Lock lock(mu_);
    const Key key{netuid, block};
    if (auto it = waiting_.find(key); it != waiting_.end()) {
      waiters = std::move(it->second);
      waiting_.erase(it);
    }
    if (r.ok()) {
      kept_.remove_if([&](const auto& e) { return e.first == key; });
      kept_.emplace_front(key, *r);
      while (kept_.size() > kKept) kept_.pop_back();
    }
  }
  for (auto& w : waiters) w(r);
}

std::size_t OnDemandSnapshots::in_flight() const {
  Lock lock(mu_);
  return waiting_.size();
}

}  // namespace pylon::rest

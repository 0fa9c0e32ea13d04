#include "rest/subnet_context.hpp"

#include <algorithm>

namespace pylon::rest {

namespace {
constexpr std::size_t kEpochsKept = 4096;  // blocks asked about; cleared past it (a client scanning blocks)
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

SubnetContext::SubnetContext(std::uint16_t netuid, SubnetDeps parts, std::size_t old_kept,
                             std::chrono::nanoseconds prepare_idle)
    : netuid_(netuid),
      parts_(std::move(parts)),
      old_kept_(std::max<std::size_t>(old_kept, 1)),
      prepare_idle_(prepare_idle),
      last_read_ns_(now_ns()) {}

SubnetContext::Rendered SubnetContext::latest() {
  last_read_ns_.store(now_ns(), std::memory_order_relaxed);
  Lock lock(cache_mu_);
  return latest_locked();
}

SubnetContext::Rendered SubnetContext::latest_locked() {
  auto s = parts_.snapshots->latest();
  if (!s) return nullptr;
  if (!latest_ || latest_->snapshot() != s) {
    if (latest_) remember_locked(latest_);
    latest_ = std::make_shared<RenderedSnapshot>(std::move(s));
  }
  return latest_;
}

void SubnetContext::remember(const Rendered& r) {
  Lock lock(cache_mu_);
  remember_locked(r);
}

void SubnetContext::remember_locked(const Rendered& r) {
  old_.remove(r);
  old_.push_front(r);
  while (old_.size() > old_kept_) old_.pop_back();
}

SubnetContext::Rendered SubnetContext::kept(std::uint64_t block) {
  last_read_ns_.store(now_ns(), std::memory_order_relaxed);
  Lock lock(cache_mu_);
  auto l = latest_locked();
  if (l && l->snapshot()->block == block) return l;
  for (const auto& r : old_)
    if (r->snapshot()->block == block) return r;
  if (auto s = parts_.snapshots->at_block(block)) {
    auto r = std::make_shared<RenderedSnapshot>(std::move(s));
    remember_locked(r);
    return r;
  }
  return nullptr;
}

std::optional<EpochAnswer> SubnetContext::known_epoch(std::uint64_t block) {
  Lock lock(cache_mu_);
  if (auto it = epochs_.find(block); it != epochs_.end()) return it->second;
  return std::nullopt;
}

void SubnetContext::remember_epoch(std::uint64_t block, EpochAnswer e) {
  Lock lock(cache_mu_);
  if (epochs_.size() > kEpochsKept) epochs_.clear();
  epochs_[block] = e;
}

void SubnetContext::prepare_latest() {
  const auto idle = std::chrono::nanoseconds(now_ns() - last_read_ns_.load(std::memory_order_relaxed));
  if (idle >= prepare_idle_) return;
  Rendered r;
  {
    Lock lock(cache_mu_);
    r = latest_locked();  // not latest(): preparing is not a read
  }
  if (!r) return;
  r->prepare();
  {
    Lock lock(prepared_mu_);
    const std::uint64_t block = r->snapshot()->block;
    if (!prepared_block_ || *prepared_block_ < block) prepared_block_ = block;
  }
  prepared_cv_.notify_all();
}

bool SubnetContext::wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout) {
  Lock lock(prepared_mu_);
  return lock.wait_for(prepared_cv_, timeout, [&]() PYLON_REQUIRES(prepared_mu_) {
    return prepared_block_ && *prepared_block_ >= block;
  });
}

}  // namespace pylon::rest

#include "rest/v1/deadlines.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rest/v1/errors.hpp"

namespace pylon::rest::v1 {

// The first call of answer() wins; the Reply is let go of then, so a deadline that stays queued
// after its request was answered holds nothing of it.
struct Deadlines::Once {
  Mutex mu;
  bool done PYLON_GUARDED_BY(mu) = false;
  Reply reply PYLON_GUARDED_BY(mu);

  explicit Once(Reply r) : reply(std::move(r)) {}
  bool answered() {
    Lock lock(mu);
    return done;
  }
  void answer(Response r) {
    Reply taken;
    {
      Lock lock(mu);
      if (done) return;
      done = true;
      taken = std::move(reply);
    }
    taken(std::move(r));  // outside the lock: it may take a while, or answer inline
  }
};

Deadlines::Deadlines() : thread_([this] { run(); }) {}

Deadlines::~Deadlines() { stop(); }

void Deadlines::stop() {
  {
    Lock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

Reply Deadlines::bounded(Reply reply, double seconds) {
  auto once = std::make_shared<Once>(std::move(reply));
  // Seconds as the guard admitted them (finite, positive, capped); a day bounds the arithmetic.
  const double s = std::isfinite(seconds) ? std::min(std::max(seconds, 0.0), 86400.0) : 86400.0;
  const auto when = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  bool earliest = false;
  {
    Lock lock(mu_);
    if (!stopping_) {
      const auto key = std::make_pair(when, next_id_++);
      due_.emplace(key, once);
      earliest = due_.begin()->first == key;
    }
  }
  if (earliest) cv_.notify_all();
  return [once](Response r) { once->answer(std::move(r)); };
}

std::size_t Deadlines::pending() const {
  std::vector<std::shared_ptr<Once>> all;
  {
    Lock lock(mu_);
    for (const auto& [key, once] : due_) all.push_back(once);
  }
  std::size_t n = 0;
  for (const auto& once : all) n += once->answered() ? 0 : 1;
  return n;
}

void Deadlines::run() {
  Lock lock(mu_);
  while (!stopping_) {
    if (due_.empty()) {
      lock.wait(cv_, [this]() PYLON_REQUIRES(mu_) { return stopping_ || !due_.empty(); });
      continue;
    }
    const auto first = due_.begin()->first;
    if (Clock::now() < first.first) {
      lock.wait_until(cv_, first.first, [this, first]() PYLON_REQUIRES(mu_) {
        return stopping_ || due_.empty() || due_.begin()->first != first;
      });
      continue;
    }
    auto once = std::move(due_.begin()->second);
    due_.erase(due_.begin());
    lock.unlock();
    once->answer(error(504, "Request timed out"));
    lock.lock();
  }
}

}  // namespace pylon::rest::v1

#include "rest/v1/deadlines.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <utility>

#include "common/sync.hpp"
#include "rest/v1/errors.hpp"

namespace pylon::rest::v1 {

using Clock = std::chrono::steady_clock;
using Key = std::pair<Clock::time_point, std::uint64_t>;

struct Deadlines::Registry {
  Mutex mu;
  std::condition_variable cv;
  bool stopping PYLON_GUARDED_BY(mu) = false;
  std::uint64_t next_id PYLON_GUARDED_BY(mu) = 0;
  // By (when, id), the earliest first; an entry leaves when it fires or its request is answered.
  std::map<Key, std::shared_ptr<Once>> due PYLON_GUARDED_BY(mu);
};

// The first call of answer() wins and lets go of the Reply.
struct Deadlines::Once {
  Mutex mu;
  bool done PYLON_GUARDED_BY(mu) = false;
  Reply reply PYLON_GUARDED_BY(mu);

  explicit Once(Reply r) : reply(std::move(r)) {}
  // True for the call that answered.
  bool answer(Response r) {
    Reply taken;
    {
      Lock lock(mu);
      if (done) return false;
      done = true;
      taken = std::move(reply);
    }
    taken(std::move(r));  // outside the lock: it may answer inline
    return true;
  }
};

Deadlines::Deadlines() : reg_(std::make_shared<Registry>()), thread_([this] { run(); }) {}

Deadlines::~Deadlines() {
  stop();
}

void Deadlines::stop() {
  {
    Lock lock(reg_->mu);
    reg_->stopping = true;
    reg_->due.clear();
  }
  reg_->cv.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

Reply Deadlines::bounded(Reply reply, double seconds) {
  auto once = std::make_shared<Once>(std::move(reply));
  // Seconds as the guard admitted them (finite, positive, capped); a day bounds the arithmetic.
  const double s = std::isfinite(seconds) ? std::clamp(seconds, 0.0, 86400.0) : 86400.0;
  const auto when =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  Key key{};
  bool queued = false, earliest = false;
  {
    Lock lock(reg_->mu);
    if (!reg_->stopping) {
      key = Key{when, reg_->next_id++};
      reg_->due.emplace(key, once);
      queued = true;
      earliest = reg_->due.begin()->first == key;
    }
  }
  if (earliest) reg_->cv.notify_all();
  if (!queued) return [once](Response r) { once->answer(std::move(r)); };
  // Held weakly: a read may answer after this Deadlines is gone.
  return [once, key, weak = std::weak_ptr<Registry>(reg_)](Response r) {
    if (!once->answer(std::move(r))) return;  // the 504 went first: this answer is dropped
    if (auto reg = weak.lock()) {
      Lock lock(reg->mu);
      reg->due.erase(key);
    }
  };
}

std::size_t Deadlines::pending() const {
  Lock lock(reg_->mu);
  return reg_->due.size();
}

void Deadlines::run() {
  Registry& r = *reg_;
  Lock lock(r.mu);
  while (!r.stopping) {
    if (r.due.empty()) {
      lock.wait(r.cv, [&r]() PYLON_REQUIRES(r.mu) { return r.stopping || !r.due.empty(); });
      continue;
    }
    const Key first = r.due.begin()->first;
    if (Clock::now() < first.first) {
      lock.wait_until(r.cv, first.first, [&r, first]() PYLON_REQUIRES(r.mu) {
        return r.stopping || r.due.empty() || r.due.begin()->first != first;
      });
      continue;
    }
    auto once = std::move(r.due.begin()->second);
    r.due.erase(r.due.begin());
    lock.unlock();
    once->answer(error(504, "Request timed out"));
    lock.lock();
  }
}

}  // namespace pylon::rest::v1

// Pushing weights to the daemon through the queue segment. A WeightProducer claims one producer
// slot (a lease, see queue_protocol.hpp) for its lifetime; push never blocks (a full ring is the
// Errc::full result) and returns the entry's sequence number, which wait_durable() waits on.
#pragma once

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "pylon/shm/atomic_words.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/queue_protocol.hpp"
#include "pylon/shm/result.hpp"
#include "pylon/shm/segment.hpp"

namespace pylon::shm {

struct ProducerOptions {
  // Try this slot first (-1: start at a slot derived from the pid, to spread producers out).
  std::int32_t preferred_slot = -1;
};

class WeightProducer {
 public:
  WeightProducer() noexcept = default;
  WeightProducer(const WeightProducer&) = delete;
  WeightProducer& operator=(const WeightProducer&) = delete;
  WeightProducer(WeightProducer&& o) noexcept { take(o); }
  WeightProducer& operator=(WeightProducer&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~WeightProducer() { release(); }

  // Map the named queue segment read-write and claim a producer slot.
  static ShmResult<WeightProducer> open(const char* name, ProducerOptions opts = {}) noexcept {
    ShmResult<Mapping> m = Mapping::open(name, /*writable=*/true);
    if (!m) return m.error();
    return claim(std::move(m).value(), opts);
  }
  // Use a queue segment image in caller memory (tests); data must be 8-byte aligned and writable.
  static ShmResult<WeightProducer> attach(void* data, std::size_t size, ProducerOptions opts = {}) noexcept {
    return claim(Mapping::borrow(data, size), opts);
  }

  std::uint32_t slot() const noexcept { return slot_; }
  std::uint32_t epoch() const noexcept { return lease_epoch(lease_); }
  std::uint64_t generation() const noexcept { return geo_.generation; }
  std::uint32_t capacity() const noexcept { return geo_.ring_capacity; }
  // Sequence number of the last entry pushed (0 = none); entry n is durable once durable() >= n.
  std::uint64_t last_seq() const noexcept { return head_; }
  std::uint64_t drained() const noexcept { return ctl_ ? load_acquire(&ctl_->drained) : 0; }
  std::uint64_t durable() const noexcept { return ctl_ ? load_acquire(&ctl_->durable) : 0; }

  ShmResult<std::uint64_t> push_uid(std::uint16_t uid, double weight, WeightOp op = WeightOp::set) noexcept {
    return push(KeyKind::uid, uid, nullptr, weight, op);
  }
  ShmResult<std::uint64_t> push_hotkey(const std::uint8_t* hotkey, double weight,
                                       WeightOp op = WeightOp::set) noexcept {
    if (hotkey == nullptr) return make_shm_error(Errc::invalid_argument, "null hotkey");
    return push(KeyKind::hotkey, 0, hotkey, weight, op);
  }

  // Renew the lease; call at least every lease_timeout/4 while idle (push renews it too).
  ShmStatus heartbeat() noexcept {
    if (ShmStatus s = check_live(); !s) return s;
    return renew(monotonic_ms(), /*force=*/true);
  }

  // Wait until entry seq is committed by the weights store, polling with a short backoff.
  ShmStatus wait_durable(std::uint64_t seq, std::chrono::nanoseconds timeout) noexcept {
    if (ctl_ == nullptr) return make_shm_error(Errc::invalid_argument, "producer not open");
    if (seq > head_) {
      return make_shm_error(Errc::invalid_argument, "sequence %llu was never pushed (last %llu)",
                            static_cast<unsigned long long>(seq), static_cast<unsigned long long>(head_));
    }
    const std::uint64_t deadline =
        monotonic_ns() + static_cast<std::uint64_t>(timeout.count() > 0 ? timeout.count() : 0);
    long sleep_ns = 1000;
    for (std::uint32_t spins = 0;; ++spins) {
      if (load_acquire(&ctl_->durable) >= seq) return {};
      if (ShmStatus s = check_live(); !s) return s;
      std::uint64_t now = monotonic_ns();
      if (now >= deadline) {
        return make_shm_error(Errc::timeout, "entry %llu not durable yet (durable %llu, drained %llu)",
                              static_cast<unsigned long long>(seq),
                              static_cast<unsigned long long>(load_acquire(&ctl_->durable)),
                              static_cast<unsigned long long>(load_acquire(&ctl_->drained)));
      }
      // Keep the lease fresh while waiting; losing it does not change what becomes durable.
      (void)renew((now / 1000000ULL) & kLeaseTimeMask, false);
      if (spins < 64) continue;
      timespec ts{0, sleep_ns};
      ::nanosleep(&ts, nullptr);
      if (sleep_ns < 1000000) sleep_ns *= 2;
    }
  }

  // Give the slot back (the daemon still drains what was pushed). Also done by the destructor.
  void release() noexcept {
    if (ctl_ != nullptr) {
      std::uint64_t expected = lease_;
      cas_acq_rel(&ctl_->lease, expected, lease_ & ~kLeaseHeldBit);
    }
    ctl_ = nullptr;
    map_.reset();
  }

 private:
  static ShmResult<WeightProducer> claim(Mapping m, ProducerOptions opts) noexcept {
    if (m.data() == nullptr || m.size() < sizeof(QueueSegmentHeader)) {
      return make_shm_error(Errc::truncated, "queue segment is %zu bytes, smaller than its %zu-byte header",
                            m.size(), sizeof(QueueSegmentHeader));
    }
    if (reinterpret_cast<std::uintptr_t>(m.data()) % 8 != 0) {
      return make_shm_error(Errc::invalid_argument, "segment image must be 8-byte aligned");
    }
    QueueSegmentHeader h = read_header<QueueSegmentHeader>(m.data());
    if (ShmStatus s = validate_queue_header(h, m.size()); !s) return s.error();
    WeightProducer p;
    p.geo_ = h;
    if (ShmStatus s = p.check_live_at(m.data()); !s) return s.error();
    const std::uint32_t n = h.producer_slots;
    std::uint32_t start = opts.preferred_slot >= 0 ? static_cast<std::uint32_t>(opts.preferred_slot) % n
                                                   : static_cast<std::uint32_t>(::getpid()) % n;
    bool saw_corrupt = false;
    for (std::uint32_t k = 0; k < n; ++k) {
      std::uint32_t i = (start + k) % n;
      ProducerSlotControl* c = producer_control(m.data(), h, i);
      std::uint64_t now = monotonic_ms();
      std::uint64_t w = load_acquire(&c->lease);
      if (!lease_claimable(w, now, h.lease_timeout_ms)) continue;
      std::uint64_t mine = lease_word(lease_epoch(w) + 1, now, true);
      if (!cas_acq_rel(&c->lease, w, mine)) continue;  // someone else won it
      ShmResult<SlotPositions> pos = read_positions(c, h.ring_capacity);
      if (!pos) {  // never write into a ring whose positions make no sense
        std::uint64_t expected = mine;
        cas_acq_rel(&c->lease, expected, mine & ~kLeaseHeldBit);
        saw_corrupt = true;
        continue;
      }
      store_relaxed(&c->owner_pid, static_cast<std::uint64_t>(::getpid()));
      p.map_ = std::move(m);
      p.ctl_ = c;
      p.ring_ = ring_entries(c);
      p.slot_ = i;
      p.lease_ = mine;
      p.head_ = pos->head;
      p.durable_cache_ = pos->durable;
      return p;
    }
    return make_shm_error(
        saw_corrupt ? Errc::corrupt : Errc::no_free_slot,
        saw_corrupt ? "free producer slots have corrupt positions" : "all %u producer slots hold live leases",
        n);
  }

  void take(WeightProducer& o) noexcept {
    map_ = std::move(o.map_);
    geo_ = o.geo_;
    ctl_ = o.ctl_;
    ring_ = o.ring_;
    slot_ = o.slot_;
    lease_ = o.lease_;
    head_ = o.head_;
    durable_cache_ = o.durable_cache_;
    o.ctl_ = nullptr;
  }

  ShmStatus check_live_at(const unsigned char* base) const noexcept {
    std::uint32_t st = load_acquire(&reinterpret_cast<const QueueSegmentHeader*>(base)->state);
    if (st == static_cast<std::uint32_t>(SegmentState::retired)) {
      return make_shm_error(Errc::retired, "the daemon retired this queue segment; reopen it by name");
    }
    if (st != static_cast<std::uint32_t>(SegmentState::live)) {
      return make_shm_error(Errc::not_live, "queue segment not live (state %u)", st);
    }
    return {};
  }
  ShmStatus check_live() const noexcept {
    if (ctl_ == nullptr) return make_shm_error(Errc::invalid_argument, "producer not open");
    return check_live_at(map_.data());
  }

  // Verify we still hold the lease and refresh its time when a quarter of the timeout has passed.
  ShmStatus renew(std::uint64_t now_ms, bool force) noexcept {
    std::uint64_t w = load_acquire(&ctl_->lease);
    if (w != lease_) {
      return make_shm_error(Errc::lease_lost, "producer slot %u was taken over (our lease expired)", slot_);
    }
    if (!force && lease_age_ms(lease_, now_ms) < geo_.lease_timeout_ms / 4) return {};
    std::uint64_t renewed = lease_word(lease_epoch(lease_), now_ms, true);
    std::uint64_t expected = lease_;
    if (!cas_acq_rel(&ctl_->lease, expected, renewed)) {
      return make_shm_error(Errc::lease_lost, "producer slot %u was taken over (our lease expired)", slot_);
    }
    lease_ = renewed;
    return {};
  }

  ShmResult<std::uint64_t> push(KeyKind kind, std::uint16_t uid, const std::uint8_t* hotkey, double weight,
                                WeightOp op) noexcept {
    if (ctl_ == nullptr) return make_shm_error(Errc::invalid_argument, "producer not open");
    if (!std::isfinite(weight)) return make_shm_error(Errc::invalid_argument, "weight must be finite");
    if (op != WeightOp::set && op != WeightOp::add)
      return make_shm_error(Errc::invalid_argument, "unknown op");
    if (ShmStatus s = check_live(); !s) return s.error();
    if (ShmStatus s = renew(monotonic_ms(), false); !s) return s.error();
    const std::uint64_t pos = head_;
    // The daemon's durable line is only re-read when the cached value says full: fewer coherence
    // misses per push. The cached value came from an acquire load, so the cells it frees are safe.
    if (pos - durable_cache_ >= geo_.ring_capacity) {
      durable_cache_ = load_acquire(&ctl_->durable);
      if (durable_cache_ > pos) return make_shm_error(Errc::corrupt, "durable position beyond head");
      if (pos - durable_cache_ >= geo_.ring_capacity) {
        return make_shm_error(Errc::full, "queue full: %u entries not yet durable", geo_.ring_capacity);
      }
    }
    WeightEntry& e = ring_[pos & (geo_.ring_capacity - 1)];
    e.weight = weight;
    if (kind == KeyKind::hotkey) {
      std::memcpy(e.hotkey, hotkey, 32);
    } else {
      std::memset(e.hotkey, 0, 32);
    }
    e.uid = uid;
    e.key_kind = static_cast<std::uint8_t>(kind);
    e.op = static_cast<std::uint8_t>(op);
    e.lease_epoch = lease_epoch(lease_);
    e.reserved = 0;
    e.stamp = pos + 1;
    std::uint64_t expected = pos;
    // Publish: the release CAS orders the entry before the new head; failing means another
    // process advanced our ring, i.e. it took the slot over.
    if (!cas_acq_rel(&ctl_->head, expected, pos + 1)) {
      return make_shm_error(Errc::lease_lost, "producer slot %u was taken over (head moved)", slot_);
    }
    head_ = pos + 1;
    return head_;
  }

  Mapping map_;
  QueueSegmentHeader geo_{};
  ProducerSlotControl* ctl_ = nullptr;
  WeightEntry* ring_ = nullptr;
  std::uint32_t slot_ = 0;
  std::uint64_t lease_ = 0;
  std::uint64_t head_ = 0;
  std::uint64_t durable_cache_ = 0;
};

}  // namespace pylon::shm

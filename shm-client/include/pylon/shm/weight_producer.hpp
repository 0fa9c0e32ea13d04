// Pushing weights to the daemon through the queue segment. A WeightProducer claims one producer
// slot (a lease, see queue_protocol.hpp) for its lifetime; push never blocks (a full ring is the
// Errc::full result) and returns the entry's sequence number, which wait_durable() waits on. It
// maps the queue segment read-write and its ack segment (the daemon's words) read-only.
//
// Thread contract: one WeightProducer per thread at a time (it is a single producer); separate
// WeightProducers, in one process or many, are independent.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/futex.hpp"
#include "pylon/shm/detail/queue_protocol.hpp"
#include "pylon/shm/detail/segment.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

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

  // Map the named queue segment read-write, its ack segment ("<name>-ack") read-only, and claim
  // a producer slot.
  static ShmResult<WeightProducer> open(const char* name, ProducerOptions opts = {}) noexcept {
    char ack_name[kMaxNameLength + 2];
    if (!ack_segment_name(name, ack_name)) {
      return make_shm_error(Errc::invalid_argument, "queue segment name must be 1..%zu characters",
                            kMaxNameLength - (sizeof(kAckSuffix) - 1));
    }
    ShmResult<Mapping> m = Mapping::open(name, /*writable=*/true);
    if (!m) return m.error();
    // The queue's own header first, so that a wrong segment (or an old daemon's) is named as such.
    if (m->size() >= sizeof(QueueSegmentHeader)) {
      QueueSegmentHeader h = read_header<QueueSegmentHeader>(m->data());
      if (ShmStatus s = validate_queue_header(h, m->size()); !s) return s.error();
    }
    ShmResult<Mapping> a = Mapping::open(ack_name, /*writable=*/false);
    if (!a) return a.error();
    return claim(std::move(m).value(), std::move(a).value(), opts);
  }
  // Use segment images in caller memory (tests, fuzzing): both 8-byte aligned, the queue writable.
  static ShmResult<WeightProducer> attach(void* queue, std::size_t queue_size, const void* ack,
                                          std::size_t ack_size, ProducerOptions opts = {}) noexcept {
    return claim(Mapping::borrow(queue, queue_size), Mapping::borrow(ack, ack_size), opts);
  }

  std::uint32_t slot() const noexcept { return slot_; }
  std::uint32_t epoch() const noexcept { return lease_epoch(lease_); }
  std::uint64_t generation() const noexcept { return geo_.generation; }
  std::uint32_t capacity() const noexcept { return geo_.ring_capacity; }
  // Sequence number of the last entry pushed (0 = none); entry n is durable once durable() >= n.
  std::uint64_t last_seq() const noexcept { return head_; }
  std::uint64_t drained() const noexcept { return ctl_ ? load_acquire(&ack_->drained) : 0; }
  std::uint64_t durable() const noexcept { return ctl_ ? load_acquire(&ack_->durable) : 0; }

  // `mechanism` is the subnet's mechanism (sub-subnet) the weight is for; 0, the default, is the
  // one every subnet has. The daemon checks it against the subnet's mechanism count when it drains
  // the entry (the client cannot know it) and refuses the entry, counted, when the subnet lacks it.
  ShmResult<std::uint64_t> push_uid(std::uint16_t uid, double weight, WeightOp op = WeightOp::set,
                                    std::uint8_t mechanism = 0) noexcept {
    return push(KeyKind::uid, uid, nullptr, weight, op, mechanism);
  }
  ShmResult<std::uint64_t> push_hotkey(const std::uint8_t* hotkey, double weight, WeightOp op = WeightOp::set,
                                       std::uint8_t mechanism = 0) noexcept {
    if (hotkey == nullptr) return make_shm_error(Errc::invalid_argument, "null hotkey");
    return push(KeyKind::hotkey, 0, hotkey, weight, op, mechanism);
  }

  // Renew the lease; call at least every lease_timeout/4 while idle (push renews it too).
  ShmStatus heartbeat() noexcept {
    if (ShmStatus s = check_live(); !s) return s;
    return renew(monotonic_ms(), /*force=*/true);
  }

  // Wait until entry seq is committed by the weights store. After a short spin it sleeps on the
  // low half of the ack slot's `durable` word, which the daemon wakes after every store to it
  // (LAYOUT.md, "Drain"); each sleep is capped at a quarter of the lease timeout so the lease stays
  // fresh and a daemon that never wakes (one that died; an older one) is still noticed.
  ShmStatus wait_durable(std::uint64_t seq, std::chrono::nanoseconds timeout) noexcept {
    if (ctl_ == nullptr) return make_shm_error(Errc::invalid_argument, "producer not open");
    if (seq > head_) {
      return make_shm_error(Errc::invalid_argument, "sequence %llu was never pushed (last %llu)",
                            static_cast<unsigned long long>(seq), static_cast<unsigned long long>(head_));
    }
    const std::uint64_t deadline =
        monotonic_ns() + static_cast<std::uint64_t>(timeout.count() > 0 ? timeout.count() : 0);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the futex word is the low half of durable");
    const auto* word = reinterpret_cast<const std::uint32_t*>(&ack_->durable);
    const std::uint64_t max_sleep_ns =
        (geo_.lease_timeout_ms > 4 ? geo_.lease_timeout_ms / 4 : 1) * 1000000ULL;
    for (std::uint32_t spins = 0;; ++spins) {
      // The futex word is read before the condition: a store in between changes it, and the
      // wait below then returns at once instead of missing the wake-up.
      const std::uint32_t seen = load_acquire(word);
      if (load_acquire(&ack_->durable) >= seq) return {};
      if (ShmStatus s = check_live(); !s) return s;
      std::uint64_t now = monotonic_ns();
      if (now >= deadline) {
        return make_shm_error(Errc::timeout, "entry %llu not durable yet (durable %llu, drained %llu)",
                              static_cast<unsigned long long>(seq),
                              static_cast<unsigned long long>(load_acquire(&ack_->durable)),
                              static_cast<unsigned long long>(load_acquire(&ack_->drained)));
      }
      // Keep the lease fresh while waiting; losing it does not change what becomes durable.
      (void)renew((now / 1000000ULL) & kLeaseTimeMask, false);
      if (spins < 64) continue;
      const std::uint64_t left = deadline - now;
      futex_wait_shared(word, seen, left < max_sleep_ns ? left : max_sleep_ns);
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
    ack_map_.reset();
  }

 private:
  static ShmResult<WeightProducer> claim(Mapping m, Mapping ack, ProducerOptions opts) noexcept {
    if (m.data() == nullptr || m.size() < sizeof(QueueSegmentHeader)) {
      return make_shm_error(Errc::truncated, "queue segment is %zu bytes, smaller than its %zu-byte header",
                            m.size(), sizeof(QueueSegmentHeader));
    }
    if (ack.data() == nullptr || ack.size() < sizeof(AckSegmentHeader)) {
      return make_shm_error(Errc::truncated, "ack segment is %zu bytes, smaller than its %zu-byte header",
                            ack.size(), sizeof(AckSegmentHeader));
    }
    if (reinterpret_cast<std::uintptr_t>(m.data()) % 8 != 0 ||
        reinterpret_cast<std::uintptr_t>(ack.data()) % 8 != 0) {
      return make_shm_error(Errc::invalid_argument, "segment image must be 8-byte aligned");
    }
    QueueSegmentHeader h = read_header<QueueSegmentHeader>(m.data());
    if (ShmStatus s = validate_queue_header(h, m.size()); !s) return s.error();
    AckSegmentHeader a = read_header<AckSegmentHeader>(ack.data());
    if (ShmStatus s = validate_ack_header(a, ack.size(), h); !s) return s.error();
    WeightProducer p;
    p.geo_ = h;
    p.ackh_ = reinterpret_cast<const AckSegmentHeader*>(ack.data());
    if (ShmStatus s = p.check_live(); !s) return s.error();
    const std::uint32_t n = h.producer_slots;
    std::uint32_t start = opts.preferred_slot >= 0 ? static_cast<std::uint32_t>(opts.preferred_slot) % n
                                                   : static_cast<std::uint32_t>(::getpid()) % n;
    bool saw_corrupt = false;
    for (std::uint32_t k = 0; k < n; ++k) {
      std::uint32_t i = (start + k) % n;
      ProducerSlotControl* c = producer_control(m.data(), h, i);
      const AckSlot* acks = ack_slot(ack.data(), a, i);
      std::uint64_t now = monotonic_ms();
      std::uint64_t w = load_acquire(&c->lease);
      if (!lease_claimable(w, now, h.lease_timeout_ms)) continue;
      std::uint64_t mine = lease_word(lease_epoch(w) + 1, now, true);
      if (!cas_acq_rel(&c->lease, w, mine)) continue;  // someone else won it
      ShmResult<SlotPositions> pos = read_positions(c, acks, h.ring_capacity);
      if (!pos) {  // never write into a ring whose positions make no sense
        std::uint64_t expected = mine;
        cas_acq_rel(&c->lease, expected, mine & ~kLeaseHeldBit);
        saw_corrupt = true;
        continue;
      }
      store_relaxed(&c->owner_pid, static_cast<std::uint64_t>(::getpid()));
      p.map_ = std::move(m);
      p.ack_map_ = std::move(ack);
      p.ctl_ = c;
      p.ack_ = acks;
      p.doorbell_ = &reinterpret_cast<QueueSegmentHeader*>(p.map_.data())->doorbell;
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
    ack_map_ = std::move(o.ack_map_);
    geo_ = o.geo_;
    ackh_ = o.ackh_;
    ack_ = o.ack_;
    doorbell_ = o.doorbell_;
    ctl_ = o.ctl_;
    ring_ = o.ring_;
    slot_ = o.slot_;
    lease_ = o.lease_;
    head_ = o.head_;
    durable_cache_ = o.durable_cache_;
    o.ctl_ = nullptr;
  }

  // The state word is in the ack segment: only the daemon can retire the queue.
  ShmStatus check_live() const noexcept {
    if (ackh_ == nullptr) return make_shm_error(Errc::invalid_argument, "producer not open");
    std::uint32_t st = load_acquire(&ackh_->state);
    if (st == static_cast<std::uint32_t>(SegmentState::retired)) {
      return make_shm_error(Errc::retired, "the daemon retired this queue segment; reopen it by name");
    }
    if (st != static_cast<std::uint32_t>(SegmentState::live)) {
      return make_shm_error(Errc::not_live, "queue segment not live (state %u)", st);
    }
    return {};
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
                                WeightOp op, std::uint8_t mechanism) noexcept {
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
      durable_cache_ = load_acquire(&ack_->durable);
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
    e.mechanism = mechanism;
    std::memset(e.reserved, 0, sizeof e.reserved);
    e.stamp = pos + 1;
    std::uint64_t expected = pos;
    // Publish: the CAS (release, and seq_cst for the doorbell) orders the entry before the new
    // head; failing means another process advanced our ring, i.e. it took the slot over.
    if (!cas_seq_cst(&ctl_->head, expected, pos + 1)) {
      return make_shm_error(Errc::lease_lost, "producer slot %u was taken over (head moved)", slot_);
    }
    head_ = pos + 1;
    // Wake the daemon only if it sleeps (queue_protocol.hpp): a busy daemon costs one load here.
    if (load_seq_cst(&ackh_->writer_sleeping) != 0) ring_doorbell();
    return head_;
  }

  void ring_doorbell() noexcept {
    __atomic_fetch_add(doorbell_, 1u, __ATOMIC_SEQ_CST);
    ::syscall(SYS_futex, doorbell_, FUTEX_WAKE, 1, nullptr, nullptr, 0);
  }

  Mapping map_;      // the queue segment, read-write
  Mapping ack_map_;  // the ack segment, read-only
  QueueSegmentHeader geo_{};
  const AckSegmentHeader* ackh_ = nullptr;
  const AckSlot* ack_ = nullptr;
  std::uint32_t* doorbell_ = nullptr;
  ProducerSlotControl* ctl_ = nullptr;
  WeightEntry* ring_ = nullptr;
  std::uint32_t slot_ = 0;
  std::uint64_t lease_ = 0;
  std::uint64_t head_ = 0;
  std::uint64_t durable_cache_ = 0;
};

}  // namespace pylon::shm

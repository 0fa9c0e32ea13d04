#include "shm/weight_queue.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/futex.hpp"
#include "pylon/shm/detail/segment.hpp"
#include "pylon/shm/writer/queue_segments.hpp"
#include "shm/fault_guard.hpp"

namespace pylon::shm {

namespace {

Error damaged(const std::string& why) {
  return make_error(QueueErrc::damaged, "shm: weight queue segment damaged: " + why);
}

// The header fields the daemon wrote and nobody may change while it runs.
bool same_geometry(const QueueSegmentHeader& a, const QueueSegmentHeader& b) {
  return a.magic == b.magic && a.abi_version == b.abi_version && a.header_size == b.header_size &&
         a.segment_size == b.segment_size && a.generation == b.generation &&
         a.producer_slots == b.producer_slots && a.ring_capacity == b.ring_capacity &&
         a.entry_size == b.entry_size && a.slot_stride == b.slot_stride && a.slots_offset == b.slots_offset &&
         a.lease_timeout_ms == b.lease_timeout_ms && a.netuid == b.netuid;
}

}  // namespace

template <class F>
bool WeightQueue::guarded(F&& f) const {
  return fault_guarded(segment_.data(), segment_.size(), std::forward<F>(f));
}

WeightQueue::~WeightQueue() {
  close();
}

Result<std::unique_ptr<WeightQueue>> WeightQueue::open(WeightQueueConfig config) {
  if (config.name.empty()) return make_error(QueueErrc::config, "shm: weight queue needs a segment name");
  if (config.producer_slots < 1 || config.producer_slots > kMaxProducerSlots) {
    return make_error(QueueErrc::config,
                      "shm: producer_slots must be 1.." + std::to_string(kMaxProducerSlots));
  }
  if (config.ring_capacity < 2 || config.ring_capacity > kMaxRingCapacity ||
      !std::has_single_bit(config.ring_capacity)) {
    return make_error(QueueErrc::config,
                      "shm: ring_capacity must be a power of two in 2.." + std::to_string(kMaxRingCapacity));
  }
  if (config.lease_timeout_ms == 0 || config.lease_timeout_ms > 86400000ULL) {
    return make_error(QueueErrc::config, "shm: lease_timeout_ms must be 1..86400000");
  }
  if (config.name.size() + sizeof(kAckSuffix) - 1 > kMaxNameLength) {
    return make_error(QueueErrc::config, "shm: weight queue name '" + config.name + "' is longer than " +
                                             std::to_string(kMaxNameLength - (sizeof(kAckSuffix) - 1)) +
                                             " characters");
  }
  std::unique_ptr<WeightQueue> q(new WeightQueue(std::move(config)));
  q->ack_name_ = ack_segment_name(q->config_.name);
  Status adopted = q->try_adopt();
  if (!adopted) {
    std::string why = adopted.error().message;
    // Producers still mapping the old pair must learn it is gone: retire its ack segment (ours
    // alone to write) before the name moves on.
    if (Result<SharedSegment> old = SharedSegment::open_existing(q->ack_name_);
        old && old->size() >= sizeof(AckSegmentHeader) &&
        read_header<AckSegmentHeader>(old->data()).magic == kAckMagic) {
      store_release(&reinterpret_cast<AckSegmentHeader*>(old->data())->state,
                    static_cast<std::uint32_t>(SegmentState::retired));
    }
    PYLON_TRY(q->create_fresh());
    Lock lock(q->swap_mu_);  // not shared yet: for the analysis
    q->origin_ = why.empty() ? QueueOrigin::created : QueueOrigin::replaced;
    q->note_ = why.empty() ? "created a new queue segment" : "created a new queue segment (" + why + ")";
  }
  return q;
}

// Adopt the previous daemon's segments if they are ours and match: producers keep their mappings
// and nothing pushed is lost. Any doubt (corrupt, other ABI, other geometry, shrunk, an ack
// segment others may write) means fresh segments. Every access to the queue segment is guarded: a
// producer may be truncating it right now.
Status WeightQueue::try_adopt() {
  Result<SharedSegment> seg = SharedSegment::open_existing(config_.name);
  if (!seg) return make_error("");  // nothing there: the normal first start
  unsigned char* base = seg->data();
  const std::size_t size = seg->size();
  auto guard = [&](auto&& f) { return fault_guarded(base, size, f); };
  if (size < sizeof(QueueSegmentHeader)) return make_error("existing segment truncated; replaced it");
  QueueSegmentHeader h{};
  if (!guard([&] { h = read_header<QueueSegmentHeader>(base); })) {
    return make_error("existing segment shrank while being read; replaced it");
  }
  if (ShmStatus s = validate_queue_header(h, size); !s) {
    return make_error(std::string("existing segment unusable: ") + s.message() + "; replaced it");
  }
  Result<SharedSegment> ack = SharedSegment::open_existing(ack_name_);
  if (!ack) return make_error("no usable ack segment beside it (" + ack.error().message + "); replaced it");
  auto* ah = reinterpret_cast<AckSegmentHeader*>(ack->data());
  if ((ack->mode() & 0022) != 0) {
    return make_error("its ack segment is writable by others (mode " + std::to_string(ack->mode()) +
                      "); replaced it");
  }
  if (ack->size() < sizeof(AckSegmentHeader))
    return make_error("existing ack segment truncated; replaced it");
  AckSegmentHeader a = read_header<AckSegmentHeader>(ack->data());
  // Not adopted: open() retires the old pair.
  auto retire = [&](std::string why) { return make_error(std::move(why) + "; replaced it"); };
  if (ShmStatus s = validate_ack_header(a, ack->size(), h); !s) {
    return retire(std::string("existing ack segment unusable: ") + s.message());
  }
  if (h.producer_slots != config_.producer_slots || h.ring_capacity != config_.ring_capacity ||
      h.lease_timeout_ms != config_.lease_timeout_ms || h.netuid != config_.netuid) {
    return retire("existing segment has another geometry");
  }
  if (a.state != static_cast<std::uint32_t>(SegmentState::live)) {
    return retire("existing segment is not live (state " + std::to_string(a.state) + ")");
  }
  std::vector<SlotPositions> pos(h.producer_slots);
  for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
    const AckSlot* as = ack_slot(ack->data(), a, i);
    pos[i].durable = load_acquire(&as->durable);
    pos[i].drained = load_acquire(&as->drained);
  }
  if (!guard([&] {
        for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
          pos[i].head = load_acquire(&producer_control(base, h, i)->head);
        }
      })) {
    return retire("existing segment shrank while being read");
  }
  std::size_t pending = 0;
  for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
    if (!positions_in_order(pos[i], h.ring_capacity)) {
      return retire("existing segment slot " + std::to_string(i) + ": positions out of order");
    }
    pending += pos[i].head - pos[i].durable;
  }
  // Redeliver what was drained but never committed. The generation stays: the pair is the same.
  for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
    store_release(&ack_slot(ack->data(), a, i)->drained, pos[i].durable);
  }
  store_release(&ah->daemon_pid, static_cast<std::uint64_t>(::getpid()));
  store_release(&ah->heartbeat_ns, monotonic_ns());
  segment_ = std::move(seg).value();
  ack_ = std::move(ack).value();
  geo_ = h;
  ack_geo_ = a;
  Lock lock(swap_mu_);  // not shared yet: for the analysis
  origin_ = QueueOrigin::adopted;
  note_ = "adopted the existing queue segment with " + std::to_string(pending) + " entries not yet durable";
  return {};
}

Status WeightQueue::create_fresh() {
  std::uint64_t gen = std::max<std::uint64_t>(realtime_ns(), geo_.generation + 1);
  QueueSegmentHeader h = queue_geometry(config_.producer_slots, config_.ring_capacity,
                                        config_.lease_timeout_ms, config_.netuid, gen);
  AckSegmentHeader a = ack_geometry(h);
  // The ack segment first: a producer that finds the new queue segment also finds its acks (or
  // the old pair's generation, which it refuses as retired and reopens).
  Result<SharedSegment> ack = SharedSegment::create(
      ack_name_, a.segment_size, SegmentAccess{config_.group, false},
      [&](unsigned char* base) { format_ack_segment(base, a, static_cast<std::uint64_t>(::getpid())); });
  if (!ack) return make_error(QueueErrc::create_failed, ack.error().message);
  Result<SharedSegment> seg =
      SharedSegment::create(config_.name, h.segment_size, SegmentAccess{config_.group, true},
                            [&](unsigned char* base) { format_queue_segment(base, h); });
  if (!seg) {
    ack->unlink();
    return make_error(QueueErrc::create_failed, seg.error().message);
  }
  segment_ = std::move(seg).value();
  ack_ = std::move(ack).value();
  geo_ = h;
  ack_geo_ = a;
  return {};
}

Status WeightQueue::check_intact() {
  if (closed_) return make_error(QueueErrc::closed, "shm: weight queue is closed");
  if (segment_.data() == nullptr) return damaged("no segment: recreating it failed");
  if (Status s = segment_.check_intact(geo_.segment_size); !s) return damaged(s.error().message);
  if (Status s = ack_.check_intact(ack_geo_.segment_size); !s) return damaged(s.error().message);
  QueueSegmentHeader h{};
  if (!guarded([&] { h = read_header<QueueSegmentHeader>(segment_.data()); })) {
    return damaged("it shrank while its header was read");
  }
  // New producers validate this header: one a producer overwrote would refuse them all.
  if (!same_geometry(h, geo_)) return damaged("its header was overwritten");
  // Only this daemon's user can write the ack segment; still, a retired mark it did not write
  // (another daemon on the same name, an operator) would refuse every producer.
  if (std::uint32_t st = load_acquire(&ack_header()->state);
      st != static_cast<std::uint32_t>(SegmentState::live)) {
    return damaged("its ack segment's state was set to " + std::to_string(st) + " (not by this daemon)");
  }
  return {};
}

Result<DrainReport> WeightQueue::drain(const BatchFn& fn, std::size_t max_entries) {
  PYLON_TRY(check_intact());
  const std::uint32_t slots = geo_.producer_slots;
  const std::uint32_t cap = geo_.ring_capacity;
  unsigned char* base = segment_.data();
  DrainReport report;
  batch_.clear();

  // 1. Every slot's positions, copied out under the guard and checked privately.
  positions_.resize(slots);
  for (std::uint32_t i = 0; i < slots; ++i) {
    const AckSlot* a = ack_slot_of(i);
    positions_[i].durable = load_relaxed(&a->durable);  // only this thread writes them
    positions_[i].drained = load_relaxed(&a->drained);
  }
  if (!guarded([&] {
        for (std::uint32_t i = 0; i < slots; ++i)
          positions_[i].head = load_acquire(&producer_control(base, geo_, i)->head);
      })) {
    return damaged("it shrank during the drain");
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> upto;
  std::size_t total = 0;
  for (std::uint32_t i = 0; i < slots && total < max_entries; ++i) {
    const SlotPositions& p = positions_[i];
    if (!positions_in_order(p, cap)) {
      // Skip the slot: draining garbage positions could read any cell.
      report.problems.push_back("producer slot " + std::to_string(i) + ": positions out of order (durable " +
                                std::to_string(p.durable) + ", drained " + std::to_string(p.drained) +
                                ", head " + std::to_string(p.head) + ")");
      continue;
    }
    if (p.head == p.drained) continue;
    std::uint64_t end = std::min<std::uint64_t>(p.head, p.drained + (max_entries - total));
    upto.emplace_back(i, end);
    total += static_cast<std::size_t>(end - p.drained);
  }

  // 2. The ring cells, copied out under the guard (no allocation inside it).
  raw_.resize(total);
  if (total > 0 && !guarded([&] {
        std::size_t k = 0;
        for (auto [slot, end] : upto) {
          ProducerSlotControl* c = producer_control(base, geo_, slot);
          const WeightEntry* ring = ring_entries(c);
          for (std::uint64_t p = positions_[slot].drained; p < end; ++p) {
            atomic_copy_out(&raw_[k++], &ring[p & (cap - 1)], sizeof(WeightEntry));
          }
        }
      })) {
    return damaged("it shrank during the drain");
  }

  // 3. Checked on the private copies.
  std::size_t k = 0;
  for (auto [slot, end] : upto) {
    for (std::uint64_t p = positions_[slot].drained; p < end; ++p) {
      const WeightEntry& e = raw_[k++];
      bool stamp_ok = e.stamp == p + 1;
      bool op_ok = e.op == static_cast<std::uint8_t>(WeightOp::set) ||
                   e.op == static_cast<std::uint8_t>(WeightOp::add);
      bool key_ok = e.key_kind == static_cast<std::uint8_t>(KeyKind::uid) ||
                    e.key_kind == static_cast<std::uint8_t>(KeyKind::hotkey);
      if (!stamp_ok || !op_ok || !key_ok || !std::isfinite(e.weight)) {
        ++report.rejected;
        if (report.problems.size() < 32) {
          report.problems.push_back("producer slot " + std::to_string(slot) + " entry " +
                                    std::to_string(p + 1) + " rejected (" +
                                    (stamp_ok ? "bad fields" : "bad stamp") + ")");
        }
        continue;
      }
      DrainedEntry d;
      d.producer = slot;
      d.seq = p + 1;
      d.lease_epoch = e.lease_epoch;
      d.op = static_cast<WeightOp>(e.op);
      d.key_kind = static_cast<KeyKind>(e.key_kind);
      d.uid = e.uid;
      std::memcpy(d.hotkey.data(), e.hotkey, 32);
      d.weight = e.weight;
      d.mechanism = e.mechanism;
      batch_.push_back(d);
    }
  }
  if (!batch_.empty()) PYLON_TRY(fn(std::span<const DrainedEntry>(batch_)));
  for (auto [slot, pos] : upto) store_release(&ack_slot_of(slot)->drained, pos);
  report.entries = batch_.size();
  report.drained_to = std::move(upto);
  return report;
}

Status WeightQueue::mark_durable(std::uint32_t producer, std::uint64_t seq) {
  if (segment_.data() == nullptr) return make_error(QueueErrc::closed, "shm: weight queue is closed");
  if (producer >= geo_.producer_slots) {
    return make_error(QueueErrc::no_such_slot, "shm: no producer slot " + std::to_string(producer));
  }
  AckSlot* a = ack_slot_of(producer);
  std::uint64_t durable = load_relaxed(&a->durable);
  std::uint64_t drained = load_relaxed(&a->drained);
  if (seq > drained) {
    // A store that remembers more than this daemon drained (restart): skip ahead, but never past
    // what was published.
    std::uint64_t head = 0;
    if (!guarded([&] { head = load_acquire(&producer_control(segment_.data(), geo_, producer)->head); })) {
      return damaged("it shrank while positions were read");
    }
    if (seq > head) {
      return make_error(QueueErrc::beyond_head, "shm: producer " + std::to_string(producer) + " seq " +
                                                    std::to_string(seq) + " beyond its head " +
                                                    std::to_string(head));
    }
    store_release(&a->drained, seq);
  }
  if (seq > durable) {
    store_release(&a->durable, seq);
    // Producers waiting in wait_durable() sleep on the low half of this word (LAYOUT.md, "Drain").
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the futex word is the low half of durable");
    futex_wake_shared(reinterpret_cast<const std::uint32_t*>(&a->durable));
  }
  return {};
}

Status WeightQueue::mark_durable(const DrainReport& report) {
  for (auto [slot, pos] : report.drained_to) PYLON_TRY(mark_durable(slot, pos));
  return {};
}

Result<SlotPositions> WeightQueue::positions(std::uint32_t producer) const {
  if (segment_.data() == nullptr) return make_error(QueueErrc::closed, "shm: weight queue is closed");
  if (producer >= geo_.producer_slots) {
    return make_error(QueueErrc::no_such_slot, "shm: no producer slot " + std::to_string(producer));
  }
  SlotPositions p;
  const AckSlot* a = ack_slot_of(producer);
  p.durable = load_relaxed(&a->durable);
  p.drained = load_relaxed(&a->drained);
  if (!guarded([&] { p.head = load_acquire(&producer_control(segment_.data(), geo_, producer)->head); })) {
    return damaged("it shrank while positions were read");
  }
  return p;
}

bool WeightQueue::wait_for_entries(std::chrono::milliseconds timeout,
                                   const std::function<bool()>& other_work) {
  if (segment_.data() == nullptr) return false;
  unsigned char* base = segment_.data();
  std::uint32_t* bell = &reinterpret_cast<QueueSegmentHeader*>(base)->doorbell;
  std::uint32_t rung = 0;
  if (!guarded([&] { rung = load_acquire(bell); })) return false;
  AckSegmentHeader* ah = ack_header();
  store_seq_cst(&ah->writer_sleeping, 1u);
  // After announcing the sleep: a push that this check misses sees writer_sleeping = 1 and rings.
  bool work = other_work && other_work();
  if (!work) {
    bool read = guarded([&] {
      for (std::uint32_t i = 0; i < geo_.producer_slots && !work; ++i) {
        SlotPositions p;
        p.head = load_seq_cst(&producer_control(base, geo_, i)->head);
        p.drained = load_relaxed(&ack_slot_of(i)->drained);
        p.durable = load_relaxed(&ack_slot_of(i)->durable);
        // A slot whose positions make no sense is not drained, so it is no reason to stay awake
        // (a producer writing a garbage head must not make the daemon spin).
        work = p.head != p.drained && positions_in_order(p, geo_.ring_capacity);
      }
    });
    if (!read) {
      // The segment faulted: the next drain reports it damaged. Not "work": if recreating it
      // keeps failing, the caller's timed wait keeps this from spinning.
      store_seq_cst(&ah->writer_sleeping, 0u);
      return false;
    }
  }
  if (!work) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>(timeout.count() % 1000) * 1000000L;
    // Returns at once (EAGAIN) if the doorbell rang since `rung` was read; EFAULT if the page is
    // gone (a truncation: the next drain reports it); EINTR on a signal. All mean: look again.
    ::syscall(SYS_futex, bell, FUTEX_WAIT, rung, &ts, nullptr, 0);
  }
  store_seq_cst(&ah->writer_sleeping, 0u);
  return true;
}

void WeightQueue::wake() {
  Lock lock(swap_mu_);
  if (segment_.data() == nullptr || ack_.data() == nullptr) return;
  if (load_seq_cst(&ack_header()->writer_sleeping) == 0) return;
  std::uint32_t* bell = &reinterpret_cast<QueueSegmentHeader*>(segment_.data())->doorbell;
  (void)guarded([&] { __atomic_fetch_add(bell, 1u, __ATOMIC_SEQ_CST); });
  ::syscall(SYS_futex, bell, FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

void WeightQueue::heartbeat() {
  Lock lock(swap_mu_);
  if (ack_.data() == nullptr) return;
  store_relaxed(&ack_header()->heartbeat_ns, monotonic_ns());
}

void WeightQueue::retire_current() {
  if (ack_.data() != nullptr) {
    store_release(&ack_header()->state, static_cast<std::uint32_t>(SegmentState::retired));
    ack_.unlink();
    ack_.unmap();
  }
  segment_.unlink();
  segment_.unmap();
}

Status WeightQueue::recreate(const std::string& why) {
  Lock lock(swap_mu_);
  retire_current();
  PYLON_TRY(create_fresh());
  origin_ = QueueOrigin::replaced;
  note_ = "created a new queue segment (" + why + ")";
  return {};
}

void WeightQueue::close() {
  Lock lock(swap_mu_);
  closed_ = true;
  if (segment_.data() != nullptr) retire_current();  // not after detach(): the next daemon adopts it
}

void WeightQueue::detach() {
  Lock lock(swap_mu_);
  closed_ = true;
  segment_.unmap();
  ack_.unmap();
}

}  // namespace pylon::shm

#include "shm/weight_queue.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "pylon/shm/atomic_words.hpp"
#include "pylon/shm/segment.hpp"
#include "shm/fault_guard.hpp"

namespace pylon::shm {

namespace {

Error damaged(const std::string& why) {
  return make_error(QueueErrc::damaged, "shm: weight queue segment damaged: " + why);
}

// The header fields the daemon wrote and nobody may change while it runs.
bool same_geometry(const QueueSegmentHeader& a, const QueueSegmentHeader& b) {
  return a.magic == b.magic && a.abi_version == b.abi_version && a.header_size == b.header_size &&
         a.segment_size == b.segment_size && a.generation == b.generation && a.producer_slots == b.producer_slots &&
         a.ring_capacity == b.ring_capacity && a.entry_size == b.entry_size && a.slot_stride == b.slot_stride &&
         a.slots_offset == b.slots_offset && a.lease_timeout_ms == b.lease_timeout_ms && a.netuid == b.netuid;
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
    return make_error(QueueErrc::config, "shm: producer_slots must be 1.." + std::to_string(kMaxProducerSlots));
  }
  if (config.ring_capacity < 2 || config.ring_capacity > kMaxRingCapacity ||
      !std::has_single_bit(config.ring_capacity)) {
    return make_error(QueueErrc::config,
                      "shm: ring_capacity must be a power of two in 2.." + std::to_string(kMaxRingCapacity));
  }
  if (config.lease_timeout_ms == 0 || config.lease_timeout_ms > 86400000ULL) {
    return make_error(QueueErrc::config, "shm: lease_timeout_ms must be 1..86400000");
  }
  std::unique_ptr<WeightQueue> q(new WeightQueue(std::move(config)));
  Status adopted = q->try_adopt();
  if (!adopted) {
    std::string why = adopted.error().message;
    PYLON_TRY(q->create_fresh());
    q->origin_ = why.empty() ? QueueOrigin::created : QueueOrigin::replaced;
    q->note_ = why.empty() ? "created a new queue segment" : "created a new queue segment (" + why + ")";
  }
  return q;
}

// Adopt the previous daemon's segment if it is ours and matches: producers keep their mapping and
// nothing pushed is lost. Any doubt (corrupt, other ABI, other geometry, shrunk) means a fresh
// segment. Every access is guarded: a producer may be truncating it right now.
Status WeightQueue::try_adopt() {
  Result<SharedSegment> seg = SharedSegment::open_existing(config_.name);
  if (!seg) return make_error("");  // nothing there: the normal first start
  unsigned char* base = seg->data();
  const std::size_t size = seg->size();
  auto guard = [&](auto&& f) { return fault_guarded(base, size, f); };
  auto retire = [&] {
    (void)guard([&] {
      store_release(&reinterpret_cast<QueueSegmentHeader*>(base)->state,
                    static_cast<std::uint32_t>(SegmentState::retired));
    });
  };
  if (size < sizeof(QueueSegmentHeader)) return make_error("existing segment truncated; replaced it");
  QueueSegmentHeader h{};
  if (!guard([&] { h = read_header<QueueSegmentHeader>(base); })) {
    return make_error("existing segment shrank while being read; replaced it");
  }
  if (ShmStatus s = validate_queue_header(h, size); !s) {
    // Tell producers still mapping it to reopen, if the state word is at least in the mapping.
    if (h.magic == kQueueMagic) retire();
    return make_error(std::string("existing segment unusable: ") + s.message() + "; replaced it");
  }
  if (h.producer_slots != config_.producer_slots || h.ring_capacity != config_.ring_capacity ||
      h.lease_timeout_ms != config_.lease_timeout_ms || h.netuid != config_.netuid) {
    retire();
    return make_error("existing segment has another geometry; replaced it");
  }
  if (h.state != static_cast<std::uint32_t>(SegmentState::live)) {
    retire();
    return make_error("existing segment is not live (state " + std::to_string(h.state) + "); replaced it");
  }
  std::vector<SlotPositions> pos(h.producer_slots);
  if (!guard([&] {
        for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
          const ProducerSlotControl* c = producer_control(base, h, i);
          pos[i].durable = load_acquire(&c->durable);
          pos[i].drained = load_acquire(&c->drained);
          pos[i].head = load_acquire(&c->head);
        }
      })) {
    return make_error("existing segment shrank while being read; replaced it");
  }
  std::size_t pending = 0;
  for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
    const SlotPositions& p = pos[i];
    if (p.durable > p.drained || p.drained > p.head || p.head - p.durable > h.ring_capacity) {
      retire();
      return make_error("existing segment slot " + std::to_string(i) + ": positions out of order; replaced it");
    }
    pending += p.head - p.durable;
  }
  std::uint64_t gen = std::max<std::uint64_t>(realtime_ns(), h.generation + 1);
  auto* hdr = reinterpret_cast<QueueSegmentHeader*>(base);
  if (!guard([&] {
        for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
          // Redeliver what was drained but never committed.
          store_release(&producer_control(base, h, i)->drained, pos[i].durable);
        }
        store_release(&hdr->generation, gen);
        store_release(&hdr->daemon_pid, static_cast<std::uint64_t>(::getpid()));
        store_release(&hdr->heartbeat_ns, monotonic_ns());
      })) {
    return make_error("existing segment shrank while being adopted; replaced it");
  }
  h.generation = gen;
  segment_ = std::move(seg).value();
  geo_ = h;
  origin_ = QueueOrigin::adopted;
  note_ = "adopted the existing queue segment with " + std::to_string(pending) + " entries not yet durable";
  return {};
}

Status WeightQueue::create_fresh() {
  std::uint64_t gen = std::max<std::uint64_t>(realtime_ns(), geo_.generation + 1);
  QueueSegmentHeader h = queue_geometry(config_.producer_slots, config_.ring_capacity,
                                        config_.lease_timeout_ms, config_.netuid, gen);
  Result<SharedSegment> seg = SharedSegment::create(
      config_.name, h.segment_size, SegmentAccess{config_.group, true},
      [&](unsigned char* base) { format_queue_segment(base, h, static_cast<std::uint64_t>(::getpid())); });
  if (!seg) return make_error(QueueErrc::create_failed, seg.error().message);
  segment_ = std::move(seg).value();
  geo_ = h;
  return {};
}

Status WeightQueue::check_intact() {
  if (closed_) return make_error(QueueErrc::closed, "shm: weight queue is closed");
  if (segment_.data() == nullptr) return damaged("no segment: recreating it failed");
  if (Status s = segment_.check_intact(geo_.segment_size); !s) return damaged(s.error().message);
  QueueSegmentHeader h{};
  if (!guarded([&] { h = read_header<QueueSegmentHeader>(segment_.data()); })) {
    return damaged("it shrank while its header was read");
  }
  if (!same_geometry(h, geo_)) return damaged("its header was overwritten");
  if (h.state != static_cast<std::uint32_t>(SegmentState::live)) {
    return damaged("its state word was set to " + std::to_string(h.state) + " (not by this daemon)");
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
  if (!guarded([&] {
        for (std::uint32_t i = 0; i < slots; ++i) {
          const ProducerSlotControl* c = producer_control(base, geo_, i);
          positions_[i].durable = load_acquire(&c->durable);
          positions_[i].drained = load_acquire(&c->drained);
          positions_[i].head = load_acquire(&c->head);
        }
      })) {
    return damaged("it shrank during the drain");
  }
  std::vector<std::pair<std::uint32_t, std::uint64_t>> upto;
  std::size_t total = 0;
  for (std::uint32_t i = 0; i < slots && total < max_entries; ++i) {
    const SlotPositions& p = positions_[i];
    if (p.durable > p.drained || p.drained > p.head || p.head - p.durable > cap) {
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
          report.problems.push_back("producer slot " + std::to_string(slot) + " entry " + std::to_string(p + 1) +
                                    " rejected (" + (stamp_ok ? "bad fields" : "bad stamp") + ")");
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
      batch_.push_back(d);
    }
  }
  if (!batch_.empty()) PYLON_TRY(fn(std::span<const DrainedEntry>(batch_)));
  if (!guarded([&] {
        for (auto [slot, pos] : upto) store_release(&producer_control(base, geo_, slot)->drained, pos);
      })) {
    return damaged("it shrank during the drain");
  }
  report.entries = batch_.size();
  report.drained_to = std::move(upto);
  return report;
}

Status WeightQueue::mark_durable(std::uint32_t producer, std::uint64_t seq) {
  if (segment_.data() == nullptr) return make_error(QueueErrc::closed, "shm: weight queue is closed");
  if (producer >= geo_.producer_slots) {
    return make_error(QueueErrc::no_such_slot, "shm: no producer slot " + std::to_string(producer));
  }
  ProducerSlotControl* c = producer_control(segment_.data(), geo_, producer);
  std::uint64_t head = 0;
  bool beyond = false;
  bool ok = guarded([&] {
    std::uint64_t durable = load_relaxed(&c->durable);
    std::uint64_t drained = load_relaxed(&c->drained);
    if (seq > drained) {
      // A store that remembers more than this daemon drained (restart): skip ahead, but never past
      // what was published.
      head = load_acquire(&c->head);
      if (seq > head) {
        beyond = true;
        return;
      }
      store_release(&c->drained, seq);
    }
    if (seq > durable) store_release(&c->durable, seq);
  });
  if (!ok) return damaged("it shrank while positions were written");
  if (beyond) {
    return make_error(QueueErrc::beyond_head, "shm: producer " + std::to_string(producer) + " seq " +
                                                  std::to_string(seq) + " beyond its head " + std::to_string(head));
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
  const ProducerSlotControl* c = producer_control(segment_.data(), geo_, producer);
  if (!guarded([&] {
        p.durable = load_acquire(&c->durable);
        p.drained = load_acquire(&c->drained);
        p.head = load_acquire(&c->head);
      })) {
    return damaged("it shrank while positions were read");
  }
  return p;
}

void WeightQueue::heartbeat() {
  std::lock_guard lock(swap_mu_);
  if (segment_.data() == nullptr) return;
  auto* h = reinterpret_cast<QueueSegmentHeader*>(segment_.data());
  (void)guarded([&] { store_relaxed(&h->heartbeat_ns, monotonic_ns()); });
}

void WeightQueue::retire_current() {
  if (segment_.data() == nullptr) return;
  auto* h = reinterpret_cast<QueueSegmentHeader*>(segment_.data());
  (void)guarded([&] { store_release(&h->state, static_cast<std::uint32_t>(SegmentState::retired)); });
  segment_.unlink();
  segment_.unmap();
}

Status WeightQueue::recreate(const std::string& why) {
  std::lock_guard lock(swap_mu_);
  retire_current();
  PYLON_TRY(create_fresh());
  origin_ = QueueOrigin::replaced;
  note_ = "created a new queue segment (" + why + ")";
  return {};
}

void WeightQueue::close() {
  std::lock_guard lock(swap_mu_);
  closed_ = true;
  retire_current();
}

void WeightQueue::detach() {
  std::lock_guard lock(swap_mu_);
  closed_ = true;
  segment_.unmap();
}

}  // namespace pylon::shm

#include "shm/weight_queue.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "pylon/shm/atomic_words.hpp"
#include "pylon/shm/segment.hpp"

namespace pylon::shm {

WeightQueue::~WeightQueue() {
  close();
}

Result<std::unique_ptr<WeightQueue>> WeightQueue::open(WeightQueueConfig config) {
  if (config.name.empty()) return make_error("shm: weight queue needs a segment name");
  if (config.producer_slots < 1 || config.producer_slots > kMaxProducerSlots) {
    return make_error("shm: producer_slots must be 1.." + std::to_string(kMaxProducerSlots));
  }
  if (config.ring_capacity < 2 || config.ring_capacity > kMaxRingCapacity ||
      !std::has_single_bit(config.ring_capacity)) {
    return make_error("shm: ring_capacity must be a power of two in 2.." + std::to_string(kMaxRingCapacity));
  }
  if (config.lease_timeout_ms == 0 || config.lease_timeout_ms > 86400000ULL) {
    return make_error("shm: lease_timeout_ms must be 1..86400000");
  }
  std::unique_ptr<WeightQueue> q(new WeightQueue(std::move(config)));
  Status adopted = q->try_adopt();
  if (!adopted) {
    std::string why = adopted.error().message;
    PYLON_TRY(q->create_fresh());
    q->note_ = why.empty() ? "created a new queue segment" : "created a new queue segment (" + why + ")";
  }
  return q;
}

// Adopt the previous daemon's segment if it is ours and matches: producers keep their mapping and
// nothing pushed is lost. Any doubt (corrupt, other ABI, other geometry) means a fresh segment.
Status WeightQueue::try_adopt() {
  Result<SharedSegment> seg = SharedSegment::open_existing(config_.name);
  if (!seg) return make_error("");  // nothing there: the normal first start
  QueueSegmentHeader h = read_header<QueueSegmentHeader>(seg->data());
  if (seg->size() < sizeof(h)) return make_error("existing segment truncated; replaced it");
  if (ShmStatus s = validate_queue_header(h, seg->size()); !s) {
    // Tell producers still mapping it to reopen, if the state word is at least in the mapping.
    if (h.magic == kQueueMagic)
      store_release(&reinterpret_cast<QueueSegmentHeader*>(seg->data())->state,
                    static_cast<std::uint32_t>(SegmentState::retired));
    return make_error(std::string("existing segment unusable: ") + s.message() + "; replaced it");
  }
  if (h.producer_slots != config_.producer_slots || h.ring_capacity != config_.ring_capacity) {
    store_release(&reinterpret_cast<QueueSegmentHeader*>(seg->data())->state,
                  static_cast<std::uint32_t>(SegmentState::retired));
    return make_error("existing segment has another geometry; replaced it");
  }
  std::size_t pending = 0;
  for (std::uint32_t i = 0; i < h.producer_slots; ++i) {
    ProducerSlotControl* c = producer_control(seg->data(), h, i);
    Result<SlotPositions> p = [&]() -> Result<SlotPositions> {
      ShmResult<SlotPositions> r = read_positions(c, h.ring_capacity);
      if (!r) return make_error(r.message());
      return *r;
    }();
    if (!p) {
      store_release(&reinterpret_cast<QueueSegmentHeader*>(seg->data())->state,
                    static_cast<std::uint32_t>(SegmentState::retired));
      return make_error("existing segment slot " + std::to_string(i) + ": " + p.error().message +
                        "; replaced it");
    }
    store_release(&c->drained, p->durable);  // redeliver what was drained but never committed
    pending += p->head - p->durable;
  }
  std::uint64_t gen = std::max<std::uint64_t>(realtime_ns(), h.generation + 1);
  auto* hdr = reinterpret_cast<QueueSegmentHeader*>(seg->data());
  store_release(&hdr->generation, gen);
  store_release(&hdr->daemon_pid, static_cast<std::uint64_t>(::getpid()));
  store_release(&hdr->heartbeat_ns, monotonic_ns());
  h.generation = gen;
  segment_ = std::move(seg).value();
  geo_ = h;
  note_ = "adopted the existing queue segment with " + std::to_string(pending) + " entries not yet durable";
  return {};
}

Status WeightQueue::create_fresh() {
  std::uint64_t gen = realtime_ns();
  QueueSegmentHeader h = queue_geometry(config_.producer_slots, config_.ring_capacity,
                                        config_.lease_timeout_ms, config_.netuid, gen);
  PYLON_ASSIGN(segment_,
               SharedSegment::create(config_.name, h.segment_size, SegmentAccess{config_.group, true}));
  format_queue_segment(segment_.data(), h, static_cast<std::uint64_t>(::getpid()));
  geo_ = h;
  return {};
}

Result<DrainReport> WeightQueue::drain(const BatchFn& fn, std::size_t max_entries) {
  if (segment_.data() == nullptr) return make_error("shm: weight queue is closed");
  DrainReport report;
  batch_.clear();
  std::vector<std::pair<std::uint32_t, std::uint64_t>> upto;
  for (std::uint32_t i = 0; i < geo_.producer_slots && batch_.size() < max_entries; ++i) {
    ProducerSlotControl* c = producer_control(segment_.data(), geo_, i);
    ShmResult<SlotPositions> pos = read_positions(c, geo_.ring_capacity);
    if (!pos) {  // skip the slot: draining garbage positions could read any cell
      report.problems.push_back("producer slot " + std::to_string(i) + ": " + pos.message());
      continue;
    }
    if (pos->head == pos->drained) continue;
    std::uint64_t end = std::min<std::uint64_t>(pos->head, pos->drained + (max_entries - batch_.size()));
    for (std::uint64_t p = pos->drained; p < end; ++p) {
      WeightEntry e;
      bool stamp_ok = read_entry(c, geo_.ring_capacity, p, e);
      bool op_ok = e.op == static_cast<std::uint8_t>(WeightOp::set) ||
                   e.op == static_cast<std::uint8_t>(WeightOp::add);
      bool key_ok = e.key_kind == static_cast<std::uint8_t>(KeyKind::uid) ||
                    e.key_kind == static_cast<std::uint8_t>(KeyKind::hotkey);
      if (!stamp_ok || !op_ok || !key_ok || !std::isfinite(e.weight)) {
        ++report.rejected;
        if (report.problems.size() < 32) {
          report.problems.push_back("producer slot " + std::to_string(i) + " entry " + std::to_string(p + 1) +
                                    " rejected (" + (stamp_ok ? "bad fields" : "bad stamp") + ")");
        }
        continue;
      }
      DrainedEntry d;
      d.producer = i;
      d.seq = p + 1;
      d.lease_epoch = e.lease_epoch;
      d.op = static_cast<WeightOp>(e.op);
      d.key_kind = static_cast<KeyKind>(e.key_kind);
      d.uid = e.uid;
      std::memcpy(d.hotkey.data(), e.hotkey, 32);
      d.weight = e.weight;
      batch_.push_back(d);
    }
    upto.emplace_back(i, end);
  }
  if (!batch_.empty()) PYLON_TRY(fn(std::span<const DrainedEntry>(batch_)));
  for (auto [slot, pos] : upto) store_release(&producer_control(segment_.data(), geo_, slot)->drained, pos);
  report.entries = batch_.size();
  report.drained_to = std::move(upto);
  return report;
}

Status WeightQueue::mark_durable(std::uint32_t producer, std::uint64_t seq) {
  if (segment_.data() == nullptr) return make_error("shm: weight queue is closed");
  if (producer >= geo_.producer_slots) return make_error("shm: no producer slot " + std::to_string(producer));
  ProducerSlotControl* c = producer_control(segment_.data(), geo_, producer);
  std::uint64_t durable = load_relaxed(&c->durable);
  std::uint64_t drained = load_relaxed(&c->drained);
  if (seq > drained) {
    // A store that remembers more than this daemon drained (restart): skip ahead, but never past
    // what was published.
    std::uint64_t head = load_acquire(&c->head);
    if (seq > head) {
      return make_error("shm: producer " + std::to_string(producer) + " seq " + std::to_string(seq) +
                        " beyond its head " + std::to_string(head));
    }
    store_release(&c->drained, seq);
  }
  if (seq > durable) store_release(&c->durable, seq);
  return {};
}

Status WeightQueue::mark_durable(const DrainReport& report) {
  for (auto [slot, pos] : report.drained_to) PYLON_TRY(mark_durable(slot, pos));
  return {};
}

Result<SlotPositions> WeightQueue::positions(std::uint32_t producer) const {
  if (segment_.data() == nullptr) return make_error("shm: weight queue is closed");
  if (producer >= geo_.producer_slots) return make_error("shm: no producer slot " + std::to_string(producer));
  ShmResult<SlotPositions> p =
      read_positions(producer_control(segment_.data(), geo_, producer), geo_.ring_capacity);
  if (!p) return make_error(p.message());
  return *p;
}

void WeightQueue::heartbeat() {
  if (segment_.data() == nullptr) return;
  store_relaxed(&reinterpret_cast<QueueSegmentHeader*>(segment_.data())->heartbeat_ns, monotonic_ns());
}

void WeightQueue::close() {
  if (segment_.data() == nullptr) return;
  store_release(&reinterpret_cast<QueueSegmentHeader*>(segment_.data())->state,
                static_cast<std::uint32_t>(SegmentState::retired));
  segment_.unlink();
  segment_.unmap();
}

void WeightQueue::detach() {
  segment_.unmap();
}

}  // namespace pylon::shm

// The weight queue's protocol, shared by producers (client) and the daemon's drain.
//
// Why one single-producer ring per producer slot, claimed with a lease: producers are separate
// processes that may be SIGKILLed at any instruction, and the daemon cannot rely on seeing their
// PIDs (containers, PID namespaces). In a shared multi-producer ring (Vyukov-style per-cell
// sequence numbers) a producer killed between claiming a cell and publishing it leaves a hole the
// consumer must wait on forever or skip by guesswork. Here each producer owns a ring outright:
//   * it fills the entry, writes its stamp, then publishes with one CAS on head, so an entry is
//     either wholly published or invisible; dying mid-push leaves nothing behind;
//   * no other producer writes that ring, so it cannot corrupt anyone else's entries;
//   * its slot is held by a lease word (held bit, epoch, renewal time) renewed by push() and
//     heartbeat(); when the holder dies the lease expires and another process takes the slot over
//     with one CAS (bumping the epoch) and continues after the entries already published, which
//     the daemon still drains. The push is a plain SPSC enqueue (one CAS); bench_shm measures it.
// Full is measured against the durable position, not the drained one: entries stay in the ring
// until the weights store has committed them, so a daemon restart re-drains from durable.
// Limit: a producer that is *stopped* (not dead) for longer than the lease and then resumes can
// overwrite at most the one entry it was writing; its publish CAS then fails (lease_lost) and the
// daemon rejects the overwritten entry by its stamp instead of applying garbage.
#pragma once

#include <cstdint>

#include "pylon/shm/atomic_words.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::shm {

inline constexpr std::uint64_t kDefaultLeaseTimeoutMs = 10000;

inline QueueSegmentHeader queue_geometry(std::uint32_t producer_slots, std::uint32_t ring_capacity,
                                         std::uint64_t lease_timeout_ms, std::uint32_t netuid,
                                         std::uint64_t generation) noexcept {
  QueueSegmentHeader h{};
  h.magic = kQueueMagic;
  h.abi_version = kAbiVersion;
  h.header_size = sizeof(QueueSegmentHeader);
  h.generation = generation;
  h.producer_slots = producer_slots;
  h.ring_capacity = ring_capacity;
  h.entry_size = sizeof(WeightEntry);
  h.slot_stride = static_cast<std::uint32_t>(
      align_up(sizeof(ProducerSlotControl) + std::uint64_t{ring_capacity} * sizeof(WeightEntry), kCacheLine));
  h.slots_offset = align_up(sizeof(QueueSegmentHeader), kCacheLine);
  h.lease_timeout_ms = lease_timeout_ms;
  h.netuid = netuid;
  h.segment_size = h.slots_offset + std::uint64_t{h.slot_stride} * producer_slots;
  return h;
}

inline void format_queue_segment(unsigned char* base, const QueueSegmentHeader& h,
                                 std::uint64_t pid) noexcept {
  QueueSegmentHeader init = h;
  init.state = static_cast<std::uint32_t>(SegmentState::initializing);
  init.heartbeat_ns = monotonic_ns();
  init.daemon_pid = pid;
  atomic_copy_in(base, &init, sizeof(init));
  store_release(&reinterpret_cast<QueueSegmentHeader*>(base)->state,
                static_cast<std::uint32_t>(SegmentState::live));
}

inline ProducerSlotControl* producer_control(unsigned char* base, const QueueSegmentHeader& h,
                                             std::uint32_t i) noexcept {
  return reinterpret_cast<ProducerSlotControl*>(base + h.slots_offset + std::uint64_t{h.slot_stride} * i);
}
inline WeightEntry* ring_entries(ProducerSlotControl* c) noexcept {
  return reinterpret_cast<WeightEntry*>(reinterpret_cast<unsigned char*>(c) + sizeof(ProducerSlotControl));
}

// Lease word helpers.
inline std::uint64_t lease_word(std::uint32_t epoch, std::uint64_t now_ms, bool held) noexcept {
  return (held ? kLeaseHeldBit : 0) | ((std::uint64_t{epoch} & kLeaseEpochMask) << kLeaseEpochShift) |
         (now_ms & kLeaseTimeMask);
}
inline std::uint32_t lease_epoch(std::uint64_t w) noexcept {
  return static_cast<std::uint32_t>((w >> kLeaseEpochShift) & kLeaseEpochMask);
}
inline std::uint64_t lease_time_ms(std::uint64_t w) noexcept {
  return w & kLeaseTimeMask;
}
inline bool lease_held(std::uint64_t w) noexcept {
  return (w & kLeaseHeldBit) != 0;
}
inline std::uint64_t monotonic_ms() noexcept {
  return (monotonic_ns() / 1000000ULL) & kLeaseTimeMask;
}
// Milliseconds since the holder last renewed (the 40-bit clock wraps after ~34 years).
inline std::uint64_t lease_age_ms(std::uint64_t w, std::uint64_t now_ms) noexcept {
  return (now_ms - lease_time_ms(w)) & kLeaseTimeMask;
}
inline bool lease_claimable(std::uint64_t w, std::uint64_t now_ms, std::uint64_t timeout_ms) noexcept {
  return !lease_held(w) || lease_age_ms(w, now_ms) > timeout_ms;
}

// Positions of one producer slot, read by the daemon. Invariant: durable <= drained <= head and
// head - durable <= capacity; anything else is a corrupt slot and is not drained.
struct SlotPositions {
  std::uint64_t head = 0, drained = 0, durable = 0;
};

inline ShmResult<SlotPositions> read_positions(const ProducerSlotControl* c,
                                               std::uint32_t capacity) noexcept {
  SlotPositions p;
  p.durable = load_acquire(&c->durable);
  p.drained = load_acquire(&c->drained);
  p.head = load_acquire(&c->head);
  if (p.durable > p.drained || p.drained > p.head || p.head - p.durable > capacity) {
    return make_shm_error(
        Errc::corrupt, "positions out of order (durable %llu, drained %llu, head %llu, capacity %u)",
        static_cast<unsigned long long>(p.durable), static_cast<unsigned long long>(p.drained),
        static_cast<unsigned long long>(p.head), capacity);
  }
  return p;
}

// Copy out the entry at position pos; false when its stamp does not match (never published
// properly, or overwritten by a stale producer).
inline bool read_entry(ProducerSlotControl* c, std::uint32_t capacity, std::uint64_t pos,
                       WeightEntry& out) noexcept {
  out = ring_entries(c)[pos & (capacity - 1)];
  return out.stamp == pos + 1;
}

}  // namespace pylon::shm

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
//
// Who writes what (layout.hpp): producers write their ring, head and lease in the queue segment;
// only the daemon writes the ack segment (state, heartbeat, drained, durable, writer_sleeping),
// which producers map read-only. So no producer can fake another's acknowledgement or retire the
// queue. A producer can still scribble over the queue segment (even over rings it does not own)
// or truncate it: the daemon copes (it validates what it copies out and survives a truncation,
// then recreates the queue), but producers sharing a group must not be mutually hostile.
//
// Waking the daemon (the doorbell): the daemon's writer thread sleeps in FUTEX_WAIT on the queue
// segment's doorbell word when it has nothing to do, after setting writer_sleeping = 1 and
// re-checking every head (seq_cst). A push publishes head (seq_cst CAS), then reads
// writer_sleeping (seq_cst): only when it is 1 does it bump the doorbell and FUTEX_WAKE it. Either
// the daemon's re-check sees the new head or the push sees writer_sleeping = 1 (the two seq_cst
// store/load pairs cannot both miss), and the bump makes a FUTEX_WAIT that has not started yet
// return at once. A busy daemon costs a push one read of a line that rarely changes; no system
// call. A hostile producer resetting the doorbell can delay a wake-up, not lose an entry: the
// daemon also wakes by itself every idle-check period.
// Limit: a producer that is *stopped* (not dead) for longer than the lease and then resumes can
// overwrite at most the one entry it was writing; its publish CAS then fails (lease_lost) and the
// daemon rejects the overwritten entry by its stamp instead of applying garbage.
#pragma once

#include <cstdint>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/segment.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::shm {

inline constexpr std::uint64_t kDefaultLeaseTimeoutMs = 10000;

// "<queue name>-ack": the name of the ack segment of a queue segment. False when it does not fit.
inline constexpr char kAckSuffix[] = "-ack";
inline bool ack_segment_name(const char* queue_name, char (&out)[kMaxNameLength + 2]) noexcept {
  if (queue_name == nullptr) return false;
  if (queue_name[0] == '/') ++queue_name;
  std::size_t n = std::strlen(queue_name);
  if (n == 0 || n + sizeof(kAckSuffix) - 1 > kMaxNameLength) return false;
  std::memcpy(out, queue_name, n);
  std::memcpy(out + n, kAckSuffix, sizeof(kAckSuffix));
  return true;
}

inline ProducerSlotControl* producer_control(unsigned char* base, const QueueSegmentHeader& h,
                                             std::uint32_t i) noexcept {
  return reinterpret_cast<ProducerSlotControl*>(base + h.slots_offset + std::uint64_t{h.slot_stride} * i);
}
inline WeightEntry* ring_entries(ProducerSlotControl* c) noexcept {
  return reinterpret_cast<WeightEntry*>(reinterpret_cast<unsigned char*>(c) + sizeof(ProducerSlotControl));
}
inline AckSlot* ack_slot(unsigned char* base, const AckSegmentHeader& a, std::uint32_t i) noexcept {
  return reinterpret_cast<AckSlot*>(base + a.slots_offset + std::uint64_t{a.slot_stride} * i);
}
inline const AckSlot* ack_slot(const unsigned char* base, const AckSegmentHeader& a,
                               std::uint32_t i) noexcept {
  return reinterpret_cast<const AckSlot*>(base + a.slots_offset + std::uint64_t{a.slot_stride} * i);
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

// Positions of one producer slot: head from the queue segment, drained and durable from the ack
// segment. Invariant: durable <= drained <= head and head - durable <= capacity; anything else is
// a corrupt slot and is not drained.
struct SlotPositions {
  std::uint64_t head = 0, drained = 0, durable = 0;
};

inline bool positions_in_order(const SlotPositions& p, std::uint32_t capacity) noexcept {
  return p.durable <= p.drained && p.drained <= p.head && p.head - p.durable <= capacity;
}

inline ShmResult<SlotPositions> read_positions(const ProducerSlotControl* c, const AckSlot* a,
                                               std::uint32_t capacity) noexcept {
  SlotPositions p;
  p.durable = load_acquire(&a->durable);
  p.drained = load_acquire(&a->drained);
  p.head = load_acquire(&c->head);
  if (!positions_in_order(p, capacity)) {
    return make_shm_error(
        Errc::corrupt, "positions out of order (durable %llu, drained %llu, head %llu, capacity %u)",
        static_cast<unsigned long long>(p.durable), static_cast<unsigned long long>(p.drained),
        static_cast<unsigned long long>(p.head), capacity);
  }
  return p;
}

}  // namespace pylon::shm

// The daemon's side of the weight queue: the geometry and formatting of a fresh queue and ack
// segment pair, and reading an entry out of a producer's ring (the drain). Not part of the client
// (client.hpp does not include it); the protocol both sides follow is detail/queue_protocol.hpp.
#pragma once

#include <cstdint>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/queue_protocol.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/writer/fresh_header.hpp"

namespace pylon::shm {

inline QueueSegmentHeader queue_geometry(std::uint32_t producer_slots, std::uint32_t ring_capacity,
                                         std::uint64_t lease_timeout_ms, std::uint32_t netuid,
                                         std::uint64_t generation) noexcept {
  auto h = fresh_header<QueueSegmentHeader>(kQueueMagic, kQueueAbiVersion, generation);
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

// The ack segment that belongs to a queue segment.
inline AckSegmentHeader ack_geometry(const QueueSegmentHeader& q) noexcept {
  auto a = fresh_header<AckSegmentHeader>(kAckMagic, kQueueAbiVersion, q.generation);
  a.producer_slots = q.producer_slots;
  a.slot_stride = sizeof(AckSlot);
  a.slots_offset = align_up(sizeof(AckSegmentHeader), kCacheLine);
  a.segment_size = a.slots_offset + std::uint64_t{a.slot_stride} * q.producer_slots;
  return a;
}

// The ack segment that belongs to a queue segment (above).

inline void format_queue_segment(unsigned char* base, const QueueSegmentHeader& h) noexcept {
  atomic_copy_in(base, &h, sizeof(h));
}

inline void format_ack_segment(unsigned char* base, const AckSegmentHeader& a, std::uint64_t pid) noexcept {
  AckSegmentHeader init = a;
  init.state = static_cast<std::uint32_t>(SegmentState::initializing);
  init.heartbeat_ns = monotonic_ns();
  init.daemon_pid = pid;
  atomic_copy_in(base, &init, sizeof(init));
  store_release(&reinterpret_cast<AckSegmentHeader*>(base)->state,
                static_cast<std::uint32_t>(SegmentState::live));
}

// Copy out the entry at position pos; false when its stamp does not match (never published
// properly, or overwritten by a stale producer).
inline bool read_entry(ProducerSlotControl* c, std::uint32_t capacity, std::uint64_t pos,
                       WeightEntry& out) noexcept {
  atomic_copy_out(&out, &ring_entries(c)[pos & (capacity - 1)], sizeof(WeightEntry));
  return out.stamp == pos + 1;
}

}  // namespace pylon::shm

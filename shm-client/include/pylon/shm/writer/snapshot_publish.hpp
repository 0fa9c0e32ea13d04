// The daemon's side of the snapshot segment: the geometry of a fresh segment, formatting it, and
// the single writer's publish step (the seqlock write, then the publish futex wake-up). Not part of
// the client (client.hpp does not include it); the reader's half is detail/snapshot_protocol.hpp,
// whose comment explains the protocol.
#pragma once

#include <cstdint>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/futex.hpp"
#include "pylon/shm/detail/segment.hpp"
#include "pylon/shm/detail/snapshot_protocol.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/writer/fresh_header.hpp"

namespace pylon::shm {

inline constexpr std::uint32_t kDefaultSlots = 2;

// The header of a fresh snapshot segment with the given capacities (state initializing).
// mechanism_capacity counts mechanism 0, whose fields are the rows: 1 leaves no mechanism columns.
inline SnapshotSegmentHeader snapshot_geometry(std::uint32_t slot_count, std::uint32_t neuron_capacity,
                                               std::uint32_t commitment_capacity,
                                               std::uint32_t commitment_data_capacity, std::uint16_t netuid,
                                               std::uint64_t generation,
                                               std::uint32_t mechanism_capacity = 1) noexcept {
  auto h = fresh_header<SnapshotSegmentHeader>(kSnapshotMagic, kAbiVersion, generation);
  h.slot_count = slot_count;
  h.neuron_capacity = neuron_capacity;
  h.commitment_capacity = commitment_capacity;
  h.commitment_data_capacity = static_cast<std::uint32_t>(align_up(commitment_data_capacity, 8));
  h.netuid = netuid;
  h.neuron_record_size = sizeof(NeuronRecord);
  h.commitment_record_size = sizeof(CommitmentRecord);
  h.mechanism_capacity = mechanism_capacity;
  h.mechanism_record_size = sizeof(MechanismRecord);
  std::uint64_t off = sizeof(SlotHeader);
  h.meta_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + sizeof(SnapshotMeta), kCacheLine);
  h.neurons_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + std::uint64_t{neuron_capacity} * sizeof(NeuronRecord), kCacheLine);
  h.hotkey_index_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + std::uint64_t{neuron_capacity} * 2, kCacheLine);
  h.commitments_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + std::uint64_t{commitment_capacity} * sizeof(CommitmentRecord), kCacheLine);
  h.commitment_data_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + h.commitment_data_capacity, kCacheLine);
  // The mechanism area last: what it holds never moves what a reader of mechanism 0 reads.
  h.mechanisms_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + std::uint64_t{mechanism_capacity} * sizeof(MechanismRecord), kCacheLine);
  const std::uint64_t extra = mechanism_capacity - 1;
  h.mechanism_last_update_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + extra * mechanism_last_update_stride(h), kCacheLine);
  h.mechanism_incentives_offset = static_cast<std::uint32_t>(off);
  off = align_up(off + extra * mechanism_incentive_stride(h), kCacheLine);
  h.slot_size = static_cast<std::uint32_t>(off);
  h.slots_offset = sizeof(SnapshotSegmentHeader);
  h.segment_size = h.slots_offset + std::uint64_t{h.slot_size} * slot_count;
  return h;
}

// Write a fresh header into zeroed memory of at least h.segment_size bytes and mark it live.
inline void format_snapshot_segment(unsigned char* base, const SnapshotSegmentHeader& h,
                                    std::uint64_t pid) noexcept {
  SnapshotSegmentHeader init = h;
  init.state = static_cast<std::uint32_t>(SegmentState::initializing);
  init.current_slot = 0;
  init.publish_count = 0;
  init.heartbeat_ns = monotonic_ns();
  init.writer_pid = pid;
  atomic_copy_in(base, &init, sizeof(init));
  auto* hdr = reinterpret_cast<SnapshotSegmentHeader*>(base);
  store_release(&hdr->state, static_cast<std::uint32_t>(SegmentState::live));
}

// One snapshot to publish: meta carries the counts; the arrays hold exactly that many rows. The
// mechanism arrays: meta->mechanism_count records, and for mechanisms 1..count-1 their columns one
// after another, neuron_count entries each (mechanism m's at (m-1) * neuron_count); null when the
// count is 0 or 1.
struct SlotImage {
  const SnapshotMeta* meta;
  const NeuronRecord* neurons;
  const std::uint16_t* hotkey_index;
  const CommitmentRecord* commitments;
  const std::uint8_t* commitment_data;
  const MechanismRecord* mechanisms = nullptr;
  const std::uint64_t* mechanism_last_update = nullptr;
  const std::uint16_t* mechanism_incentives = nullptr;
};

// Writer side (single writer). Preconditions (checked by the daemon): counts within capacities.
inline void publish_snapshot(unsigned char* base, const SnapshotSegmentHeader& h,
                             const SlotImage& img) noexcept {
  auto* hdr = reinterpret_cast<SnapshotSegmentHeader*>(base);
  std::uint32_t cur = load_relaxed(&hdr->current_slot);
  std::uint32_t next = (cur + 1) % h.slot_count;
  if (load_relaxed(&hdr->publish_count) == 0) next = 0;
  unsigned char* slot = slot_base(base, h, next);
  auto* seq = reinterpret_cast<std::uint64_t*>(slot);
  std::uint64_t s = load_relaxed(seq);
  store_relaxed(seq, s + 1);  // odd: readers of this slot will retry
  fence_release();            // keep the data stores below after the odd sequence
  const SnapshotMeta& m = *img.meta;
  atomic_copy_in(slot + h.meta_offset, &m, sizeof(SnapshotMeta));
  atomic_copy_in(slot + h.neurons_offset, img.neurons, std::size_t{m.neuron_count} * sizeof(NeuronRecord));
  atomic_copy_in(slot + h.hotkey_index_offset, img.hotkey_index, std::size_t{m.neuron_count} * 2);
  atomic_copy_in(slot + h.commitments_offset, img.commitments,
                 std::size_t{m.commitment_count} * sizeof(CommitmentRecord));
  atomic_copy_in(slot + h.commitment_data_offset, img.commitment_data, m.commitment_data_size);
  if (m.mechanism_count > 0) {
    atomic_copy_in(slot + h.mechanisms_offset, img.mechanisms,
                   std::size_t{m.mechanism_count} * sizeof(MechanismRecord));
  }
  for (std::uint32_t mech = 1; mech < m.mechanism_count; ++mech) {
    const std::size_t first = std::size_t{mech - 1} * m.neuron_count;
    atomic_copy_in(slot + h.mechanism_last_update_offset + (mech - 1) * mechanism_last_update_stride(h),
                   img.mechanism_last_update + first, std::size_t{m.neuron_count} * 8);
    atomic_copy_in(slot + h.mechanism_incentives_offset + (mech - 1) * mechanism_incentive_stride(h),
                   img.mechanism_incentives + first, std::size_t{m.neuron_count} * 2);
  }
  store_release(seq, s + 2);
  store_release(&hdr->current_slot, next);
  store_release(&hdr->publish_count, load_relaxed(&hdr->publish_count) + 1);
  futex_wake_shared(publish_futex(base));
}

inline void write_heartbeat(unsigned char* base) noexcept {
  store_relaxed(&reinterpret_cast<SnapshotSegmentHeader*>(base)->heartbeat_ns, monotonic_ns());
}
inline void set_state(unsigned char* base, SegmentState s) noexcept {
  store_release(&reinterpret_cast<SnapshotSegmentHeader*>(base)->state, static_cast<std::uint32_t>(s));
  if (s == SegmentState::retired) futex_wake_shared(publish_futex(base));  // waiters go find the next one
}

}  // namespace pylon::shm

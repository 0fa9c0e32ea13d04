// How snapshots move through the snapshot segment: its geometry, the writer's publish step and the
// reader's begin/end check. Both the daemon (sidecar/shm) and the client use these, so the protocol
// lives in one place.
//
// Publication: each slot is a seqlock (seq odd while being written, even when stable); with
// slot_count = 2 the writer always writes the slot readers are NOT directed to and then flips
// current_slot, so a reader only retries if the writer laps it twice during one copy. With
// slot_count = 1 it is a plain seqlock and every publish collides with in-flight readers.
// bench_shm measures both with 1024 neurons while a writer thread publishes back to back
// (BM_CopyUnderWrites, 2-core AMD EPYC): with the plain seqlock readers retried 17-160 times per
// copy and some copies starved outright (gave up after 100k attempts); with the double buffer
// ~0.001 retries per copy and no starvation, for 2x the memory (~2 MiB at 4096 neurons). Readers
// never block the writer either way, so the daemon uses 2 slots.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/futex.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::shm {

// The futex word readers sleep on until the next publish (SnapshotReader::wait_for_block): the
// low 32 bits of publish_count (hosts are little-endian, layout.hpp). The writer wakes it after
// every publish and when it retires the segment; one FUTEX_WAKE per block costs nothing next to
// building the snapshot, and it spares readers a polling loop.
inline const std::uint32_t* publish_futex(const unsigned char* base) noexcept {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the futex word is the low half of publish_count");
  return reinterpret_cast<const std::uint32_t*>(base + offsetof(SnapshotSegmentHeader, publish_count));
}

inline unsigned char* slot_base(unsigned char* base, const SnapshotSegmentHeader& h,
                                std::uint32_t i) noexcept {
  return base + h.slots_offset + std::uint64_t{h.slot_size} * i;
}
inline const unsigned char* slot_base(const unsigned char* base, const SnapshotSegmentHeader& h,
                                      std::uint32_t i) noexcept {
  return base + h.slots_offset + std::uint64_t{h.slot_size} * i;
}
inline const std::uint64_t* slot_seq(const unsigned char* slot) noexcept {
  return reinterpret_cast<const std::uint64_t*>(slot + offsetof(SlotHeader, seq));
}

// Reader side: a slot and the (even) sequence it had when the read began.
struct SlotRead {
  const unsigned char* slot = nullptr;
  std::uint64_t seq = 0;
};

// Errc::busy means "the slot is being written right now: retry".
inline ShmResult<SlotRead> begin_read(const unsigned char* base, const SnapshotSegmentHeader& h) noexcept {
  const auto* hdr = reinterpret_cast<const SnapshotSegmentHeader*>(base);
  std::uint32_t state = load_acquire(&hdr->state);
  if (state == static_cast<std::uint32_t>(SegmentState::retired)) {
    return make_shm_error(Errc::retired, "the daemon retired this snapshot segment (generation %llu)",
                          static_cast<unsigned long long>(h.generation));
  }
  if (state != static_cast<std::uint32_t>(SegmentState::live)) {
    return make_shm_error(Errc::not_live, "snapshot segment not live (state %u)", state);
  }
  std::uint32_t cur = load_acquire(&hdr->current_slot);
  if (cur >= h.slot_count) {
    return make_shm_error(Errc::corrupt, "current_slot %u but the segment has %u slots", cur, h.slot_count);
  }
  SlotRead r;
  r.slot = slot_base(base, h, cur);
  r.seq = load_acquire(slot_seq(r.slot));
  if (r.seq == 0) return make_shm_error(Errc::no_snapshot, "no snapshot published yet");
  if (r.seq & 1) return make_shm_error(Errc::busy, "slot being written");
  return r;
}

// True when nothing was written to the slot since begin_read: everything read in between is one
// consistent snapshot.
inline bool end_read(const SlotRead& r) noexcept {
  fence_acquire();
  return load_relaxed(slot_seq(r.slot)) == r.seq;
}

// Binary search of a slot's hotkey index (uids in hotkey order), for both readers: `uid_at(i)`
// reads entry i, `compare(uid)` is memcmp of that uid's hotkey against the key sought. Returns the
// uid, or -1 when the key is absent or an entry points beyond `count` (a torn in-place read, which
// LiveView::valid() then reports; a copy's index was checked before it was handed out).
template <class UidAt, class Compare>
inline int find_in_hotkey_index(std::size_t count, UidAt uid_at, Compare compare) noexcept {
  std::size_t lo = 0, n = count;
  while (n > 0) {
    const std::size_t half = n / 2;
    const std::uint16_t uid = uid_at(lo + half);
    if (uid >= count) return -1;
    const int c = compare(uid);
    if (c == 0) return uid;
    if (c < 0) {
      lo += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  return -1;
}

}  // namespace pylon::shm

// Word-level atomic access to shared memory. The layout structs are plain (trivially copyable), so
// fields that another process writes concurrently are read and written through these __atomic
// builtins (C++17-compatible, unlike std::atomic_ref). On x86-64 and aarch64 a relaxed 8-byte
// load or store is an ordinary mov/ldr, so they cost no fences per word.
//
// Snapshot tables are the exception on the read side: seqlock_copy_out below copies them with
// memcpy, because no compiler vectorises atomic loads and the word-by-word copy was the whole cost
// of a snapshot copy (perf: 92% in that loop; bench_shm: 10.7 us against 2.9 us for memcpy of the
// same 150 KB). See seqlock_copy_out for why that is sound and how it stays TSan-clean.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>

namespace pylon::shm {

static_assert(__atomic_always_lock_free(8, 0), "8-byte atomics must be lock-free to live in shared memory");

template <class T>
inline T load_acquire(const T* p) noexcept {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <class T>
inline T load_relaxed(const T* p) noexcept {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}
template <class T>
inline void store_release(T* p, T v) noexcept {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
template <class T>
inline void store_relaxed(T* p, T v) noexcept {
  __atomic_store_n(p, v, __ATOMIC_RELAXED);
}
template <class T>
inline bool cas_acq_rel(T* p, T& expected, T desired) noexcept {
  return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
// Sequentially consistent access, for the doorbell's store/load pairs (queue_protocol.hpp).
template <class T>
inline T load_seq_cst(const T* p) noexcept {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
template <class T>
inline void store_seq_cst(T* p, T v) noexcept {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
template <class T>
inline bool cas_seq_cst(T* p, T& expected, T desired) noexcept {
  return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
inline void fence_acquire() noexcept {
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
}
inline void fence_release() noexcept {
  __atomic_thread_fence(__ATOMIC_RELEASE);
}

// Copy n bytes out of shared memory (src 8-byte aligned, readable up to the next multiple of 8)
// with relaxed word loads into any destination. Unrolled by 8: the one-word loop ran at 5 or 10 us
// per 150 KB depending on where the loop happened to be placed in the binary; eight independent
// loads per iteration are steady at ~4 us (still scalar: atomics are never vectorised).
inline void atomic_copy_out(void* dst, const void* src, std::size_t n) noexcept {
  const auto* s = static_cast<const std::uint64_t*>(src);
  auto* d = static_cast<unsigned char*>(dst);
  const std::size_t words = n / 8;
  const std::size_t blocks = words / 8;
  // Eight named loads, not an inner loop over an array: GCC 12 at -O2 neither unrolls such a loop
  // over atomics nor keeps the array in registers (it went through the stack, 16 us per 150 KB).
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::uint64_t* p = s + b * 8;
    auto ld = [p](int k) { return __atomic_load_n(p + k, __ATOMIC_RELAXED); };
    std::uint64_t w0 = ld(0), w1 = ld(1), w2 = ld(2), w3 = ld(3), w4 = ld(4), w5 = ld(5), w6 = ld(6),
                  w7 = ld(7);
    unsigned char* o = d + b * 64;
    std::memcpy(o, &w0, 8);
    std::memcpy(o + 8, &w1, 8);
    std::memcpy(o + 16, &w2, 8);
    std::memcpy(o + 24, &w3, 8);
    std::memcpy(o + 32, &w4, 8);
    std::memcpy(o + 40, &w5, 8);
    std::memcpy(o + 48, &w6, 8);
    std::memcpy(o + 56, &w7, 8);
  }
  for (std::size_t i = blocks * 8; i < words; ++i) {
    std::uint64_t w = __atomic_load_n(s + i, __ATOMIC_RELAXED);
    std::memcpy(d + i * 8, &w, 8);
  }
  const std::size_t tail = n % 8;
  if (tail != 0) {
    std::uint64_t w = __atomic_load_n(s + words, __ATOMIC_RELAXED);
    std::memcpy(d + words * 8, &w, tail);
  }
}

// PYLON_SHM_ATOMIC_SNAPSHOT_COPY=1 makes seqlock_copy_out use relaxed word loads (formally
// race-free, ~1.5x the time of memcpy); the default is memcpy.
#ifndef PYLON_SHM_ATOMIC_SNAPSHOT_COPY
#define PYLON_SHM_ATOMIC_SNAPSHOT_COPY 0
#endif

#if defined(__SANITIZE_THREAD__)
#define PYLON_SHM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PYLON_SHM_TSAN 1
#endif
#endif

#if defined(PYLON_SHM_TSAN) && !PYLON_SHM_ATOMIC_SNAPSHOT_COPY
// ThreadSanitizer's runtime (clang and GCC) provides these; the reads of a seqlock-protected copy
// are validated by the sequence word afterwards, so TSan must not report them (see below).
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

// Copy n bytes of a seqlock-protected region (a snapshot slot) that the writer may be rewriting:
// call only between begin_read and end_read, and use the bytes only if end_read then succeeds.
//
// This is the classic seqlock read: a plain memcpy (vectorised by libc: AVX2/AVX-512/rep movsb)
// bracketed by the acquire load of the sequence before and an acquire fence plus the sequence
// re-check after. Why it is sound:
// - Torn bytes are possible and harmless: they are only ever looked at after end_read confirmed
//   that nothing was written meanwhile; otherwise the copy is discarded. The counts that size the
//   copy come from SnapshotMeta copied with atomic loads first and bounded by the capacities, so
//   a torn copy never reads outside the slot nor writes outside the destination.
// - Ordering: the acquire load of seq keeps the copy after it; the acquire fence in end_read keeps
//   the copy's loads before the re-check (x86-64: loads are not reordered with loads; aarch64:
//   dmb ishld orders vector loads too). The compiler barriers pin the memcpy between them and
//   forbid the compiler from re-reading shared memory later in place of the private copy.
// - Formally, while a writer thread of the same process writes the slot, this is a data race
//   (relaxed atomic stores against plain reads): C++ has no "atomic memcpy" yet. P1478
//   (atomic_load_per_byte_memcpy, for Concurrency TS 2) is exactly this operation, and its author
//   expects implementations to make it an alias of memcpy. Across processes (the real use) the
//   model does not apply at all. So ThreadSanitizer builds keep running this very path with
//   the memcpy annotated as ignored (the sequence and every other atomic stay checked, which is
//   what proves the protocol; without the annotation TSan reports this read, as it should), and
//   PYLON_SHM_ATOMIC_SNAPSHOT_COPY=1 selects the formally race-free word copy instead.
inline void seqlock_copy_out(void* dst, const void* src, std::size_t n) noexcept {
#if PYLON_SHM_ATOMIC_SNAPSHOT_COPY
  atomic_copy_out(dst, src, n);
#else
  if (n == 0) return;  // dst may be the null data() of an empty vector
  __asm__ __volatile__("" ::: "memory");
#if defined(PYLON_SHM_TSAN)
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  std::memcpy(dst, src, n);
#if defined(PYLON_SHM_TSAN)
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  __asm__ __volatile__("" ::: "memory");
#endif
}

// Copy n bytes into shared memory (dst 8-byte aligned; the tail word is zero-padded) with relaxed
// word stores.
inline void atomic_copy_in(void* dst, const void* src, std::size_t n) noexcept {
  auto* d = static_cast<std::uint64_t*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  std::size_t words = n / 8;
  for (std::size_t i = 0; i < words; ++i) {
    std::uint64_t w;
    std::memcpy(&w, s + i * 8, 8);
    __atomic_store_n(d + i, w, __ATOMIC_RELAXED);
  }
  std::size_t tail = n % 8;
  if (tail != 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, s + words * 8, tail);
    __atomic_store_n(d + words, w, __ATOMIC_RELAXED);
  }
}

inline std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}
inline std::uint64_t realtime_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace pylon::shm

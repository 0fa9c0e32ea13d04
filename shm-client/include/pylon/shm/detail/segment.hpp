// Mapping a named POSIX shared-memory segment, and validating a segment header before any of its
// counts or offsets are trusted. Validation works on a private copy of the header, so a writer (or
// an attacker with write access) changing it underneath cannot make a checked value unchecked.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::shm {

inline constexpr std::size_t kMaxNameLength = 200;

// shm_open wants "/name"; accept both spellings. Returns false when the name is unusable.
inline bool normalize_segment_name(const char* name, char (&out)[kMaxNameLength + 2]) noexcept {
  if (name == nullptr) return false;
  if (name[0] == '/') ++name;
  std::size_t n = std::strlen(name);
  if (n == 0 || n > kMaxNameLength) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (name[i] == '/') return false;
  }
  out[0] = '/';
  std::memcpy(out + 1, name, n + 1);
  return true;
}

// An mmap of a whole segment (owning) or a borrowed byte range (tests, fuzzing). Move-only.
class Mapping {
 public:
  Mapping() noexcept = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(Mapping&& o) noexcept { swap(o); }
  Mapping& operator=(Mapping&& o) noexcept {
    if (this != &o) {
      reset();
      swap(o);
    }
    return *this;
  }
  ~Mapping() { reset(); }

  static ShmResult<Mapping> open(const char* name, bool writable) noexcept {
    char path[kMaxNameLength + 2];
    if (!normalize_segment_name(name, path)) {
      return make_shm_error(Errc::invalid_argument, "segment name must be 1..%zu characters without '/'",
                            kMaxNameLength);
    }
    int fd = ::shm_open(path, writable ? O_RDWR : O_RDONLY, 0);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT) return make_shm_error(Errc::not_found, "no shared-memory segment %s", path);
      if (err == EACCES || err == EPERM) {
        return make_shm_error(Errc::permission, "no permission to open segment %s %s", path,
                              writable ? "read-write" : "read-only");
      }
      return make_shm_error(Errc::os_error, "shm_open %s: %s", path, std::strerror(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return make_shm_error(Errc::os_error, "fstat %s: %s", path, std::strerror(err));
    }
    if (st.st_size < static_cast<off_t>(kCacheLine)) {
      ::close(fd);
      return make_shm_error(Errc::truncated, "segment %s is only %lld bytes", path,
                            static_cast<long long>(st.st_size));
    }
    std::size_t size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    int err = errno;
    ::close(fd);
    if (p == MAP_FAILED) return make_shm_error(Errc::os_error, "mmap %s: %s", path, std::strerror(err));
    Mapping m;
    m.data_ = static_cast<unsigned char*>(p);
    m.size_ = size;
    m.owned_ = true;
    return m;
  }

  static Mapping borrow(const void* data, std::size_t size) noexcept {
    Mapping m;
    m.data_ = static_cast<unsigned char*>(const_cast<void*>(data));
    m.size_ = size;
    return m;
  }

  void reset() noexcept {
    if (owned_ && data_ != nullptr) ::munmap(data_, size_);
    data_ = nullptr;
    size_ = 0;
    owned_ = false;
  }
  unsigned char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return data_ == nullptr; }

 private:
  void swap(Mapping& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(owned_, o.owned_);
  }
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  bool owned_ = false;
};

namespace detail {
inline ShmStatus check_identity(std::uint64_t magic, std::uint64_t want_magic, const char* kind,
                                std::uint32_t abi, std::uint32_t want_abi) noexcept {
  if (magic != want_magic) {
    if (magic == kSnapshotMagic || magic == kQueueMagic || magic == kAckMagic) {
      return make_shm_error(Errc::bad_magic, "not a %s segment (it is the other Pylon segment kind)", kind);
    }
    return make_shm_error(Errc::bad_magic, "not a Pylon %s segment (magic 0x%016llx)", kind,
                          static_cast<unsigned long long>(magic));
  }
  if (abi != want_abi) {
    return make_shm_error(Errc::abi_mismatch,
                          "%s segment has ABI version %u but this client speaks ABI version %u; "
                          "rebuild the client against the daemon's shm-client headers",
                          kind, abi, want_abi);
  }
  return {};
}
// [off, off+len) inside [lo, hi) and 8-byte aligned; all values are bounded so no overflow.
inline bool region_ok(std::uint64_t off, std::uint64_t len, std::uint64_t lo, std::uint64_t hi) noexcept {
  return off % 8 == 0 && off >= lo && off <= hi && len <= hi - off;
}
}  // namespace detail

// Bytes between one mechanism's column and the next's (LAYOUT.md, "Mechanism area"): fixed by
// the neuron capacity, so a column's place never depends on what a slot holds.
inline std::uint64_t mechanism_last_update_stride(const SnapshotSegmentHeader& h) noexcept {
  return std::uint64_t{h.neuron_capacity} * 8;
}
inline std::uint64_t mechanism_incentive_stride(const SnapshotSegmentHeader& h) noexcept {
  return align_up(std::uint64_t{h.neuron_capacity} * 2, 8);
}

// Copy the header out of the mapping with word loads (race-free against a live writer).
template <class Header>
inline Header read_header(const unsigned char* base) noexcept {
  Header h;
  atomic_copy_out(&h, base, sizeof(Header));
  return h;
}

inline ShmStatus validate_snapshot_header(const SnapshotSegmentHeader& h, std::size_t mapped_size) noexcept {
  if (mapped_size < sizeof(SnapshotSegmentHeader)) {
    return make_shm_error(Errc::truncated, "snapshot segment is %zu bytes, smaller than its %zu-byte header",
                          mapped_size, sizeof(SnapshotSegmentHeader));
  }
  if (ShmStatus s = detail::check_identity(h.magic, kSnapshotMagic, "snapshot", h.abi_version, kAbiVersion);
      !s)
    return s;
  if (h.header_size != sizeof(SnapshotSegmentHeader)) {
    return make_shm_error(Errc::corrupt, "snapshot header_size %u, expected %zu", h.header_size,
                          sizeof(SnapshotSegmentHeader));
  }
  if (h.segment_size > mapped_size) {
    return make_shm_error(Errc::truncated, "snapshot segment claims %llu bytes but only %zu are mapped",
                          static_cast<unsigned long long>(h.segment_size), mapped_size);
  }
  if (h.slot_count < 1 || h.slot_count > kMaxSlots || h.neuron_capacity > kMaxNeurons ||
      h.commitment_capacity > kMaxCommitments || h.commitment_data_capacity > kMaxCommitmentDataCapacity ||
      h.commitment_data_capacity % 8 != 0) {
    return make_shm_error(Errc::corrupt,
                          "snapshot geometry out of range (slots %u, neurons %u, commitments %u, "
                          "data %u)",
                          h.slot_count, h.neuron_capacity, h.commitment_capacity, h.commitment_data_capacity);
  }
  if (h.mechanism_capacity < 1 || h.mechanism_capacity > kMaxMechanisms) {
    return make_shm_error(Errc::corrupt, "snapshot mechanism capacity %u out of range 1..%u",
                          h.mechanism_capacity, kMaxMechanisms);
  }
  if (h.neuron_record_size != sizeof(NeuronRecord) || h.commitment_record_size != sizeof(CommitmentRecord) ||
      h.mechanism_record_size != sizeof(MechanismRecord)) {
    return make_shm_error(Errc::corrupt, "snapshot record sizes %u/%u/%u, expected %zu/%zu/%zu",
                          h.neuron_record_size, h.commitment_record_size, h.mechanism_record_size,
                          sizeof(NeuronRecord), sizeof(CommitmentRecord), sizeof(MechanismRecord));
  }
  const std::uint64_t slot = h.slot_size;
  if (slot % kCacheLine != 0 || h.slots_offset % kCacheLine != 0 ||
      h.slots_offset < sizeof(SnapshotSegmentHeader) || h.slots_offset > h.segment_size ||
      slot * h.slot_count > h.segment_size - h.slots_offset) {
    return make_shm_error(Errc::corrupt, "snapshot slots (offset %llu, %u x %u bytes) do not fit the segment",
                          static_cast<unsigned long long>(h.slots_offset), h.slot_count, h.slot_size);
  }
  using detail::region_ok;
  std::uint64_t index_bytes = align_up(std::uint64_t{h.neuron_capacity} * 2, 8);
  const std::uint64_t extra_mechanisms = h.mechanism_capacity - 1;  // mechanism 0's fields are the rows
  bool ok =
      region_ok(h.meta_offset, sizeof(SnapshotMeta), sizeof(SlotHeader), slot) &&
      region_ok(h.neurons_offset, std::uint64_t{h.neuron_capacity} * sizeof(NeuronRecord),
                h.meta_offset + sizeof(SnapshotMeta), slot) &&
      region_ok(h.hotkey_index_offset, index_bytes,
                h.neurons_offset + std::uint64_t{h.neuron_capacity} * sizeof(NeuronRecord), slot) &&
      region_ok(h.commitments_offset, std::uint64_t{h.commitment_capacity} * sizeof(CommitmentRecord),
                h.hotkey_index_offset + index_bytes, slot) &&
      region_ok(h.commitment_data_offset, h.commitment_data_capacity,
                h.commitments_offset + std::uint64_t{h.commitment_capacity} * sizeof(CommitmentRecord),
                slot) &&
      region_ok(h.mechanisms_offset, std::uint64_t{h.mechanism_capacity} * sizeof(MechanismRecord),
                std::uint64_t{h.commitment_data_offset} + h.commitment_data_capacity, slot) &&
      region_ok(h.mechanism_last_update_offset, extra_mechanisms * mechanism_last_update_stride(h),
                h.mechanisms_offset + std::uint64_t{h.mechanism_capacity} * sizeof(MechanismRecord), slot) &&
      region_ok(h.mechanism_incentives_offset, extra_mechanisms * mechanism_incentive_stride(h),
                h.mechanism_last_update_offset + extra_mechanisms * mechanism_last_update_stride(h), slot);
  if (!ok) return make_shm_error(Errc::corrupt, "snapshot slot regions overlap or leave the slot");
  return {};
}

inline ShmStatus validate_queue_header(const QueueSegmentHeader& h, std::size_t mapped_size) noexcept {
  if (mapped_size < sizeof(QueueSegmentHeader)) {
    return make_shm_error(Errc::truncated, "queue segment is %zu bytes, smaller than its %zu-byte header",
                          mapped_size, sizeof(QueueSegmentHeader));
  }
  if (ShmStatus s =
          detail::check_identity(h.magic, kQueueMagic, "weight-queue", h.abi_version, kQueueAbiVersion);
      !s)
    return s;
  if (h.header_size != sizeof(QueueSegmentHeader) || h.entry_size != sizeof(WeightEntry)) {
    return make_shm_error(Errc::corrupt, "queue header_size %u / entry_size %u, expected %zu / %zu",
                          h.header_size, h.entry_size, sizeof(QueueSegmentHeader), sizeof(WeightEntry));
  }
  if (h.segment_size > mapped_size) {
    return make_shm_error(Errc::truncated, "queue segment claims %llu bytes but only %zu are mapped",
                          static_cast<unsigned long long>(h.segment_size), mapped_size);
  }
  const std::uint32_t cap = h.ring_capacity;
  if (h.producer_slots < 1 || h.producer_slots > kMaxProducerSlots || cap < 2 || cap > kMaxRingCapacity ||
      (cap & (cap - 1)) != 0 || h.lease_timeout_ms == 0 || h.lease_timeout_ms > 86400000ULL) {
    return make_shm_error(Errc::corrupt, "queue geometry out of range (slots %u, capacity %u, lease %llu ms)",
                          h.producer_slots, cap, static_cast<unsigned long long>(h.lease_timeout_ms));
  }
  const std::uint64_t need = sizeof(ProducerSlotControl) + std::uint64_t{cap} * sizeof(WeightEntry);
  if (h.slot_stride < need || h.slot_stride % kCacheLine != 0 || h.slots_offset % kCacheLine != 0 ||
      h.slots_offset < sizeof(QueueSegmentHeader) || h.slots_offset > h.segment_size ||
      std::uint64_t{h.slot_stride} * h.producer_slots > h.segment_size - h.slots_offset) {
    return make_shm_error(Errc::corrupt,
                          "queue producer slots (offset %llu, %u x %u bytes) do not fit the segment",
                          static_cast<unsigned long long>(h.slots_offset), h.producer_slots, h.slot_stride);
  }
  return {};
}

// The ack segment of queue segment q (already validated): same generation and slots, and its
// slot table inside the mapping.
inline ShmStatus validate_ack_header(const AckSegmentHeader& a, std::size_t mapped_size,
                                     const QueueSegmentHeader& q) noexcept {
  if (mapped_size < sizeof(AckSegmentHeader)) {
    return make_shm_error(Errc::truncated, "ack segment is %zu bytes, smaller than its %zu-byte header",
                          mapped_size, sizeof(AckSegmentHeader));
  }
  if (ShmStatus s =
          detail::check_identity(a.magic, kAckMagic, "weight-queue ack", a.abi_version, kQueueAbiVersion);
      !s) {
    return s;
  }
  if (a.header_size != sizeof(AckSegmentHeader) || a.slot_stride != sizeof(AckSlot)) {
    return make_shm_error(Errc::corrupt, "ack header_size %u / slot_stride %u, expected %zu / %zu",
                          a.header_size, a.slot_stride, sizeof(AckSegmentHeader), sizeof(AckSlot));
  }
  if (a.generation != q.generation) {
    // The daemon is replacing the queue (or just replaced it): one of the two names is newer.
    return make_shm_error(
        Errc::retired, "ack segment generation %llu does not match the queue's %llu; reopen",
        static_cast<unsigned long long>(a.generation), static_cast<unsigned long long>(q.generation));
  }
  if (a.segment_size > mapped_size || a.producer_slots != q.producer_slots ||
      a.slots_offset % kCacheLine != 0 || a.slots_offset < sizeof(AckSegmentHeader) ||
      a.slots_offset > a.segment_size ||
      std::uint64_t{a.slot_stride} * a.producer_slots > a.segment_size - a.slots_offset) {
    return make_shm_error(Errc::corrupt, "ack slots (offset %llu, %u slots) do not fit the segment",
                          static_cast<unsigned long long>(a.slots_offset), a.producer_slots);
  }
  return {};
}

}  // namespace pylon::shm

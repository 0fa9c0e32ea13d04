// Reading the metagraph snapshot: a consistent private copy (Snapshot), an in-place view checked
// for validity afterwards (LiveView), single-neuron lookups and freshness. All calls are noexcept.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/futex.hpp"
#include "pylon/shm/detail/pod_buffer.hpp"
#include "pylon/shm/detail/segment.hpp"
#include "pylon/shm/detail/snapshot_protocol.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::shm {

struct CommitmentView {
  const std::uint8_t* hotkey = nullptr;  // 32 bytes
  const std::uint8_t* data = nullptr;
  std::uint32_t size = 0;
  std::uint64_t block = 0;
};

// One mechanism (sub-subnet) of a copied Snapshot: its emission share and its per-uid fields
// (what subtensor keeps per mechanism: incentive and last_update; every other field of a neuron
// is the subnet's, the same in every mechanism). Mechanism 0's fields are the neuron rows' own.
// A view into the Snapshot it came from: valid while that Snapshot lives and is not copied into.
class MechanismView {
 public:
  std::uint32_t id() const noexcept { return id_; }
  // False for a mechanism the subnet does not have at this block (or when the daemon could not
  // read the count, for every mechanism but 0): every other accessor then answers nothing.
  bool exists() const noexcept { return exists_; }
  // Its part of the subnet's emission, of 65535 (MechanismEmissionSplit); false when the subnet
  // has no split stored.
  bool has_emission_share() const noexcept { return (record_.flags & kMechanismHasEmissionShare) != 0; }
  std::uint16_t emission_share() const noexcept { return has_emission_share() ? record_.emission_share : 0; }
  // True when incentive() and last_update() hold this block's values; false when the daemon could
  // not read them (a runtime without get_selective_mechagraph, or the node refused the call).
  bool has_fields() const noexcept { return (record_.flags & kMechanismHasFields) != 0; }
  std::size_t neuron_count() const noexcept { return neuron_count_; }
  // uid's value, u16 fixed point (x / 65535); 0 when uid >= neuron_count() or !has_fields().
  std::uint16_t incentive(std::size_t uid) const noexcept {
    if (!has_fields() || uid >= neuron_count_) return 0;
    return rows_ != nullptr ? rows_[uid].incentive : incentives_[uid];
  }
  // The block uid last set weights on this mechanism; 0 as for incentive().
  std::uint64_t last_update(std::size_t uid) const noexcept {
    if (!has_fields() || uid >= neuron_count_) return 0;
    return rows_ != nullptr ? rows_[uid].last_update : last_update_[uid];
  }
  // Mechanism m >= 1's columns (neuron_count() entries; nullptr for mechanism 0, whose values are
  // the rows' incentive/last_update fields, and without has_fields()).
  const std::uint16_t* incentives() const noexcept { return has_fields() ? incentives_ : nullptr; }
  const std::uint64_t* last_updates() const noexcept { return has_fields() ? last_update_ : nullptr; }

 private:
  friend class Snapshot;
  std::uint32_t id_ = 0;
  bool exists_ = false;
  MechanismRecord record_{};
  std::size_t neuron_count_ = 0;
  const NeuronRecord* rows_ = nullptr;  // mechanism 0
  const std::uint16_t* incentives_ = nullptr;
  const std::uint64_t* last_update_ = nullptr;
};

// A consistent snapshot owned by the caller. Reuse one object across copies: its buffers keep
// their capacity, so steady-state copies do not allocate. Movable, not copyable (copy into a
// second Snapshot with reader.copy instead).
class Snapshot {
 public:
  const SnapshotMeta& meta() const noexcept { return meta_; }
  std::uint64_t block_number() const noexcept { return meta_.block_number; }
  std::uint64_t timestamp_ms() const noexcept { return meta_.timestamp_ms; }
  const std::uint8_t* block_hash() const noexcept { return meta_.block_hash; }
  const Hyperparams& hyperparams() const noexcept { return meta_.hyperparams; }
  std::uint64_t generation() const noexcept { return generation_; }

  std::size_t neuron_count() const noexcept { return meta_.neuron_count; }
  const NeuronRecord* neurons() const noexcept { return neurons_.data(); }
  // Row for uid (uid < neuron_count()).
  const NeuronRecord& neuron(std::size_t uid) const noexcept { return neurons_[uid]; }
  // Binary search of the hotkey index; nullptr when the hotkey is not registered.
  const NeuronRecord* find(const std::uint8_t* hotkey) const noexcept {
    const int uid = find_in_hotkey_index(
        meta_.neuron_count, [&](std::size_t i) { return index_[i]; },
        [&](std::uint16_t u) { return std::memcmp(neurons_[u].hotkey, hotkey, 32); });
    return uid < 0 ? nullptr : &neurons_[static_cast<std::size_t>(uid)];
  }

  std::size_t commitment_count() const noexcept { return meta_.commitment_count; }
  // Commitment i (an empty view when i >= commitment_count()).
  CommitmentView commitment(std::size_t i) const noexcept {
    if (i >= meta_.commitment_count) return CommitmentView{};
    const CommitmentRecord& r = commitments_[i];
    return CommitmentView{r.hotkey, data_.data() + r.data_offset, r.data_len, r.block};
  }

  // The subnet's mechanisms (sub-subnets) at this block: 1 on a runtime without them; 0 when the
  // daemon could not read them (mechanism 0, the rows, is still there). Every call above reads
  // mechanism 0.
  std::uint32_t mechanism_count() const noexcept { return meta_.mechanism_count; }
  // Mechanism m (exists() false when the subnet has no mechanism m at this block).
  MechanismView mechanism(std::uint32_t m) const noexcept {
    MechanismView v;
    v.id_ = m;
    v.neuron_count_ = meta_.neuron_count;
    if (m == 0) {
      v.exists_ = true;
      v.rows_ = neurons_.data();
      if (meta_.mechanism_count > 0) v.record_ = mechanisms_[0];
      v.record_.flags |= kMechanismHasFields;  // the rows' own fields, whatever the record says
      return v;
    }
    if (m >= meta_.mechanism_count) return MechanismView{};
    v.exists_ = true;
    v.record_ = mechanisms_[m];
    v.incentives_ = mech_incentives_.data() + std::size_t{m - 1} * meta_.neuron_count;
    v.last_update_ = mech_last_update_.data() + std::size_t{m - 1} * meta_.neuron_count;
    return v;
  }
  // uid's incentive / last_update on mechanism m (0: the row's own fields, as neuron(uid) has
  // them); 0 when the mechanism or its fields are not there (mechanism(m) says which).
  std::uint16_t incentive(std::size_t uid, std::uint32_t m = 0) const noexcept {
    return mechanism(m).incentive(uid);
  }
  std::uint64_t last_update(std::size_t uid, std::uint32_t m = 0) const noexcept {
    return mechanism(m).last_update(uid);
  }

 private:
  friend class SnapshotReader;
  SnapshotMeta meta_{};
  std::uint64_t generation_ = 0;
  // Where the copy came from (slot and its even seq): SnapshotReader::is_newest compares them.
  const unsigned char* slot_ = nullptr;
  std::uint64_t slot_seq_ = 0;
  detail::PodBuffer<NeuronRecord> neurons_;
  detail::PodBuffer<std::uint16_t> index_;
  detail::PodBuffer<CommitmentRecord> commitments_;
  detail::PodBuffer<std::uint8_t> data_;
  // The mechanism area's used part: mechanism_count records, then (count - 1) columns of
  // neuron_count entries each, one after another (mechanism m's at (m - 1) * neuron_count).
  detail::PodBuffer<MechanismRecord> mechanisms_;
  detail::PodBuffer<std::uint16_t> mech_incentives_;
  detail::PodBuffer<std::uint64_t> mech_last_update_;
};

// Checks a copied (consistent) snapshot before handing it out: a consistent but garbage slot
// (corrupt segment) must give an error, never an out-of-bounds access later.
inline ShmStatus check_snapshot_rows(const SnapshotMeta& m, const std::uint16_t* index,
                                     const CommitmentRecord* commitments) noexcept {
  for (std::uint32_t i = 0; i < m.neuron_count; ++i) {
    if (index[i] >= m.neuron_count) {
      return make_shm_error(Errc::corrupt, "hotkey index entry %u points at uid %u beyond %u neurons", i,
                            index[i], m.neuron_count);
    }
  }
  for (std::uint32_t i = 0; i < m.commitment_count; ++i) {
    const CommitmentRecord& c = commitments[i];
    if (c.data_len > kMaxCommitmentBytes || c.data_offset > m.commitment_data_size ||
        c.data_len > m.commitment_data_size - c.data_offset) {
      return make_shm_error(Errc::corrupt, "commitment %u data [%u, +%u) outside the %u-byte data area", i,
                            c.data_offset, c.data_len, m.commitment_data_size);
    }
  }
  return {};
}

inline ShmStatus check_meta_counts(const SnapshotMeta& m, const SnapshotSegmentHeader& h) noexcept {
  if (m.neuron_count > h.neuron_capacity || m.commitment_count > h.commitment_capacity ||
      m.commitment_data_size > h.commitment_data_capacity || m.mechanism_count > h.mechanism_capacity) {
    return make_shm_error(Errc::corrupt,
                          "snapshot counts (neurons %u, commitments %u, data %u, mechanisms %u) exceed "
                          "capacity (%u, %u, %u, %u)",
                          m.neuron_count, m.commitment_count, m.commitment_data_size, m.mechanism_count,
                          h.neuron_capacity, h.commitment_capacity, h.commitment_data_capacity,
                          h.mechanism_capacity);
  }
  return {};
}

// In-place view of the current slot. Every accessor copies the few words it needs (race-free);
// call valid() after reading: if false, the writer reused the slot meanwhile and whatever was read
// must be discarded.
class LiveView {
 public:
  const SnapshotMeta& meta() const noexcept { return meta_; }
  std::uint64_t block_number() const noexcept { return meta_.block_number; }
  std::size_t neuron_count() const noexcept { return meta_.neuron_count; }
  NeuronRecord neuron(std::size_t uid) const noexcept {
    NeuronRecord r{};
    if (uid < meta_.neuron_count) atomic_copy_out(&r, neurons_ + uid * sizeof(NeuronRecord), sizeof(r));
    return r;
  }
  // Stake of uid without copying the row: the kind of column scan the fixed stride is for.
  std::uint64_t stake(std::size_t uid) const noexcept {
    if (uid >= meta_.neuron_count) return 0;
    return load_relaxed(reinterpret_cast<const std::uint64_t*>(neurons_ + uid * sizeof(NeuronRecord) +
                                                               offsetof(NeuronRecord, stake)));
  }
  bool find(const std::uint8_t* hotkey, NeuronRecord& out) const noexcept {
    const int uid = find_in_hotkey_index(
        meta_.neuron_count, [&](std::size_t i) { return index_at(i); },
        [&](std::uint16_t u) {
          std::uint8_t key[32];
          atomic_copy_out(key, neurons_ + std::size_t{u} * sizeof(NeuronRecord), 32);
          return std::memcmp(key, hotkey, 32);
        });
    if (uid < 0) return false;
    out = neuron(static_cast<std::size_t>(uid));
    return true;
  }
  bool valid() const noexcept { return end_read(read_); }

 private:
  friend class SnapshotReader;
  std::uint16_t index_at(std::size_t i) const noexcept {
    std::uint64_t w = load_relaxed(reinterpret_cast<const std::uint64_t*>(index_ + (i / 4) * 8));
    std::uint16_t v;
    std::memcpy(&v, reinterpret_cast<const unsigned char*>(&w) + (i % 4) * 2, 2);
    return v;
  }
  SlotRead read_{};
  SnapshotMeta meta_{};
  const unsigned char* neurons_ = nullptr;
  const unsigned char* index_ = nullptr;
};

struct ReaderOptions {
  // Copies retried this many times while the writer keeps rewriting the slot before Errc::busy.
  std::uint32_t max_attempts = 100000;
  // A writer heartbeat older than this makes the reader look for a newer generation by name.
  std::uint64_t stale_writer_ns = 5'000'000'000ULL;
};

struct Freshness {
  std::uint64_t block_number = 0;
  std::int64_t block_age_ms = 0;  // now (realtime) - block timestamp
  std::uint64_t writer_heartbeat_age_ns = 0;
  std::uint64_t generation = 0;
};

class SnapshotReader {
 public:
  SnapshotReader() noexcept = default;

  // Map the named segment read-only and validate it (magic, ABI version, geometry).
  static ShmResult<SnapshotReader> open(const char* name, ReaderOptions opts = {}) noexcept {
    ShmResult<Mapping> m = Mapping::open(name, /*writable=*/false);
    if (!m) return m.error();
    SnapshotReader r;
    if (ShmStatus s = r.adopt(std::move(m).value()); !s) return s.error();
    std::strncpy(r.name_, name, sizeof(r.name_) - 1);
    r.opts_ = opts;
    return r;
  }
  // Read a segment image in caller memory (tests, fuzzing); it is never reattached. data must be
  // 8-byte aligned.
  static ShmResult<SnapshotReader> attach(const void* data, std::size_t size,
                                          ReaderOptions opts = {}) noexcept {
    SnapshotReader r;
    if (ShmStatus s = r.adopt(Mapping::borrow(data, size)); !s) return s.error();
    r.opts_ = opts;
    return r;
  }

  const SnapshotSegmentHeader& geometry() const noexcept { return geo_; }
  std::uint64_t generation() const noexcept { return geo_.generation; }
  // Number of times this reader switched to a new generation.
  std::uint64_t reattach_count() const noexcept { return reattaches_; }
  std::uint64_t retries() const noexcept { return retries_; }

  // Copy the newest snapshot consistently into out.
  ShmStatus copy(Snapshot& out) noexcept {
    if (ShmStatus s = follow_generation(); !s) return s;
    // Capacity once, so the copy loop never allocates and sizes below never exceed it. No
    // exceptions: the client builds with -fno-exceptions too.
    if (!out.neurons_.reserve(geo_.neuron_capacity) || !out.index_.reserve(geo_.neuron_capacity) ||
        !out.commitments_.reserve(geo_.commitment_capacity) ||
        !out.data_.reserve(geo_.commitment_data_capacity) ||
        !out.mechanisms_.reserve(geo_.mechanism_capacity) ||
        !out.mech_incentives_.reserve(std::size_t{geo_.mechanism_capacity - 1} * geo_.neuron_capacity) ||
        !out.mech_last_update_.reserve(std::size_t{geo_.mechanism_capacity - 1} * geo_.neuron_capacity)) {
      return make_shm_error(Errc::no_memory, "cannot allocate a snapshot copy");
    }
    for (std::uint32_t attempt = 0;; ++attempt) {
      SnapshotMeta m;
      ShmResult<SlotRead> r = begin_slot(attempt, m);
      if (!r) return r.error();
      const unsigned char* slot = r->slot;
      // resize within reserved capacity: no allocation, and value-initialisation only on growth.
      out.neurons_.resize(m.neuron_count);
      out.index_.resize(m.neuron_count);
      out.commitments_.resize(m.commitment_count);
      out.data_.resize(m.commitment_data_size);
      // The tables go through seqlock_copy_out (memcpy; atomic_words.hpp says why that is sound);
      // m above was copied with atomic loads because its counts size these copies.
      seqlock_copy_out(out.neurons_.data(), slot + geo_.neurons_offset,
                       std::size_t{m.neuron_count} * sizeof(NeuronRecord));
      seqlock_copy_out(out.index_.data(), slot + geo_.hotkey_index_offset, std::size_t{m.neuron_count} * 2);
      seqlock_copy_out(out.commitments_.data(), slot + geo_.commitments_offset,
                       std::size_t{m.commitment_count} * sizeof(CommitmentRecord));
      seqlock_copy_out(out.data_.data(), slot + geo_.commitment_data_offset, m.commitment_data_size);
      // The mechanism area: a subnet with one mechanism copies one record and no column.
      const std::uint32_t extra = m.mechanism_count > 1 ? m.mechanism_count - 1 : 0;
      out.mechanisms_.resize(m.mechanism_count);
      out.mech_incentives_.resize(std::size_t{extra} * m.neuron_count);
      out.mech_last_update_.resize(std::size_t{extra} * m.neuron_count);
      seqlock_copy_out(out.mechanisms_.data(), slot + geo_.mechanisms_offset,
                       std::size_t{m.mechanism_count} * sizeof(MechanismRecord));
      for (std::uint32_t k = 0; k < extra; ++k) {
        const std::size_t first = std::size_t{k} * m.neuron_count;
        seqlock_copy_out(out.mech_last_update_.data() + first,
                         slot + geo_.mechanism_last_update_offset + k * mechanism_last_update_stride(geo_),
                         std::size_t{m.neuron_count} * 8);
        seqlock_copy_out(out.mech_incentives_.data() + first,
                         slot + geo_.mechanism_incentives_offset + k * mechanism_incentive_stride(geo_),
                         std::size_t{m.neuron_count} * 2);
      }
      if (!end_read(*r)) {
        ++retries_;
        continue;
      }
      out.meta_ = m;
      out.generation_ = geo_.generation;
      out.slot_ = r->slot;
      out.slot_seq_ = r->seq;
      return check_snapshot_rows(m, out.index_.data(), out.commitments_.data());
    }
  }

  // True when `s` (a copy this reader made) is still the newest snapshot: same generation, and the
  // current slot is the one it was copied from with the same sequence (a slot written again gets
  // a new one). Lets a caller that copies on every call skip a copy of identical bytes; costs a
  // few atomic loads. Errors as copy() reports them (retired, not_live, ...).
  ShmResult<bool> is_newest(const Snapshot& s) noexcept {
    if (ShmStatus st = follow_generation(); !st) return st.error();
    if (s.slot_ == nullptr || s.generation_ != geo_.generation) return false;
    ShmResult<SlotRead> r = begin_read(map_.data(), geo_);
    if (!r) {
      if (r.code() == Errc::busy) return false;  // being written: a new one is coming
      return r.error();
    }
    return r->slot == s.slot_ && r->seq == s.slot_seq_;
  }

  // Zero-copy view of the current slot; check view.valid() after using what you read.
  ShmResult<LiveView> view() noexcept {
    if (ShmStatus s = follow_generation(); !s) return s.error();
    std::uint32_t attempt = 0;
    LiveView v;
    ShmResult<SlotRead> r = begin_slot(attempt, v.meta_);
    if (!r) return r.error();
    v.read_ = *r;
    v.neurons_ = r->slot + geo_.neurons_offset;
    v.index_ = r->slot + geo_.hotkey_index_offset;
    return v;
  }

  ShmResult<NeuronRecord> neuron_by_uid(std::uint16_t uid) noexcept {
    return lookup([uid](const LiveView& v, NeuronRecord& out) -> Errc {
      if (uid >= v.neuron_count()) return Errc::out_of_range;
      out = v.neuron(uid);
      return Errc::ok;
    });
  }
  ShmResult<NeuronRecord> neuron_by_hotkey(const std::uint8_t* hotkey) noexcept {
    if (hotkey == nullptr) return make_shm_error(Errc::invalid_argument, "null hotkey");
    return lookup([hotkey](const LiveView& v, NeuronRecord& out) -> Errc {
      return v.find(hotkey, out) ? Errc::ok : Errc::no_such_neuron;
    });
  }

  ShmResult<std::uint64_t> block_number() noexcept {
    ShmResult<Freshness> f = freshness();
    if (!f) return f.error();
    return f->block_number;
  }

  ShmResult<Freshness> freshness() noexcept {
    for (int attempt = 0; attempt < 3; ++attempt) {
      ShmResult<LiveView> v = view();
      if (!v) return v.error();
      Freshness f;
      f.block_number = v->meta().block_number;
      std::uint64_t ts = v->meta().timestamp_ms;
      if (!v->valid()) continue;
      f.block_age_ms = static_cast<std::int64_t>(realtime_ns() / 1000000ULL) - static_cast<std::int64_t>(ts);
      f.writer_heartbeat_age_ns = heartbeat_age_ns();
      f.generation = geo_.generation;
      return f;
    }
    return make_shm_error(Errc::busy, "the writer kept rewriting the snapshot");
  }

  // Sleep until a snapshot of a block after `after` is published (or timeout: Errc::timeout) and
  // return its block number. No polling loop: it sleeps on the segment's publish futex
  // (snapshot_protocol.hpp), which the daemon wakes on every publish. Each sleep is capped at
  // kMaxFutexSleepNs so a writer that never wakes (a crashed daemon, whose replacement is found by
  // name after ReaderOptions::stale_writer_ns) is still followed. Before the daemon's first
  // snapshot (Errc::no_snapshot) and while the name is missing (Errc::not_found, a restart) it
  // keeps waiting.
  ShmResult<std::uint64_t> wait_for_block(std::uint64_t after, std::chrono::nanoseconds timeout) noexcept {
    constexpr std::uint64_t kMaxFutexSleepNs = 200'000'000;
    const std::uint64_t deadline =
        monotonic_ns() + static_cast<std::uint64_t>(timeout.count() > 0 ? timeout.count() : 0);
    for (;;) {
      if (map_.empty()) return make_shm_error(Errc::invalid_argument, "reader not open");
      // Read the futex word before the condition: a publish in between changes it, and the wait
      // below then returns at once instead of missing the wake-up.
      const std::uint64_t gen = reattaches_;
      const std::uint32_t* word = publish_futex(map_.data());
      const std::uint32_t seen = load_acquire(word);
      ShmResult<std::uint64_t> b = block_number();
      if (b && *b > after) return *b;
      if (!b && b.code() != Errc::no_snapshot && b.code() != Errc::retired && b.code() != Errc::not_found) {
        return b.error();
      }
      const std::uint64_t now = monotonic_ns();
      if (now >= deadline) {
        return make_shm_error(Errc::timeout, "no snapshot after block %llu within the timeout",
                              static_cast<unsigned long long>(after));
      }
      if (reattaches_ != gen) continue;  // the mapping changed under `word`: look again
      std::uint64_t left = deadline - now;
      futex_wait_shared(word, seen, left < kMaxFutexSleepNs ? left : kMaxFutexSleepNs);
    }
  }

  std::uint64_t heartbeat_age_ns() const noexcept {
    std::uint64_t hb =
        load_relaxed(&reinterpret_cast<const SnapshotSegmentHeader*>(map_.data())->heartbeat_ns);
    std::uint64_t now = monotonic_ns();
    return now > hb ? now - hb : 0;
  }

  // Look the name up again and switch to it when it holds another generation. Called by every
  // read when the segment is retired or its writer looks dead; callable directly too.
  ShmStatus reattach() noexcept {
    if (name_[0] == '\0') return make_shm_error(Errc::retired, "borrowed segment image cannot be reattached");
    ShmResult<Mapping> m = Mapping::open(name_, /*writable=*/false);
    // A new daemon creates its segment under the name, sizes it, then formats its header: between
    // those steps the name holds a file too short or still zero. That is a replacement on its
    // way, not a bad segment: answered as not_found, which wait_for_block waits through.
    if (!m && m.code() == Errc::truncated) {
      return make_shm_error(Errc::not_found, "the segment under the name is being created");
    }
    if (!m) return m.error();
    SnapshotSegmentHeader h = read_header<SnapshotSegmentHeader>(m->data());
    if (h.magic == 0) return make_shm_error(Errc::not_found, "the segment under the name is being created");
    if (ShmStatus s = validate_snapshot_header(h, m->size()); !s) return s;
    if (h.generation == geo_.generation) return {};
    map_ = std::move(m).value();
    geo_ = h;
    ++reattaches_;
    return {};
  }

 private:
  // The start of one read, for copy() and view(): a slot the writer is not writing and its meta,
  // whose counts fit the geometry. Retries while the writer is busy or rewrote the meta meanwhile,
  // counting attempts in `attempt` (the caller's budget of opts_.max_attempts, shared with its own
  // retries); a meta that is consistent and still out of bounds is corrupt.
  ShmResult<SlotRead> begin_slot(std::uint32_t& attempt, SnapshotMeta& m) noexcept {
    for (; attempt < opts_.max_attempts; ++attempt) {
      ShmResult<SlotRead> r = begin_read(map_.data(), geo_);
      if (!r) {
        if (r.code() == Errc::busy) {
          ++retries_;
          continue;
        }
        return r.error();
      }
      atomic_copy_out(&m, r->slot + geo_.meta_offset, sizeof(m));
      if (ShmStatus s = check_meta_counts(m, geo_); !s) {
        if (end_read(*r)) return s.error();
        ++retries_;
        continue;
      }
      return r;
    }
    return make_shm_error(Errc::busy, "the writer rewrote the snapshot during %u read attempts",
                          opts_.max_attempts);
  }

  template <class F>
  ShmResult<NeuronRecord> lookup(F&& f) noexcept {
    for (std::uint32_t attempt = 0; attempt < opts_.max_attempts; ++attempt) {
      ShmResult<LiveView> v = view();
      if (!v) return v.error();
      NeuronRecord out{};
      Errc e = f(*v, out);
      if (!v->valid()) {
        ++retries_;
        continue;
      }
      if (e == Errc::out_of_range) return make_shm_error(e, "uid beyond the %zu neurons", v->neuron_count());
      if (e == Errc::no_such_neuron) return make_shm_error(e, "hotkey not registered in the subnet");
      return out;
    }
    return make_shm_error(Errc::busy, "the writer rewrote the snapshot during %u read attempts",
                          opts_.max_attempts);
  }

  ShmStatus adopt(Mapping m) noexcept {
    if (m.data() == nullptr || m.size() < sizeof(SnapshotSegmentHeader)) {
      return make_shm_error(Errc::truncated,
                            "snapshot segment is %zu bytes, smaller than its %zu-byte header", m.size(),
                            sizeof(SnapshotSegmentHeader));
    }
    if (reinterpret_cast<std::uintptr_t>(m.data()) % 8 != 0) {
      return make_shm_error(Errc::invalid_argument, "segment image must be 8-byte aligned");
    }
    SnapshotSegmentHeader h = read_header<SnapshotSegmentHeader>(m.data());
    if (ShmStatus s = validate_snapshot_header(h, m.size()); !s) return s;
    map_ = std::move(m);
    geo_ = h;
    return {};
  }

  // A retired segment, or a writer silent for longer than stale_writer_ns, sends the reader to
  // the name to find the daemon's new generation. The heartbeat probe is rate-limited.
  ShmStatus follow_generation() noexcept {
    if (map_.empty()) return make_shm_error(Errc::invalid_argument, "reader not open");
    const auto* hdr = reinterpret_cast<const SnapshotSegmentHeader*>(map_.data());
    bool retired = load_acquire(&hdr->state) == static_cast<std::uint32_t>(SegmentState::retired);
    if (name_[0] == '\0') return {};
    if (!retired) {
      if (heartbeat_age_ns() <= opts_.stale_writer_ns) return {};
      std::uint64_t now = monotonic_ns();
      if (now - last_probe_ns_ < opts_.stale_writer_ns / 4) return {};
      last_probe_ns_ = now;
    }
    ShmStatus s = reattach();
    if (!s && retired) return s;  // still retired and no replacement yet: say why
    return {};
  }

  Mapping map_;
  SnapshotSegmentHeader geo_{};
  ReaderOptions opts_{};
  char name_[kMaxNameLength + 2] = {};
  std::uint64_t reattaches_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t last_probe_ns_ = 0;
};

}  // namespace pylon::shm

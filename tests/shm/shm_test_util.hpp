// Helpers for the shared-memory tests: unique segment names, raw segments built with the client's
// own protocol functions (so these tests need no daemon library and also build in the TSan tree),
// and a deterministic snapshot generator whose every byte a reader can check.
#pragma once

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "pylon/shm/client.hpp"
#include "pylon/shm/detail/queue_protocol.hpp"
#include "pylon/shm/detail/snapshot_protocol.hpp"
#include "pylon/shm/writer/queue_segments.hpp"
#include "pylon/shm/writer/snapshot_publish.hpp"

namespace pylon::shm::test {

inline std::string unique_name(const char* tag) {
  static std::atomic<int> counter{0};
  return std::string("pylon-test-") + tag + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter++);
}

// A named segment created and unlinked by the test (what the daemon does, minus policy).
class RawSegment {
 public:
  RawSegment(std::string name, std::size_t size) : name_("/" + std::move(name)), size_(size) {
    ::shm_unlink(name_.c_str());
    int fd = ::shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) std::abort();
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) std::abort();
    data_ = static_cast<unsigned char*>(p);
  }
  RawSegment(const RawSegment&) = delete;
  RawSegment& operator=(const RawSegment&) = delete;
  ~RawSegment() {
    ::munmap(data_, size_);
    if (!unlinked_) ::shm_unlink(name_.c_str());
  }
  void unlink() {
    ::shm_unlink(name_.c_str());
    unlinked_ = true;
  }
  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const char* name() const { return name_.c_str() + 1; }

 private:
  std::string name_;
  std::size_t size_;
  unsigned char* data_ = nullptr;
  bool unlinked_ = false;
};

inline std::uint64_t fnv1a(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Neuron `uid` as published at `block`: hotkey depends on uid only (so the index is a real sort),
// every other field on both.
inline NeuronRecord expected_neuron(std::uint64_t block, std::uint32_t uid) {
  NeuronRecord r{};
  for (int i = 0; i < 4; ++i) {
    std::uint64_t w = mix(uid * 4 + i + 1);
    std::memcpy(r.hotkey + i * 8, &w, 8);
    w = mix(block * 131 + uid * 4 + i);
    std::memcpy(r.coldkey + i * 8, &w, 8);
  }
  r.stake = block * 1000003 + uid;
  r.emission = mix(block ^ uid);
  r.last_update = block;
  r.axon_ip[0] = 10;
  r.axon_ip[3] = static_cast<std::uint8_t>(uid);
  r.axon_version = static_cast<std::uint32_t>(block);
  r.uid = static_cast<std::uint16_t>(uid);
  r.rank = static_cast<std::uint16_t>(block + uid);
  r.trust = static_cast<std::uint16_t>(block * 3 + uid);
  r.validator_trust = static_cast<std::uint16_t>(block * 5);
  r.consensus = static_cast<std::uint16_t>(uid * 7);
  r.incentive = static_cast<std::uint16_t>(block ^ uid);
  r.dividends = static_cast<std::uint16_t>(block);
  r.pruning_score = static_cast<std::uint16_t>(uid);
  r.axon_port = static_cast<std::uint16_t>(8000 + uid);
  r.validator_permit = static_cast<std::uint8_t>(uid % 2);
  r.active = 1;
  r.axon_ip_type = static_cast<std::uint8_t>(IpType::v4);
  r.axon_protocol = 4;
  return r;
}

inline std::uint32_t neuron_count_for(std::uint64_t block, std::uint32_t base) {
  return base - static_cast<std::uint32_t>(block % 17);
}

// Mechanism m as published at `block`: every mechanism has a share; mechanism 2 has no fields (the
// daemon could not read them), so its columns are zero; the others' columns depend on both.
inline MechanismRecord expected_mechanism(std::uint64_t block, std::uint32_t m) {
  MechanismRecord r{};
  r.emission_share = static_cast<std::uint16_t>(block * 13 + m);
  r.flags = kMechanismHasEmissionShare | (m == 2 ? 0 : kMechanismHasFields);
  return r;
}
inline std::uint16_t expected_mechanism_incentive(std::uint64_t block, std::uint32_t m, std::uint32_t uid) {
  return m == 2 ? 0 : static_cast<std::uint16_t>(block + m * 7 + uid);
}
inline std::uint64_t expected_mechanism_last_update(std::uint64_t block, std::uint32_t m, std::uint32_t uid) {
  return m == 2 ? 0 : block * 100 + m * 10 + uid;
}

// Builds and publishes the snapshot for a block straight through the protocol.
class TestPublisher {
 public:
  // `mechanisms`: the mechanism count every snapshot has (at most the geometry's capacity).
  TestPublisher(unsigned char* base, const SnapshotSegmentHeader& geo, std::uint32_t neurons,
                std::uint32_t mechanisms = 1)
      : base_(base), geo_(geo), base_neurons_(neurons), mechanism_count_(mechanisms) {}

  void publish(std::uint64_t block) {
    std::uint32_t n = neuron_count_for(block, base_neurons_);
    neurons_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) neurons_[i] = expected_neuron(block, i);
    index_.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) index_[i] = static_cast<std::uint16_t>(i);
    std::sort(index_.begin(), index_.end(), [&](std::uint16_t a, std::uint16_t b) {
      return std::memcmp(neurons_[a].hotkey, neurons_[b].hotkey, 32) < 0;
    });
    // Commitment 0 carries the checksum of the neuron table; the others block-derived bytes.
    std::uint32_t commitments = 1 + static_cast<std::uint32_t>(block % 5);
    commitments_.assign(commitments, CommitmentRecord{});
    data_.clear();
    std::uint64_t sum = fnv1a(neurons_.data(), n * sizeof(NeuronRecord));
    data_.resize(8);
    std::memcpy(data_.data(), &sum, 8);
    commitments_[0].data_len = 8;
    commitments_[0].block = block;
    for (std::uint32_t c = 1; c < commitments; ++c) {
      commitments_[c].data_offset = static_cast<std::uint32_t>(data_.size());
      commitments_[c].data_len = c * 3;
      commitments_[c].block = block;
      std::memcpy(commitments_[c].hotkey, neurons_[c % n].hotkey, 32);
      for (std::uint32_t k = 0; k < c * 3; ++k) data_.push_back(static_cast<std::uint8_t>(block + c + k));
    }
    meta_ = SnapshotMeta{};
    meta_.block_number = block;
    meta_.timestamp_ms = realtime_ns() / 1000000ULL;
    for (int i = 0; i < 32; ++i) meta_.block_hash[i] = static_cast<std::uint8_t>(block * 7 + i);
    meta_.neuron_count = n;
    meta_.commitment_count = commitments;
    meta_.commitment_data_size = static_cast<std::uint32_t>(data_.size());
    meta_.hyperparams.tempo = static_cast<std::uint16_t>(block);
    meta_.hyperparams.max_burn = block * 11;
    meta_.mechanism_count = mechanism_count_;
    mechanisms_.clear();
    incentives_.clear();
    last_update_.clear();
    for (std::uint32_t m = 0; m < mechanism_count_; ++m) {
      mechanisms_.push_back(expected_mechanism(block, m));
      for (std::uint32_t uid = 0; m > 0 && uid < n; ++uid) {
        incentives_.push_back(expected_mechanism_incentive(block, m, uid));
        last_update_.push_back(expected_mechanism_last_update(block, m, uid));
      }
    }
    publish_snapshot(base_, geo_,
                     SlotImage{&meta_, neurons_.data(), index_.data(), commitments_.data(), data_.data(),
                               mechanisms_.data(), last_update_.data(), incentives_.data()});
  }

 private:
  unsigned char* base_;
  SnapshotSegmentHeader geo_;
  std::uint32_t base_neurons_;
  std::uint32_t mechanism_count_;
  std::vector<MechanismRecord> mechanisms_;
  std::vector<std::uint16_t> incentives_;
  std::vector<std::uint64_t> last_update_;
  SnapshotMeta meta_{};
  std::vector<NeuronRecord> neurons_;
  std::vector<std::uint16_t> index_;
  std::vector<CommitmentRecord> commitments_;
  std::vector<std::uint8_t> data_;
};

// Empty string when the snapshot is exactly what TestPublisher published for its block; with
// `mechanisms` > 0 its mechanisms too (the count TestPublisher was given).
inline std::string check_snapshot(const Snapshot& s, std::uint32_t base_neurons,
                                  std::uint32_t mechanisms = 0) {
  std::uint64_t b = s.block_number();
  if (s.neuron_count() != neuron_count_for(b, base_neurons)) return "neuron count does not match block";
  for (int i = 0; i < 32; ++i) {
    if (s.block_hash()[i] != static_cast<std::uint8_t>(b * 7 + i)) return "block hash does not match block";
  }
  if (s.hyperparams().tempo != static_cast<std::uint16_t>(b) || s.hyperparams().max_burn != b * 11) {
    return "hyperparams do not match block";
  }
  if (s.commitment_count() != 1 + b % 5) return "commitment count does not match block";
  CommitmentView c0 = s.commitment(0);
  std::uint64_t sum = 0;
  if (c0.size != 8) return "checksum commitment missing";
  std::memcpy(&sum, c0.data, 8);
  if (sum != fnv1a(s.neurons(), s.neuron_count() * sizeof(NeuronRecord)))
    return "neuron table checksum mismatch";
  for (std::size_t i = 0; i < s.neuron_count(); ++i) {
    NeuronRecord want = expected_neuron(b, static_cast<std::uint32_t>(i));
    if (std::memcmp(&want, &s.neuron(i), sizeof(want)) != 0) return "neuron " + std::to_string(i) + " torn";
  }
  for (std::size_t c = 1; c < s.commitment_count(); ++c) {
    CommitmentView v = s.commitment(c);
    if (v.size != c * 3) return "commitment size torn";
    for (std::uint32_t k = 0; k < v.size; ++k) {
      if (v.data[k] != static_cast<std::uint8_t>(b + c + k)) return "commitment bytes torn";
    }
  }
  if (mechanisms == 0) return "";
  if (s.mechanism_count() != mechanisms) return "mechanism count torn";
  for (std::uint32_t m = 0; m < mechanisms; ++m) {
    MechanismView v = s.mechanism(m);
    const MechanismRecord want = expected_mechanism(b, m);
    if (!v.exists() || v.emission_share() != want.emission_share) return "mechanism share torn";
    if (v.has_fields() != (m == 0 || (want.flags & kMechanismHasFields) != 0)) return "mechanism flags torn";
    for (std::uint32_t uid = 0; m > 0 && v.has_fields() && uid < s.neuron_count(); ++uid) {
      if (v.incentives()[uid] != expected_mechanism_incentive(b, m, uid)) return "mechanism incentive torn";
      if (v.last_update(uid) != expected_mechanism_last_update(b, m, uid))
        return "mechanism last_update torn";
    }
  }
  return "";
}

// A minimal single-threaded consumer built on the protocol (what WeightQueue does, without the
// daemon's policy), for tests that must not depend on the daemon library. `ack` is the ack
// segment, which only the consumer writes.
struct ProtocolDrainer {
  unsigned char* base;
  QueueSegmentHeader geo;
  unsigned char* ack;
  AckSegmentHeader ack_geo;

  template <class F>  // f(slot, seq, const WeightEntry&) for every valid published entry
  std::size_t drain(F&& f, bool mark_durable = true) {
    std::size_t n = 0;
    for (std::uint32_t i = 0; i < geo.producer_slots; ++i) {
      ProducerSlotControl* c = producer_control(base, geo, i);
      AckSlot* a = ack_slot(ack, ack_geo, i);
      ShmResult<SlotPositions> pos = read_positions(c, a, geo.ring_capacity);
      if (!pos) continue;
      for (std::uint64_t p = pos->drained; p < pos->head; ++p) {
        WeightEntry e;
        if (read_entry(c, geo.ring_capacity, p, e)) {
          f(i, p + 1, e);
          ++n;
        }
      }
      store_release(&a->drained, pos->head);
      if (mark_durable) {
        store_release(&a->durable, pos->head);
        futex_wake_shared(reinterpret_cast<const std::uint32_t*>(&a->durable));  // LAYOUT.md, "Drain"
      }
    }
    return n;
  }

  // The daemon's sleep on the doorbell (queue_protocol.hpp), without its fault guard. Returns
  // false when it slept the whole timeout: with pushes still coming, a lost wake-up.
  bool sleep_until_pushed(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
    auto* bell = &reinterpret_cast<QueueSegmentHeader*>(base)->doorbell;
    auto* ah = reinterpret_cast<AckSegmentHeader*>(ack);
    std::uint32_t rung = load_acquire(bell);
    store_seq_cst(&ah->writer_sleeping, 1u);
    bool work = done();
    for (std::uint32_t i = 0; i < geo.producer_slots && !work; ++i) {
      work = load_seq_cst(&producer_control(base, geo, i)->head) !=
             load_relaxed(&ack_slot(ack, ack_geo, i)->drained);
    }
    bool woken = true;
    if (!work) {
      timespec ts{static_cast<time_t>(timeout.count() / 1000),
                  static_cast<long>(timeout.count() % 1000) * 1000000L};
      long r = ::syscall(SYS_futex, bell, FUTEX_WAIT, rung, &ts, nullptr, 0);
      woken = !(r != 0 && errno == ETIMEDOUT);
    }
    store_seq_cst(&ah->writer_sleeping, 0u);
    return woken;
  }
};

// A queue segment and its ack segment in private memory (8-byte aligned), formatted.
struct QueueImages {
  explicit QueueImages(const QueueSegmentHeader& g)
      : geo(g), ack_geo(ack_geometry(g)), queue(g.segment_size / 8 + 1), acks(ack_geo.segment_size / 8 + 1) {
    format_ack_segment(ack_base(), ack_geo, 1);
    format_queue_segment(base(), geo);
  }
  unsigned char* base() { return reinterpret_cast<unsigned char*>(queue.data()); }
  unsigned char* ack_base() { return reinterpret_cast<unsigned char*>(acks.data()); }
  AckSegmentHeader* ack_header() { return reinterpret_cast<AckSegmentHeader*>(ack_base()); }
  AckSlot* ack_of(std::uint32_t slot) { return ack_slot(ack_base(), ack_geo, slot); }
  ShmResult<WeightProducer> attach(ProducerOptions o = {}) {
    return WeightProducer::attach(base(), geo.segment_size, ack_base(), ack_geo.segment_size, o);
  }
  ProtocolDrainer drainer() { return ProtocolDrainer{base(), geo, ack_base(), ack_geo}; }

  QueueSegmentHeader geo;
  AckSegmentHeader ack_geo;
  std::vector<std::uint64_t> queue;
  std::vector<std::uint64_t> acks;
};

// The same pair as named segments ("<name>" and "<name>-ack"), what WeightProducer::open maps.
struct RawQueue {
  RawQueue(const std::string& name, const QueueSegmentHeader& g)
      : geo(g),
        ack_geo(ack_geometry(g)),
        ack(name + kAckSuffix, ack_geo.segment_size),
        seg(name, g.segment_size) {
    format_ack_segment(ack.data(), ack_geo, 1);
    format_queue_segment(seg.data(), geo);
  }
  const char* name() const { return seg.name(); }
  AckSegmentHeader* ack_header() { return reinterpret_cast<AckSegmentHeader*>(ack.data()); }
  AckSlot* ack_of(std::uint32_t slot) { return ack_slot(ack.data(), ack_geo, slot); }
  ProtocolDrainer drainer() { return ProtocolDrainer{seg.data(), geo, ack.data(), ack_geo}; }

  QueueSegmentHeader geo;
  AckSegmentHeader ack_geo;
  RawSegment ack;
  RawSegment seg;
};

}  // namespace pylon::shm::test

#include "shm/snapshot_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "pylon/shm/detail/atomic_words.hpp"
#include "pylon/shm/detail/snapshot_protocol.hpp"
#include "pylon/shm/writer/snapshot_publish.hpp"

namespace pylon::shm {

namespace {
// Grow to the next power of two so a slowly growing subnet does not regenerate every block.
std::uint32_t grown(std::uint32_t need, std::uint32_t have, std::uint32_t max) {
  if (need <= have) return have;
  return std::min<std::uint32_t>(std::bit_ceil(need), max);
}
}  // namespace

SnapshotWriter::SnapshotWriter(SnapshotWriterConfig config) : config_(std::move(config)) {
  name_ = config_.name.empty() ? default_segment_name(config_.netuid) : config_.name;
}

SnapshotWriter::~SnapshotWriter() {
  close();
}

Result<std::unique_ptr<SnapshotWriter>> SnapshotWriter::create(SnapshotWriterConfig config) {
  if (config.slots < 1 || config.slots > kMaxSlots) return make_error("shm: snapshot slots must be 1..4");
  if (config.neuron_capacity < 1 || config.neuron_capacity > kMaxNeurons ||
      config.commitment_capacity > kMaxCommitments ||
      config.commitment_data_capacity > kMaxCommitmentDataCapacity || config.mechanism_capacity < 1 ||
      config.mechanism_capacity > kMaxMechanisms) {
    return make_error("shm: snapshot capacities out of range");
  }
  std::unique_ptr<SnapshotWriter> w(new SnapshotWriter(std::move(config)));
  PYLON_TRY(w->regenerate(w->config_.neuron_capacity, w->config_.commitment_capacity,
                          w->config_.commitment_data_capacity, w->config_.mechanism_capacity));
  return w;
}

std::uint64_t SnapshotWriter::generation() const {
  return geo_.generation;
}

Status SnapshotWriter::regenerate(std::uint32_t neurons, std::uint32_t commitments, std::uint32_t data_bytes,
                                  std::uint32_t mechanisms) {
  // Generations only grow: wall-clock ns, bumped past the previous one.
  std::uint64_t gen = std::max<std::uint64_t>(realtime_ns(), geo_.generation + 1);
  SnapshotSegmentHeader h =
      snapshot_geometry(config_.slots, neurons, commitments, data_bytes, config_.netuid, gen, mechanisms);
  PYLON_ASSIGN(SharedSegment seg,
               SharedSegment::create(name_, h.segment_size, SegmentAccess{config_.group, false}));
  format_snapshot_segment(seg.data(), h, static_cast<std::uint64_t>(::getpid()));
  // The old segment is retired only after the first snapshot lands in the new one (publish), so a
  // reader that follows the retirement finds data, not an empty segment.
  retiring_ = std::move(segment_);
  segment_ = std::move(seg);
  geo_ = h;
  return {};
}

Status SnapshotWriter::build_image(const SnapshotData& d) {
  if (d.neurons.size() > kMaxNeurons) {
    return make_error("shm: " + std::to_string(d.neurons.size()) + " neurons exceed the limit of " +
                      std::to_string(kMaxNeurons));
  }
  if (d.commitments.size() > kMaxCommitments) return make_error("shm: too many commitments");
  neurons_.resize(d.neurons.size());
  for (std::size_t i = 0; i < d.neurons.size(); ++i) {
    const NeuronRecord& n = d.neurons[i];
    if (n.uid != i) {
      return make_error("shm: neuron at position " + std::to_string(i) + " has uid " + std::to_string(n.uid) +
                        "; the table must be ordered by uid");
    }
    const auto ip_type = static_cast<IpType>(n.axon_ip_type);
    if (ip_type != IpType::none && ip_type != IpType::v4 && ip_type != IpType::v6) {
      return make_error("shm: neuron " + std::to_string(i) + " has an unknown ip type");
    }
    neurons_[i] = n;
    // The layout promises readers zero reserved bytes, whatever the caller left there.
    std::memset(neurons_[i].reserved, 0, sizeof neurons_[i].reserved);
  }
  index_.resize(d.neurons.size());
  for (std::size_t i = 0; i < index_.size(); ++i) index_[i] = static_cast<std::uint16_t>(i);
  std::sort(index_.begin(), index_.end(), [&](std::uint16_t a, std::uint16_t b) {
    return std::memcmp(neurons_[a].hotkey, neurons_[b].hotkey, 32) < 0;
  });
  for (std::size_t i = 1; i < index_.size(); ++i) {
    if (std::memcmp(neurons_[index_[i - 1]].hotkey, neurons_[index_[i]].hotkey, 32) == 0) {
      return make_error("shm: uids " + std::to_string(index_[i - 1]) + " and " + std::to_string(index_[i]) +
                        " share a hotkey");
    }
  }
  commitments_.resize(d.commitments.size());
  data_.clear();
  for (std::size_t i = 0; i < d.commitments.size(); ++i) {
    const CommitmentData& c = d.commitments[i];
    if (c.data.size() > kMaxCommitmentBytes) {
      return make_error("shm: commitment " + std::to_string(i) + " has " + std::to_string(c.data.size()) +
                        " bytes, more than " + std::to_string(kMaxCommitmentBytes));
    }
    CommitmentRecord r{};
    std::memcpy(r.hotkey, c.hotkey.data(), 32);
    r.data_offset = static_cast<std::uint32_t>(data_.size());
    r.data_len = static_cast<std::uint32_t>(c.data.size());
    r.block = c.block;
    commitments_[i] = r;
    data_.insert(data_.end(), c.data.begin(), c.data.end());
    if (data_.size() > kMaxCommitmentDataCapacity) return make_error("shm: commitment data exceeds 256 MiB");
  }
  PYLON_TRY(build_mechanisms(d));
  meta_ = SnapshotMeta{};
  meta_.block_number = d.block_number;
  meta_.timestamp_ms = d.timestamp_ms;
  std::memcpy(meta_.block_hash, d.block_hash.data(), 32);
  meta_.neuron_count = static_cast<std::uint32_t>(neurons_.size());
  meta_.commitment_count = static_cast<std::uint32_t>(commitments_.size());
  meta_.commitment_data_size = static_cast<std::uint32_t>(data_.size());
  meta_.hyperparams = d.hyperparams;
  meta_.mechanism_count = d.mechanism_count;
  return {};
}

Status SnapshotWriter::build_mechanisms(const SnapshotData& d) {
  const std::size_t count = d.mechanism_count;
  if (count > kMaxMechanisms) {
    return make_error("shm: " + std::to_string(count) + " mechanisms exceed the limit of " +
                      std::to_string(kMaxMechanisms));
  }
  if (d.mechanisms.size() > count) {
    return make_error("shm: " + std::to_string(d.mechanisms.size()) +
                      " mechanisms described for a count of " + std::to_string(count));
  }
  const std::size_t n = d.neurons.size();
  const std::size_t extra = count > 1 ? count - 1 : 0;
  mechanisms_.assign(count, MechanismRecord{});
  // Zero-filled: a uid past a column's end reads 0, as subtensor reads a missing entry.
  mech_incentives_.assign(extra * n, 0);
  mech_last_update_.assign(extra * n, 0);
  for (std::size_t m = 0; m < d.mechanisms.size(); ++m) {
    const MechanismData& x = d.mechanisms[m];
    MechanismRecord& r = mechanisms_[m];
    if (x.emission_share) {
      r.emission_share = *x.emission_share;
      r.flags |= kMechanismHasEmissionShare;
    }
    if (m == 0) {
      // Mechanism 0's fields are the rows': a column given for it would be served by nobody.
      if (!x.incentives.empty() || !x.last_update.empty()) {
        return make_error("shm: mechanism 0 has columns; its fields are the neuron rows'");
      }
      r.flags |= kMechanismHasFields;
      continue;
    }
    if (x.incentives.size() > n || x.last_update.size() > n) {
      return make_error("shm: mechanism " + std::to_string(m) + " has columns of " +
                        std::to_string(x.incentives.size()) + "/" + std::to_string(x.last_update.size()) +
                        " entries for " + std::to_string(n) + " neurons");
    }
    if (!x.has_fields) {
      if (!x.incentives.empty() || !x.last_update.empty()) {
        return make_error("shm: mechanism " + std::to_string(m) + " has columns but no fields");
      }
      continue;
    }
    r.flags |= kMechanismHasFields;
    std::copy(x.incentives.begin(), x.incentives.end(), mech_incentives_.begin() + (m - 1) * n);
    std::copy(x.last_update.begin(), x.last_update.end(), mech_last_update_.begin() + (m - 1) * n);
  }
  if (count > 0) mechanisms_[0].flags |= kMechanismHasFields;
  return {};
}

Status SnapshotWriter::publish(const SnapshotData& data) {
  if (segment_.data() == nullptr) return make_error("shm: snapshot writer is closed");
  PYLON_TRY(build_image(data));
  if (meta_.neuron_count > geo_.neuron_capacity || meta_.commitment_count > geo_.commitment_capacity ||
      meta_.commitment_data_size > geo_.commitment_data_capacity ||
      meta_.mechanism_count > geo_.mechanism_capacity) {
    PYLON_TRY(regenerate(
        grown(meta_.neuron_count, geo_.neuron_capacity, kMaxNeurons),
        grown(meta_.commitment_count, geo_.commitment_capacity, kMaxCommitments),
        grown(meta_.commitment_data_size, geo_.commitment_data_capacity, kMaxCommitmentDataCapacity),
        grown(meta_.mechanism_count, geo_.mechanism_capacity, kMaxMechanisms)));
  }
  meta_.published_unix_ns = realtime_ns();
  SlotImage img{&meta_,
                neurons_.data(),
                index_.data(),
                commitments_.data(),
                data_.data(),
                mechanisms_.data(),
                mech_last_update_.data(),
                mech_incentives_.data()};
  publish_snapshot(segment_.data(), geo_, img);
  heartbeat();
  if (retiring_.data() != nullptr) {
    set_state(retiring_.data(), SegmentState::retired);  // readers of the old generation move on
    retiring_.unmap();
  }
  return {};
}

void SnapshotWriter::heartbeat() {
  if (segment_.data() != nullptr) write_heartbeat(segment_.data());
}

void SnapshotWriter::close() {
  if (retiring_.data() != nullptr) {
    set_state(retiring_.data(), SegmentState::retired);
    retiring_.unmap();
  }
  if (segment_.data() == nullptr) return;
  set_state(segment_.data(), SegmentState::retired);
  segment_.unlink();
  segment_.unmap();
}

}  // namespace pylon::shm

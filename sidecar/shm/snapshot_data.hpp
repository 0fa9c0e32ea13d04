// What the daemon publishes: a plain, owning description of one subnet snapshot. The follower's
// snapshot becomes one (shm/from_snapshot.hpp); SnapshotWriter checks it and lays it out in the
// frozen shared-memory layout. Neurons are already the segment's NeuronRecord rows, so the decoded
// neuron is converted once, in neuron_record().
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "pylon/shm/layout.hpp"

namespace pylon::shm {

struct CommitmentData {
  std::array<std::uint8_t, 32> hotkey{};
  std::uint64_t block = 0;
  std::vector<std::uint8_t> data;  // at most kMaxCommitmentBytes
};

// One mechanism (sub-subnet) of the subnet. Mechanism 0's per-uid fields are the rows' own
// (NeuronRecord::incentive, last_update), so its columns stay empty.
struct MechanismData {
  std::optional<std::uint16_t> emission_share;  // of 65535; nullopt: the subnet has no split stored
  // Mechanism m >= 1: whether its per-uid fields were read at this block, and the fields per uid
  // (at most one per neuron; the writer reads a uid past a column's end as 0, as subtensor does).
  bool has_fields = false;
  std::vector<std::uint16_t> incentives;
  std::vector<std::uint64_t> last_update;
};

struct SnapshotData {
  std::uint64_t block_number = 0;
  std::array<std::uint8_t, 32> block_hash{};
  std::uint64_t timestamp_ms = 0;  // block timestamp, unix ms
  Hyperparams hyperparams{};
  // The segment's own rows (to_snapshot_data makes them from the chain's); neurons[i].uid == i.
  std::vector<NeuronRecord> neurons;
  std::vector<CommitmentData> commitments;
  // The subnet's mechanisms at this block: 1 on a runtime without them, 0 when they could not be
  // read. mechanisms[m] describes mechanism m; mechanisms the vector does not reach (at most
  // mechanism_count) have no share and no fields.
  std::uint32_t mechanism_count = 1;
  std::vector<MechanismData> mechanisms;
};

}  // namespace pylon::shm

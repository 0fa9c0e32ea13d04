// What the daemon publishes: a plain, owning description of one subnet snapshot. The follower's
// snapshot becomes one (shm/from_snapshot.hpp); SnapshotWriter checks it and lays it out in the
// frozen shared-memory layout. Neurons are already the segment's NeuronRecord rows, so the decoded
// neuron is converted once, in neuron_record().
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "pylon/shm/layout.hpp"

namespace pylon::shm {

struct CommitmentData {
  std::array<std::uint8_t, 32> hotkey{};
  std::uint64_t block = 0;
  std::vector<std::uint8_t> data;  // at most kMaxCommitmentBytes
};

struct SnapshotData {
  std::uint64_t block_number = 0;
  std::array<std::uint8_t, 32> block_hash{};
  std::uint64_t timestamp_ms = 0;  // block timestamp, unix ms
  Hyperparams hyperparams{};
  // The segment's own rows (to_snapshot_data makes them from the chain's); neurons[i].uid == i.
  std::vector<NeuronRecord> neurons;
  std::vector<CommitmentData> commitments;
};

}  // namespace pylon::shm

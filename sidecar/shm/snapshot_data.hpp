// What the daemon publishes: a plain, owning description of one subnet snapshot. The follower
// fills it from chain state; SnapshotWriter turns it into the frozen shared-memory layout.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "pylon/shm/layout.hpp"

namespace pylon::shm {

struct AxonData {
  IpType ip_type = IpType::none;
  std::array<std::uint8_t, 16> ip{};  // v4 in the first 4 bytes, network order
  std::uint16_t port = 0;
  std::uint8_t protocol = 0;
  std::uint32_t version = 0;
};

struct NeuronData {
  std::array<std::uint8_t, 32> hotkey{};
  std::array<std::uint8_t, 32> coldkey{};
  std::uint16_t uid = 0;
  std::uint64_t stake = 0;  // rao
  std::uint16_t rank = 0, trust = 0, validator_trust = 0, consensus = 0, incentive = 0, dividends = 0;
  std::uint64_t emission = 0;  // rao
  bool validator_permit = false;
  std::uint64_t last_update = 0;
  bool active = false;
  std::uint16_t pruning_score = 0;
  AxonData axon;
};

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
  std::vector<NeuronData> neurons;  // neurons[i].uid == i
  std::vector<CommitmentData> commitments;
};

}  // namespace pylon::shm

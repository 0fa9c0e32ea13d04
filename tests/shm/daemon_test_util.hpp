// Daemon-side test helpers: SnapshotData for a block, matching TestPublisher's content.
#pragma once

#include "shm/snapshot_data.hpp"
#include "shm_test_util.hpp"

namespace pylon::shm::test {

// The same snapshot TestPublisher publishes for `block`, as the daemon's input struct.
inline SnapshotData snapshot_data(std::uint64_t block, std::uint32_t base_neurons) {
  SnapshotData d;
  d.block_number = block;
  d.timestamp_ms = realtime_ns() / 1000000ULL;
  for (int i = 0; i < 32; ++i) d.block_hash[i] = static_cast<std::uint8_t>(block * 7 + i);
  d.hyperparams.tempo = static_cast<std::uint16_t>(block);
  d.hyperparams.max_burn = block * 11;
  std::uint32_t n = neuron_count_for(block, base_neurons);
  for (std::uint32_t i = 0; i < n; ++i) d.neurons.push_back(expected_neuron(block, i));
  const std::vector<NeuronRecord>& recs = d.neurons;
  std::uint32_t commitments = 1 + static_cast<std::uint32_t>(block % 5);
  CommitmentData c0;
  c0.block = block;
  std::uint64_t sum = fnv1a(recs.data(), n * sizeof(NeuronRecord));
  c0.data.resize(8);
  std::memcpy(c0.data.data(), &sum, 8);
  d.commitments.push_back(c0);
  for (std::uint32_t c = 1; c < commitments; ++c) {
    CommitmentData x;
    x.block = block;
    std::memcpy(x.hotkey.data(), recs[c % n].hotkey, 32);
    for (std::uint32_t k = 0; k < c * 3; ++k) x.data.push_back(static_cast<std::uint8_t>(block + c + k));
    d.commitments.push_back(x);
  }
  return d;
}

}  // namespace pylon::shm::test

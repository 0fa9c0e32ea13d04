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

// Three mechanisms over d's neurons: 0 (the rows) and 1 with their emission shares, 1 with
// fields (its columns one entry short of the neurons: the last uid reads 0), 2 with a share and
// no fields (the daemon could not read them).
inline void add_mechanisms(SnapshotData& d) {
  const std::size_t n = d.neurons.size();
  d.mechanism_count = 3;
  d.mechanisms.resize(3);
  d.mechanisms[0].emission_share = 30000;
  d.mechanisms[1].emission_share = 20000;
  d.mechanisms[1].has_fields = true;
  for (std::size_t uid = 0; uid + 1 < n; ++uid) {
    d.mechanisms[1].incentives.push_back(static_cast<std::uint16_t>(uid * 3 + 1));
    d.mechanisms[1].last_update.push_back(d.block_number * 10 + uid);
  }
  d.mechanisms[2].emission_share = 15535;
}

}  // namespace pylon::shm::test

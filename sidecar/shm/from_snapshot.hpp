// The follower's snapshot in the shared-memory segment's terms: rows by uid, total stake per
// neuron, axon addresses as bytes, hyperparameters by name into the fixed struct, commitments as
// their concatenated bytes.
#pragma once

#include "follower/snapshot.hpp"
#include "shm/snapshot_data.hpp"

namespace pylon::shm {

// The one conversion of a decoded neuron into the segment's row: total stake, axon address as
// bytes (network order), flags as 0/1, reserved bytes zero.
NeuronRecord neuron_record(const codec::views::NeuronLite& n);

// Fails when uids are not 0..n-1 (the segment's row i is uid i) or a commitment is larger than
// the segment allows.
Result<SnapshotData> to_snapshot_data(const follower::Snapshot& s);

}  // namespace pylon::shm

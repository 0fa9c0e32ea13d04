// The neurons' stakes from a SubnetInfoRuntimeApi_get_subnet_state answer: the one place that
// turns the node's bytes into Snapshot::stakes, called by the follower for every block and by
// the fuzz target fuzz_subnet_state with any bytes at all.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/views/columns.hpp"
#include "codec/views/neuron_lite.hpp"

namespace pylon::follower {

inline constexpr std::string_view kSubnetStateMethod = "SubnetInfoRuntimeApi_get_subnet_state";

// One neuron's stake weights as the subnet state gives them (SubnetInfoRuntimeApi_get_subnet_state,
// the runtime's get_stake_weights_for_network), in rao: alpha staked on the hotkey, tao (its root
// stake counted at the subnet's tao weight) and their total.
struct NeuronStakes {
  std::uint64_t alpha = 0;
  std::uint64_t tao = 0;
  std::uint64_t total = 0;
  bool operator==(const NeuronStakes&) const = default;
};

// Kinds of stakes_from_subnet_state's errors (Error::kind_of<StakesErrc>()):
//   kMalformed  the bytes are not a SubnetState of this runtime, or a column Pylon needs is
//               missing, of another shape, or holds a value above u64
//   kAbsent     the answer is None: the runtime says the subnet does not exist
//   kMismatch   the answer decodes but does not describe these neurons (another count, a hotkey
//               that differs, a uid out of range or given twice): neither answer is trusted
enum class StakesErrc : std::uint8_t { kMalformed, kAbsent, kMismatch };

// Decodes `answer` with `view` (resolved for kSubnetStateMethod from the same block's metadata)
// and returns stakes[i] for neurons[i]. The state lists every column by uid; its hotkeys must be
// the neurons' one for one. Any bytes give a value or an error with a StakesErrc kind.
// Thread contract: a pure function; `view` is only read, so one view may serve several threads.
Result<std::vector<NeuronStakes>> stakes_from_subnet_state(
    const codec::views::ColumnsView& view, ByteSpan answer,
    const std::vector<codec::views::NeuronLite>& neurons);

}  // namespace pylon::follower

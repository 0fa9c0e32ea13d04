// Many subnets from the one recorded metagraph, for the benchmarks that follow more than netuid 1
// (bench_subnets) or read the /api/v1 neurons (run-rest-bench). The recording holds netuid 1's
// get_neurons_lite (1024 neurons) and no subnet state; this answers, for every netuid 1..N:
//   - NeuronInfoRuntimeApi_get_neurons_lite: the recorded neurons with uid < K (all 1024 when K is
//     0 or larger), each with its `netuid` field set to the subnet asked for, re-encoded through
//     the metadata's own type (so netuid 1 with every neuron is the recorded bytes, checked at
//     start);
//   - SubnetInfoRuntimeApi_get_subnet_state: the state written for those neurons by the tests'
//     builder (tests/follower/subnet_state_answer.hpp: stakes alpha = the recorded stake, tao =
//     the uid; 129 rows of emission history, one per subnet as on finney), so snapshots carry the
//     stakes the /api/v1 neurons need.
// A netuid outside 1..N, or any other request, is left to the recording (nullopt). Every answer is
// made once at start; answer() only looks it up.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/metadata.hpp"
#include "common/result.hpp"

namespace pylon::bench {

// Thread contract: immutable after make(); answer() is safe from any thread.
class ReplaySubnets {
 public:
  // recorded_neurons: the SCALE bytes of netuid 1's get_neurons_lite answer.
  static Result<std::unique_ptr<const ReplaySubnets>> make(const codec::Metadata& md,
                                                           ByteSpan recorded_neurons, std::uint16_t subnets,
                                                           std::size_t neurons);
  // The JSON result for (method, canonical params), or nullopt to let the recording answer.
  std::optional<std::string> answer(std::string_view method, std::string_view params) const;
  std::size_t neurons_per_subnet() const { return neurons_; }

 private:
  ReplaySubnets() = default;
  std::size_t neurons_ = 0;
  std::vector<std::string> neurons_result_;  // [netuid - 1]: quoted hex
  std::vector<std::string> state_result_;    // [netuid - 1]: quoted hex
};

}  // namespace pylon::bench

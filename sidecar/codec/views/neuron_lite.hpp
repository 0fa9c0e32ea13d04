// Typed rows of NeuronInfoRuntimeApi_get_neurons_lite: the metagraph Pylon serves. The layout is
// resolved from the metadata by field name (resolve), then each answer decodes straight into
// rows without building dynamic values (decode). A runtime that renames, retypes or drops a field
// Pylon needs fails at resolve with the field's name; fields Pylon does not know are skipped.
#pragma once

#include <memory>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::codec::views {

struct AxonInfo {
  std::uint64_t block = 0;
  std::uint32_t version = 0;
  u128 ip = 0;  // IPv4 in the low 32 bits when ip_type == 4
  std::uint16_t port = 0;
  std::uint8_t ip_type = 0;
  std::uint8_t protocol = 0;
};

struct PrometheusInfo {
  std::uint64_t block = 0;
  std::uint32_t version = 0;
  u128 ip = 0;
  std::uint16_t port = 0;
  std::uint8_t ip_type = 0;
};

struct StakeEntry {
  AccountId coldkey{};
  std::uint64_t amount = 0;  // rao
};

struct NeuronLite {
  AccountId hotkey{};
  AccountId coldkey{};
  std::uint16_t uid = 0;
  std::uint16_t netuid = 0;
  bool active = false;
  AxonInfo axon;
  PrometheusInfo prometheus;
  std::vector<StakeEntry> stake;
  std::uint16_t rank = 0, incentive = 0, consensus = 0, trust = 0, validator_trust = 0, dividends = 0,
                pruning_score = 0;
  std::uint64_t emission = 0;  // rao
  std::uint64_t last_update = 0;
  bool validator_permit = false;

  std::uint64_t total_stake() const {
    std::uint64_t s = 0;
    for (const auto& e : stake) s += e.amount;
    return s;
  }
};

class NeuronLiteView {
 public:
  // From the runtime API `NeuronInfoRuntimeApi_get_neurons_lite` (Vec<NeuronInfoLite>). The view
  // keeps the metadata alive.
  static Result<NeuronLiteView> resolve(std::shared_ptr<const Metadata> md);
  // From any NeuronInfoLite-shaped composite type id; `reg` must outlive the view.
  static Result<NeuronLiteView> resolve_type(const TypeRegistry& reg, TypeId neuron);

  // Decodes a whole get_neurons_lite answer (Vec<NeuronInfoLite>); all bytes must be consumed.
  Result<std::vector<NeuronLite>> decode_all(ByteSpan bytes) const;
  Status decode_all_into(ByteSpan bytes, std::vector<NeuronLite>& out) const;
  Status decode_one(ScaleReader& r, NeuronLite& out) const;

  struct Plan;  // resolved field actions

 private:
  std::shared_ptr<const Plan> plan_;
};

}  // namespace pylon::codec::views

// A subnet's mechanisms (sub-subnets): how many it has and how its emission is split between them
// (SubtensorModule.MechanismCountCurrent / MechanismEmissionSplit), and the neuron fields that
// differ per mechanism, read from the runtime's get_selective_mechagraph. Everything is decided by
// the metadata of the block at hand: a runtime without MechanismCountCurrent has one mechanism, one
// without get_selective_mechagraph has no per-mechanism fields to read.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/views/columns.hpp"

namespace pylon::codec::views {

// The subnet's mechanisms, whose weights are set separately.
struct Mechanisms {
  std::uint8_t count = 1;                     // mechanisms 0..count-1 take weights
  std::vector<std::uint16_t> emission_split;  // per mechanism (u16 parts of 65535); empty: not set

  bool operator==(const Mechanisms&) const = default;
};

// Whether the runtime has mechanisms at all: its metadata has SubtensorModule.MechanismCountCurrent.
bool has_mechanisms(const Metadata& md);

// The mechanisms from the raw storage values as the node answered them (nullopt: nothing stored),
// decoded with the metadata's types and defaults. A runtime without MechanismCountCurrent has one
// mechanism; MechanismEmissionSplit is read only where the metadata has it. Count 0 is an error.
Result<Mechanisms> decode_mechanisms(const Metadata& md, const std::optional<Bytes>& count_raw,
                                     const std::optional<Bytes>& split_raw);

enum class MechagraphErrc : std::uint8_t {
  kShape,      // the metadata's method or SelectiveMetagraph is not the shape this reader knows
  kMalformed,  // an answer that does not decode as that type, or does not fit the subnet
};

// The neuron fields subtensor keeps per mechanism, per uid: what get_selective_mechagraph reads
// under the mechanism's storage index (mecid * 4096 + netuid) rather than the netuid. Every other
// field it answers is the subnet's own, the same for every mechanism (mechanism 0's, which the
// neurons already carry).
struct MechanismColumns {
  std::vector<std::uint16_t> incentives;   // per uid, parts of 65535
  std::vector<std::uint64_t> last_update;  // per uid, the block weights were last set in
};

// SubnetInfoRuntimeApi_get_selective_mechagraph(netuid, mecid, metagraph_indexes) as the metadata
// describes it: the arguments encoded with the method's own input types, the per-mechanism fields
// selected by their position in the output struct (found by name), the answer decoded through
// ColumnsView. Immutable after resolve; may be used from any thread.
class MechagraphView {
 public:
  static constexpr std::string_view kMethod = "SubnetInfoRuntimeApi_get_selective_mechagraph";
  // The SelectiveMetagraph field names subtensor fills per mechanism (get_single_selective_mechagraph).
  static constexpr std::string_view kIncentives = "incentives";
  static constexpr std::string_view kLastUpdate = "last_update";

  // nullopt when the runtime has no such method; an error (kShape) naming what does not fit when
  // it has one this reader cannot use.
  static Result<std::optional<MechagraphView>> resolve(std::shared_ptr<const Metadata> md);

  // The state_call argument bytes asking for `mecid`'s per-mechanism fields of `netuid` only.
  Result<Bytes> args(std::uint16_t netuid, std::uint8_t mecid) const;

  // Decodes one answer to args(netuid, mecid). Errors (kMalformed) name the field: a None answer
  // (no such subnet), a selected field left out, a netuid other than the subnet's (subtensor
  // answers the subnet's netuid whatever the mechanism), a column longer than the subnet's `neurons`. A
  // column shorter than `neurons` is kept as it is: subtensor reads a uid past its end as 0.
  Result<MechanismColumns> decode(ByteSpan answer, std::uint16_t netuid, std::uint8_t mecid,
                                  std::size_t neurons) const;

  // The output struct's field positions the call selects, in ascending order.
  const std::vector<std::uint16_t>& selected() const { return selected_; }

 private:
  std::shared_ptr<const Metadata> md_;
  std::vector<TypeId> inputs_;  // netuid, mecid, metagraph_indexes
  ColumnsView columns_;
  std::vector<std::uint16_t> selected_;
};

}  // namespace pylon::codec::views

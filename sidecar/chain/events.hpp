// Reading an extrinsic's outcome from a block's System.Events: ExtrinsicSuccess, or
// ExtrinsicFailed with the dispatch error named from the metadata ("Pallet.ErrorName").
#pragma once

#include <string>

#include "codec/metadata.hpp"
#include "codec/value.hpp"

namespace pylon::chain {

struct ExtrinsicEvent {
  std::string pallet;  // e.g. "SubtensorModule"
  std::string name;    // e.g. "NetworkAdded"
  codec::Value data;   // the event's fields
};

struct ExtrinsicResult {
  bool success = false;
  std::string error;                   // empty on success
  std::vector<ExtrinsicEvent> events;  // every event the extrinsic emitted, in order
};

// `events` is the raw System.Events value; `index` the extrinsic's position in its block.
Result<ExtrinsicResult> extrinsic_result(const codec::Metadata& md, ByteSpan events, std::uint32_t index);

// "SubtensorModule.CommitRevealEnabled" for a DispatchError::Module value, else the variant's name.
std::string dispatch_error_name(const codec::Metadata& md, const codec::Value& dispatch_error);

}  // namespace pylon::chain

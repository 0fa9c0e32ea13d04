// Reading an extrinsic's outcome from a block's System.Events: ExtrinsicSuccess, or
// ExtrinsicFailed with the dispatch error named from the metadata ("Pallet.ErrorName").
#pragma once

#include <string>
#include <string_view>

#include "codec/metadata.hpp"
#include "codec/value.hpp"

namespace pylon::chain {

struct ExtrinsicEvent {
  std::string pallet;  // e.g. "SubtensorModule"
  std::string name;    // e.g. "NetworkAdded"
  codec::Value data;   // the event's fields
};

// A dispatch error as the runtime names it, for programs to compare (`error` text is for people):
// pallet "SubtensorModule", name "RevealTooEarly" for DispatchError::Module; pallet empty and
// the variant's name ("BadOrigin", "Token") for the others. Both empty when there is none.
struct DispatchError {
  std::string pallet;
  std::string name;
  bool is(std::string_view p, std::string_view n) const { return pallet == p && name == n; }
  bool operator==(const DispatchError&) const = default;
};

struct ExtrinsicResult {
  bool success = false;
  std::string error;                   // empty on success
  DispatchError dispatch_error;        // the same, structured (ExtrinsicFailed)
  std::vector<ExtrinsicEvent> events;  // every event the extrinsic emitted, in order
};

// `events` is the raw System.Events value; `index` the extrinsic's position in its block.
Result<ExtrinsicResult> extrinsic_result(const codec::Metadata& md, ByteSpan events, std::uint32_t index);

// "SubtensorModule.CommitRevealEnabled" for a DispatchError::Module value, else the variant's name.
std::string dispatch_error_name(const codec::Metadata& md, const codec::Value& dispatch_error);
// The same, structured. Module errors the metadata cannot name keep `pallet` as far as known and
// an empty `name`.
DispatchError dispatch_error_of(const codec::Metadata& md, const codec::Value& dispatch_error);

}  // namespace pylon::chain

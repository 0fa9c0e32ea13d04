// Calls by name: "SubtensorModule.set_weights" with its arguments, encoded as the metadata's
// call enum says (pallet index, call index, then each argument by its field's type).
#pragma once

#include <simdjson.h>

#include <string_view>

#include "codec/metadata.hpp"

namespace pylon::extrinsic {

struct CallRef {
  const codec::Pallet* pallet = nullptr;
  const codec::Variant* call = nullptr;
};

// Resolves "Pallet.call" (or pallet and call apart) in this metadata.
Result<CallRef> find_call(const codec::Metadata& md, std::string_view pallet_dot_call);

// `args` is a JSON object keyed by the call's field names (as the metadata spells them or as
// decode-api prints them), values in decode-api's shapes. Every field is required; unknown
// keys are refused.
Result<Bytes> encode_call(const codec::Metadata& md, std::string_view pallet_dot_call,
                          simdjson::dom::element args);
Result<Bytes> encode_call_json(const codec::Metadata& md, std::string_view pallet_dot_call,
                               std::string_view args_json);

}  // namespace pylon::extrinsic

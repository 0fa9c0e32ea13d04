// Value -> JSON with the normalisation Pylon's tools and the oracle share (polkadot-js
// `toPrimitive` with snake_case keys): AccountId32 as SS58 (prefix 42), integers of more than 52 bits as
// decimal strings, compacts as numbers, Option as its value or null, byte strings as text when
// all printable ASCII and as 0x-hex otherwise, enums as {"variant": value} with the variant's
// name in snake_case (or the bare name for data-less enums).
#pragma once

#include <string>
#include <string_view>

#include "codec/value.hpp"
#include "common/json_writer.hpp"

namespace pylon::codec {

void render_json(const Value& v, JsonWriter& w);
std::string render_json(const Value& v);

// The key polkadot-js + the oracle print for a Rust field or variant name:
// snake_case(camelCase(name)), e.g. "validator_trust" -> "validator_trust", "Raw4" -> "raw4",
// "BlakeTwo256" -> "blake_two256".
std::string json_key(std::string_view rust_name);

}  // namespace pylon::codec

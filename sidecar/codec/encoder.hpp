// The dynamic encoder: JSON or a Value -> SCALE bytes for any type id of a registry. It is the
// decoder's inverse: it takes exactly the JSON shapes render_json prints (so decode -> render ->
// encode gives back the same bytes) plus the metadata's own spellings of field and variant names.
//
// JSON accepted per type:
//   integers     JSON numbers or decimal strings, range-checked to the width; '-' only if signed
//   Compact<T>   as T's integer
//   bool, str    JSON true/false, string; char: a string of one code point
//   Vec<u8>, [u8; N]  "0x" + hex, or plain text taken as its bytes (render_json prints printable
//                ASCII as text); a string starting with 0x is always hex; or an array of u8
//   AccountId32  SS58 with Bittensor's prefix 42, or "0x" + 64 hex
//   Option<T>    null or T's value
//   composites   named fields: an object keyed by json_key(name) or the Rust name, all fields
//                required, unknown keys refused; one unnamed field: the inner value; several
//                unnamed fields, tuples: an array; no fields, (): null
//   enums        {"variant": value} (variant as json_key prints it or the Rust name) with the
//                value shaped like the variant's fields; a data-less variant also as a bare string
//   Result       {"ok": v} / {"err": e}
//   bit sequences "0x" + hex of whole store words (every bit counted)
// Nesting is bounded (kMaxDepth); errors name the JSON path and the expected type, e.g.
// "$.info.fields[0]: expected one of the variants of PalletCommitmentsData". Nothing is written
// on error.
#pragma once

#include <simdjson.h>

#include "codec/scale_writer.hpp"
#include "codec/type_registry.hpp"
#include "codec/value.hpp"

namespace pylon::codec {

// JSON -> the Value the decoder would produce for the same bytes (all checks done here).
Result<Value> value_from_json(const TypeRegistry& reg, TypeId type, simdjson::dom::element json);

Result<Bytes> encode_json(const TypeRegistry& reg, TypeId type, simdjson::dom::element json);
// Appends to `w`; on error `w` is left as it was.
Status encode_json_into(const TypeRegistry& reg, TypeId type, simdjson::dom::element json, ScaleWriter& w);

// Value (as decode_value produces it) -> bytes. Also accepts integers of any Value integer kind
// that fit the target, field and variant names in json_key form, and Null for Option::None.
Result<Bytes> encode_value(const TypeRegistry& reg, TypeId type, const Value& value);
Status encode_value_into(const TypeRegistry& reg, TypeId type, const Value& value, ScaleWriter& w);

}  // namespace pylon::codec

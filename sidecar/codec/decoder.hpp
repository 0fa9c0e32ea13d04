// The dynamic decoder: any type id of a registry -> Value, bounds-checked, depth-bounded, with
// errors that say where (byte offset and the path through the type, e.g. "[5].stake[0].1").
#pragma once

#include "codec/scale_reader.hpp"
#include "codec/type_registry.hpp"
#include "codec/value.hpp"

namespace pylon::codec {

// Nesting deeper than this is refused (real runtime types nest < 20 levels).
inline constexpr int kMaxDepth = 64;

// Decodes one value of `type` at the reader's position.
Result<Value> decode_value(const TypeRegistry& reg, TypeId type, ScaleReader& r);
// Decodes `bytes` as exactly one value of `type`: leftover bytes are an error.
Result<Value> decode_exact(const TypeRegistry& reg, TypeId type, ByteSpan bytes);
// Advances past one value of `type` without building it.
Status skip_value(const TypeRegistry& reg, TypeId type, ScaleReader& r);

}  // namespace pylon::codec

// Storage answers decoded by name through the metadata of the block at hand: an item's raw value
// (or its default when the node holds nothing) as a dynamic Value, and the unsigned integers most
// items are. Shared by every module that reads storage (the follower's mechanism count, the
// committer's epoch and weights state), so that "what an empty key means" has one answer.
#pragma once

#include <optional>
#include <string_view>

#include "codec/metadata.hpp"
#include "codec/value.hpp"

namespace pylon::codec {

bool has_storage_item(const Metadata& md, std::string_view pallet, std::string_view item);

// A raw storage answer of `<pallet>.<item>` decoded with the entry's type from the metadata: the
// entry's default when nothing is stored, nullopt for an optional entry that holds nothing. An
// item the runtime lacks, or bytes that do not decode whole, is an error naming the item.
Result<std::optional<Value>> decode_storage_value(const Metadata& md, std::string_view pallet,
                                                  std::string_view item, const std::optional<Bytes>& raw);

// A decoded unsigned integer item (through newtypes and Option); 0 for nothing.
Result<std::uint64_t> as_u64(const std::optional<Value>& v, std::string_view pallet, std::string_view item);

// H256 and similar newtypes decode as a one-field composite around their inner value: unwraps
// single-item arrays and single-field objects down to that value.
const Value* unwrap_single(const Value* v);

}  // namespace pylon::codec

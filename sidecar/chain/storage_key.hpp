// Storage keys as FRAME builds them: twox128(pallet prefix) ++ twox128(item) ++ each map key
// hashed with the entry's hasher (the *Concat hashers append the key itself).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "codec/metadata.hpp"

namespace pylon::chain {

Bytes storage_prefix(std::string_view pallet_prefix, std::string_view item);
Bytes hash_key_part(codec::StorageHasher h, ByteSpan encoded_key);
// Bytes a hasher puts before the key itself (16 for Blake2_128Concat, 8 for Twox64Concat, 0 for
// Identity); nullopt when the hasher does not keep the key, which then cannot be read back.
std::optional<std::size_t> concat_hash_len(codec::StorageHasher h);

// The key of `Pallet.Item` for the given SCALE-encoded map keys (fewer keys than the map has
// give a prefix for iterating the rest). Resolved from the metadata: the pallet's storage
// prefix and the entry's hashers.
Result<Bytes> storage_key(const codec::Metadata& md, std::string_view pallet, std::string_view item,
                          const std::vector<Bytes>& encoded_keys);

// For keys made with a *Concat hasher: the original key bytes that follow the hash of part
// `index`, given the encoded sizes of all parts before it. Used to read which account a
// CommitmentOf key belongs to.
Result<ByteSpan> concat_key_part(ByteSpan full_key, std::size_t prefix_len, codec::StorageHasher h,
                                 std::size_t encoded_size);

}  // namespace pylon::chain

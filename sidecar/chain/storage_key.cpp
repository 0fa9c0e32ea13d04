#include "chain/storage_key.hpp"

#include "keys/hash.hpp"

namespace pylon::chain {

Bytes storage_prefix(std::string_view pallet_prefix, std::string_view item) {
  const auto a = keys::twox128(
      ByteSpan(reinterpret_cast<const std::uint8_t*>(pallet_prefix.data()), pallet_prefix.size()));
  const auto b = keys::twox128(ByteSpan(reinterpret_cast<const std::uint8_t*>(item.data()), item.size()));
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes hash_key_part(codec::StorageHasher h, ByteSpan k) {
  using H = codec::StorageHasher;
  Bytes out;
  auto append = [&](const auto& arr) { out.insert(out.end(), arr.begin(), arr.end()); };
  switch (h) {
    case H::Blake2_128:
      append(keys::blake2b_128(k));
      break;
    case H::Blake2_256:
      append(keys::blake2b_256(k));
      break;
    case H::Blake2_128Concat:
      append(keys::blake2b_128(k));
      out.insert(out.end(), k.begin(), k.end());
      break;
    case H::Twox128:
      append(keys::twox128(k));
      break;
    case H::Twox256:
      append(keys::twox256(k));
      break;
    case H::Twox64Concat:
      append(keys::twox64(k));
      out.insert(out.end(), k.begin(), k.end());
      break;
    case H::Identity:
      out.assign(k.begin(), k.end());
      break;
  }
  return out;
}

std::optional<std::size_t> concat_hash_len(codec::StorageHasher h) {
  switch (h) {
    case codec::StorageHasher::Blake2_128Concat:
      return 16;
    case codec::StorageHasher::Twox64Concat:
      return 8;
    case codec::StorageHasher::Identity:
      return 0;
    default:
      return std::nullopt;
  }
}

Result<Bytes> storage_key(const codec::Metadata& md, std::string_view pallet, std::string_view item,
                          const std::vector<Bytes>& encoded_keys) {
  const codec::Pallet* p = md.pallet(pallet);
  if (!p || p->storage_prefix.empty())
    return make_error("pallet " + std::string(pallet) + " has no storage in this runtime");
  const codec::StorageEntry* e = p->storage_entry(item);
  if (!e)
    return make_error("storage item " + std::string(pallet) + "." + std::string(item) +
                      " is not in this runtime");
  if (encoded_keys.size() > e->hashers.size())
    return make_error(std::string(pallet) + "." + std::string(item) + " takes " +
                      std::to_string(e->hashers.size()) + " keys, not " +
                      std::to_string(encoded_keys.size()));
  Bytes key = storage_prefix(p->storage_prefix, item);
  for (std::size_t i = 0; i < encoded_keys.size(); ++i) {
    const Bytes part = hash_key_part(e->hashers[i], encoded_keys[i]);
    key.insert(key.end(), part.begin(), part.end());
  }
  return key;
}

Result<ByteSpan> concat_key_part(ByteSpan full_key, std::size_t prefix_len, codec::StorageHasher h,
                                 std::size_t encoded_size) {
  const auto hash_len = concat_hash_len(h);
  if (!hash_len) return make_error("the key part is hashed without its value (not a Concat hasher)");
  if (full_key.size() < prefix_len + *hash_len + encoded_size)
    return make_error("storage key is shorter than its parts");
  return full_key.subspan(prefix_len + *hash_len, encoded_size);
}

}  // namespace pylon::chain

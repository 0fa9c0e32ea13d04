#include "extrinsic/weights_hash.hpp"

#include <algorithm>

#include "codec/scale_writer.hpp"
#include "keys/hash.hpp"

namespace pylon::extrinsic {

std::uint16_t mechanism_storage_index(std::uint16_t netuid, std::uint8_t mecid) {
  const std::uint32_t index = std::uint32_t{mecid} * 4096u + netuid;
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(index, UINT16_MAX));
}

std::array<std::uint8_t, 32> weights_commit_hash(const AccountId& hotkey, std::uint16_t netuid,
                                                 const std::vector<std::uint16_t>& uids,
                                                 const std::vector<std::uint16_t>& values,
                                                 const std::vector<std::uint16_t>& salt,
                                                 std::uint64_t version_key) {
  codec::ScaleWriter w;
  w.bytes(hotkey);
  w.fixed_le<std::uint16_t>(netuid);
  for (const auto* v : {&uids, &values, &salt}) {
    w.compact(v->size());
    for (std::uint16_t x : *v) w.fixed_le<std::uint16_t>(x);
  }
  w.fixed_le<std::uint64_t>(version_key);
  return keys::blake2b_256(w.out());
}

Bytes weights_tlock_payload(const AccountId& hotkey, const std::vector<std::uint16_t>& uids,
                            const std::vector<std::uint16_t>& values, std::uint64_t version_key) {
  codec::ScaleWriter w;
  w.byte_vec(hotkey);  // Vec<u8>, not AccountId32: a compact length comes first
  for (const auto* v : {&uids, &values}) {
    w.compact(v->size());
    for (std::uint16_t x : *v) w.fixed_le<std::uint16_t>(x);
  }
  w.fixed_le<std::uint64_t>(version_key);
  return std::move(w.out());
}

}  // namespace pylon::extrinsic

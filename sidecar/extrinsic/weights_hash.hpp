// What a validator commits to in commit-reveal, byte for byte as subtensor reads it back:
// - hash commit-reveal (commit_weights / reveal_weights): blake2-256 of the SCALE encoding of
//   (AccountId32 hotkey, u16 netuid, Vec<u16> uids, Vec<u16> values, Vec<u16> salt,
//   u64 version_key), computed by subtensor when the reveal arrives; `netuid` is the storage
//   index mecid * 4096 + netuid where the runtime has mechanisms (mechanism 0: the netuid);
// - timelocked commit-reveal (v4): the plaintext WeightsTlockPayload {hotkey: Vec<u8>,
//   uids: Vec<u16>, values: Vec<u16>, version_key: u64} (subtensor reveal_commits.rs), which the
//   chain decodes after decrypting and whose hotkey it requires to be the signer.
#pragma once

#include <array>
#include <vector>

#include "codec/ss58.hpp"

namespace pylon::extrinsic {

// subtensor's get_mechanism_storage_index: mecid * 4096 (GLOBAL_MAX_SUBNET_COUNT) + netuid in
// u16 arithmetic, saturating. Mechanism 0's index is the netuid itself. It is the `netuid` of
// weights_commit_hash for a mechanism's commit, and the key of its per-mechanism storage.
std::uint16_t mechanism_storage_index(std::uint16_t netuid, std::uint8_t mecid);

std::array<std::uint8_t, 32> weights_commit_hash(const AccountId& hotkey, std::uint16_t netuid,
                                                 const std::vector<std::uint16_t>& uids,
                                                 const std::vector<std::uint16_t>& values,
                                                 const std::vector<std::uint16_t>& salt,
                                                 std::uint64_t version_key);

Bytes weights_tlock_payload(const AccountId& hotkey, const std::vector<std::uint16_t>& uids,
                            const std::vector<std::uint16_t>& values, std::uint64_t version_key);

}  // namespace pylon::extrinsic

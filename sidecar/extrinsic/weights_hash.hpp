// The commit hash of a hash commit-reveal (commit_weights / reveal_weights): blake2-256 of the
// SCALE encoding of (AccountId32 hotkey, u16 netuid, Vec<u16> uids, Vec<u16> values,
// Vec<u16> salt, u64 version_key), as subtensor computes it when the reveal arrives.
#pragma once

#include <array>
#include <vector>

#include "codec/ss58.hpp"

namespace pylon::extrinsic {

std::array<std::uint8_t, 32> weights_commit_hash(const AccountId& hotkey, std::uint16_t netuid,
                                                 const std::vector<std::uint16_t>& uids,
                                                 const std::vector<std::uint16_t>& values,
                                                 const std::vector<std::uint16_t>& salt,
                                                 std::uint64_t version_key);

}  // namespace pylon::extrinsic

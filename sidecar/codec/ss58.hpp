// SS58 addresses (Substrate's base58 account format with a blake2b-512 "SS58PRE" checksum).
// The codec needs them because the chain's JSON conventions print AccountId32 as SS58.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::codec {

using AccountId = std::array<std::uint8_t, 32>;

inline constexpr std::uint16_t kBittensorSs58Prefix = 42;

std::string ss58_encode(ByteSpan account, std::uint16_t prefix = kBittensorSs58Prefix);

struct Ss58Decoded {
  AccountId account{};
  std::uint16_t prefix = 0;
};
// Checks alphabet, length, prefix form and checksum; accounts of 32 bytes only.
Result<Ss58Decoded> ss58_decode(std::string_view address);

}  // namespace pylon::codec

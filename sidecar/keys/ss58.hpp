// SS58 addresses: base58(prefix || payload || checksum), checksum = first bytes of
// blake2b-512("SS58PRE" || prefix || payload). Prefixes 0..63 take one byte, 64..16383 two.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/sr25519.hpp"

namespace pylon::keys {

// Bittensor (and generic Substrate) addresses use prefix 42.
inline constexpr std::uint16_t kSs58Bittensor = 42;

struct Ss58Address {
  std::uint16_t prefix = 0;
  Bytes payload;  // 32 bytes for an AccountId32
};

// Encodes a payload of 1, 2, 4, 8, 32 or 33 bytes (1-byte checksum for the short forms, 2 bytes
// for 32/33 as Substrate does). Errors on a prefix above 16383 or another payload length.
Result<std::string> ss58_encode(ByteSpan payload, std::uint16_t prefix = kSs58Bittensor);
Result<std::string> ss58_encode_account(const PublicKey& account, std::uint16_t prefix = kSs58Bittensor);

// Decodes any address form above; errors say what is wrong (characters, length, prefix,
// checksum).
Result<Ss58Address> ss58_decode(std::string_view address);
// Decodes an AccountId32 address (32-byte payload) and, when expected_prefix is given, checks it.
Result<PublicKey> ss58_decode_account(std::string_view address, int expected_prefix = -1);

}  // namespace pylon::keys

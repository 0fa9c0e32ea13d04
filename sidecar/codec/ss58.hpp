// SS58 addresses: base58(prefix || payload || checksum), the checksum being the first bytes of
// blake2b-512("SS58PRE" || prefix || payload). Prefixes 0..63 take one byte, 64..16383 two.
// The codec owns them (the one SS58 API of Pylon) because the chain's JSON conventions print
// AccountId32 as SS58; keyfiles and `pylon wallet` use the same functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"

namespace pylon::codec {

inline constexpr std::uint16_t kBittensorSs58Prefix = 42;

// An AccountId32 as SS58 (the metagraph's hot path; prefix must be <= 16383).
std::string ss58_encode(ByteSpan account32, std::uint16_t prefix = kBittensorSs58Prefix);

struct Ss58Decoded {
  AccountId account{};
  std::uint16_t prefix = 0;
};
// An AccountId32 address: checks alphabet, length, prefix form and checksum.
Result<Ss58Decoded> ss58_decode(std::string_view address);

// Any payload Substrate's format allows: 1, 2, 4, 8 bytes (1-byte checksum), 32 or 33 (2 bytes).
struct Ss58Payload {
  std::uint16_t prefix = 0;
  Bytes payload;
};
Result<std::string> ss58_encode_payload(ByteSpan payload, std::uint16_t prefix = kBittensorSs58Prefix);
Result<Ss58Payload> ss58_decode_payload(std::string_view address);

}  // namespace pylon::codec

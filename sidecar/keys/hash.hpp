// The hashes Substrate uses: BLAKE2b (libsodium) and twox (xxHash64 with seeds 0..n, as the
// chain's storage hashers define it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::keys {

// BLAKE2b with an output of out_bytes (1..64) and an optional key (0..64 bytes).
Result<Bytes> blake2b(ByteSpan data, std::size_t out_bytes, ByteSpan key = {});

std::array<std::uint8_t, 16> blake2b_128(ByteSpan data);
std::array<std::uint8_t, 32> blake2b_256(ByteSpan data);
std::array<std::uint8_t, 64> blake2b_512(ByteSpan data);

// twox-N: XXH64 of data with seeds 0, 1, ... (N/64 of them), each digest little-endian,
// concatenated. N is 64, 128 or 256.
std::array<std::uint8_t, 8> twox64(ByteSpan data);
std::array<std::uint8_t, 16> twox128(ByteSpan data);
std::array<std::uint8_t, 32> twox256(ByteSpan data);
// Same, for bits in {64, 128, 256}; other values are an error.
Result<Bytes> twox(ByteSpan data, unsigned bits);

}  // namespace pylon::keys

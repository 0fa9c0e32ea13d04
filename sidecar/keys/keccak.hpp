// The Keccak-f[1600] permutation (FIPS 202), the primitive under STROBE-128 and merlin.
#pragma once

#include <array>
#include <cstdint>

namespace pylon::keys {

// 25 lanes, lane (x, y) at index x + 5*y, each lane little-endian in the byte view.
using KeccakState = std::array<std::uint64_t, 25>;

// All 24 rounds, in place.
void keccak_f1600(KeccakState& state);

// The byte view STROBE works on: 200 bytes, lanes little-endian. Permutes in place.
void keccak_f1600_bytes(std::array<std::uint8_t, 200>& bytes);

}  // namespace pylon::keys

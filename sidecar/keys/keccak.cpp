#include "keys/keccak.hpp"

#include <bit>
#include <cstring>

namespace pylon::keys {

namespace {

// Round constants for iota (FIPS 202, section 3.2.5), produced by the rc(t) LFSR.
constexpr std::array<std::uint64_t, 24> kRoundConstants = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// rho offsets, indexed by lane x + 5*y.
constexpr std::array<int, 25> kRho = {
    0,  1,  62, 28, 27,  // y = 0
    36, 44, 6,  55, 20,  // y = 1
    3,  10, 43, 25, 39,  // y = 2
    41, 45, 15, 21, 8,   // y = 3
    18, 2,  61, 56, 14,  // y = 4
};

}  // namespace

// pi moves lane i to kPiDest[i]: (x, y) -> (y, 2x + 3y mod 5).
constexpr std::array<int, 25> make_pi_dest() {
  std::array<int, 25> d{};
  for (int x = 0; x < 5; ++x) {
    for (int y = 0; y < 5; ++y) d[x + 5 * y] = y + 5 * ((2 * x + 3 * y) % 5);
  }
  return d;
}
constexpr auto kPiDest = make_pi_dest();

void keccak_f1600(KeccakState& a) {
  for (std::uint64_t rc : kRoundConstants) {
    // theta: xor each lane with the parities of two neighbouring columns.
    std::uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    const std::uint64_t d[5] = {c[4] ^ std::rotl(c[1], 1), c[0] ^ std::rotl(c[2], 1),
                                c[1] ^ std::rotl(c[3], 1), c[2] ^ std::rotl(c[4], 1),
                                c[3] ^ std::rotl(c[0], 1)};
    for (int y = 0; y < 25; y += 5) {
      for (int x = 0; x < 5; ++x) a[y + x] ^= d[x];
    }
    // rho and pi: rotate each lane and move it to its new position.
    KeccakState b;
    for (int i = 0; i < 25; ++i) b[kPiDest[i]] = std::rotl(a[i], kRho[i]);
    // chi: the only non-linear step, along rows.
    for (int y = 0; y < 25; y += 5) {
      const std::uint64_t r0 = b[y], r1 = b[y + 1], r2 = b[y + 2], r3 = b[y + 3], r4 = b[y + 4];
      a[y] = r0 ^ (~r1 & r2);
      a[y + 1] = r1 ^ (~r2 & r3);
      a[y + 2] = r2 ^ (~r3 & r4);
      a[y + 3] = r3 ^ (~r4 & r0);
      a[y + 4] = r4 ^ (~r0 & r1);
    }
    // iota
    a[0] ^= rc;
  }
}

void keccak_f1600_bytes(std::array<std::uint8_t, 200>& bytes) {
  KeccakState lanes;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(lanes.data(), bytes.data(), 200);
    keccak_f1600(lanes);
    std::memcpy(bytes.data(), lanes.data(), 200);
    return;
  }
  for (int i = 0; i < 25; ++i) {
    std::uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = (v << 8) | bytes[8 * i + b];
    lanes[i] = v;
  }
  keccak_f1600(lanes);
  for (int i = 0; i < 25; ++i) {
    for (int b = 0; b < 8; ++b) bytes[8 * i + b] = static_cast<std::uint8_t>(lanes[i] >> (8 * b));
  }
}

}  // namespace pylon::keys

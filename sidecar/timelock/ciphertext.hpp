// The tle ciphertext on the wire (ideal-lab5/timelock rev 5416406, ark-serialize 0.4; what
// subtensor's `commit_timelocked_weights` carries): ../shared/crv4/README.md §2.5.
//   U (G2, 96 bytes compressed) | u64le(32) V | u64le(32) W
//   | u64le(len) body | u64le(8) "AES_GCM_"
//   body = u64le(len) AES-GCM ciphertext||tag | u64le(12) nonce
// Every length is checked against the bytes left before anything is taken, so hostile input
// costs at most its own size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::timelock {

inline constexpr std::size_t kG1Bytes = 48;  // a compressed G1 point (a drand quicknet signature)
inline constexpr std::size_t kG2Bytes = 96;  // a compressed G2 point (U, a beacon public key)
inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;
// Everything around the payload: U, the framed V and W, the body's frames, nonce, tag and suite.
inline constexpr std::size_t kOverheadBytes = 244;

struct Ciphertext {
  std::array<std::uint8_t, kG2Bytes> u{};  // r·G2, checked to be in G2's subgroup by parse
  std::array<std::uint8_t, 32> v{};        // sigma XOR H2(e(Q_id, r·P_pub))
  std::array<std::uint8_t, 32> w{};        // AES key XOR H4(sigma)
  Bytes sealed;                            // AES-256-GCM ciphertext followed by its 16-byte tag
  std::array<std::uint8_t, kNonceBytes> nonce{};
};

// The checked decoder: the whole input must be exactly one ciphertext (TimelockErrc::malformed
// otherwise, naming what and where), V and W exactly 32 bytes (the runtime's h4 would panic on
// longer), the nonce 12, the suite "AES_GCM_", U a point of G2's prime-order subgroup.
Result<Ciphertext> parse_ciphertext(ByteSpan bytes);
Bytes serialize_ciphertext(const Ciphertext& c);

}  // namespace pylon::timelock

// Timelock encryption to a drand quicknet round, as subtensor's commit-reveal v4 reveals it:
// Boneh-Franklin FullIdent (with the Fujisaki-Okamoto check) over BLS12-381 as ideal-lab5's `tle`
// does it, wrapping a fresh AES-256-GCM key. Anyone holding the beacon's signature of the round
// (published by drand at that round, stored on chain in Drand.Pulses) can decrypt; nobody can
// before. The byte-level rules are in ../shared/crv4/README.md §2; ciphertext.hpp is the format.
//
// Thread contract: free functions without shared state; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "timelock/ciphertext.hpp"
#include "timelock/errors.hpp"

namespace pylon::timelock {

// drand quicknet (chain 52db9ba7…e971): the G2 public key its rounds are signed with, every 3 s
// from genesis 1692803367 (subtensor's pallets/drand DefaultBeaconConfig).
extern const std::array<std::uint8_t, kG2Bytes> kQuicknetPublicKey;
inline constexpr std::uint64_t kQuicknetGenesis = 1692803367;
inline constexpr std::uint64_t kQuicknetPeriodSeconds = 3;

// Far above any commit (the chain caps one at 5000 bytes); keeps lengths well inside int for
// OpenSSL.
inline constexpr std::size_t kMaxPayload = std::size_t{1} << 24;

// Encrypts payload to `round` of quicknet (or of the beacon whose compressed G2 key is given).
// sigma, the AES key and the nonce are drawn from OpenSSL's RAND_bytes; every secret (sigma, the
// key, r, the pairing value) is wiped before returning.
Result<Bytes> encrypt(std::uint64_t round, ByteSpan payload);
Result<Bytes> encrypt_to(ByteSpan beacon_public_key, std::uint64_t round, ByteSpan payload);

// Decrypts with the beacon's signature of the ciphertext's round: the 48 bytes of a compressed
// G1 point (Drand.Pulses[round].signature). Errors (TimelockErrc): bad_signature, malformed,
// wrong_signature, auth_failed; nothing is returned that did not authenticate.
Result<Bytes> decrypt(ByteSpan signature, ByteSpan ciphertext);

// The deterministic core of encrypt, for known-answer tests (../shared/crv4/vectors.json): the
// randomness given instead of drawn. Never call it with fixed values outside tests.
struct EncryptionRandomness {
  std::array<std::uint8_t, 32> sigma{};
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, kNonceBytes> nonce{};
};
Result<Bytes> encrypt_deterministic(ByteSpan beacon_public_key, std::uint64_t round, ByteSpan payload,
                                    const EncryptionRandomness& randomness);

// The IBE identity of a round: hash_to_curve_G1(sha256(u64be(round))) with the BLS signature DST
// of drand's bls-unchained-g1-rfc9380 scheme, compressed. Exposed for the known-answer tests.
std::array<std::uint8_t, kG1Bytes> round_identity(std::uint64_t round);
// sha256 of arkworks' 576-byte serialisation of e(g1, g2) for the groups' generators: the
// pairing and GT serialisation checked against arkworks' value (vectors.json).
std::array<std::uint8_t, 32> generator_pairing_digest();

}  // namespace pylon::timelock

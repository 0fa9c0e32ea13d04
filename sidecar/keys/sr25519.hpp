// sr25519: Schnorr signatures on ristretto255 exactly as schnorrkel (and so Substrate) makes
// them, built on libsodium's ristretto255 group and scalar arithmetic.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// Substrate signs everything under this signing context.
inline constexpr std::string_view kSubstrateSigningContext = "substrate";

// schnorrkel's SecretKey: a scalar reduced mod l (32 bytes LE) and a 32-byte nonce seed.
class SecretKey {
 public:
  SecretKey() : bytes_(64) {}
  explicit SecretKey(SecretBytes bytes64) : bytes_(std::move(bytes64)) {}
  std::span<const std::uint8_t, 32> scalar() const {
    return std::span<const std::uint8_t, 32>(bytes_.data(), 32);
  }
  std::span<const std::uint8_t, 32> nonce() const {
    return std::span<const std::uint8_t, 32>(bytes_.data() + 32, 32);
  }
  // scalar || nonce: schnorrkel's SecretKey::to_bytes, what Bittensor keyfiles store as privateKey.
  const SecretBytes& bytes() const { return bytes_; }
  SecretKey clone() const { return SecretKey(bytes_.clone()); }

 private:
  SecretBytes bytes_;
};

struct Keypair {
  SecretKey secret;
  PublicKey public_key{};
  Keypair clone() const { return Keypair{secret.clone(), public_key}; }
};

// schnorrkel MiniSecretKey::expand(ExpansionMode::Ed25519): SHA-512 of the 32-byte mini secret,
// the first half clamped like Ed25519 and divided by the cofactor 8, the second half the nonce.
Result<Keypair> keypair_from_mini_secret(ByteSpan mini_secret);

// From schnorrkel's 64-byte SecretKey::to_bytes (canonical scalar || nonce).
Result<Keypair> keypair_from_secret_bytes(ByteSpan secret64);
// From schnorrkel's to_ed25519_bytes form (scalar times the cofactor 8 || nonce), which
// polkadot-js keeps; the scalar is divided by 8 back to the canonical form.
Result<Keypair> keypair_from_ed25519_secret_bytes(ByteSpan secret64);

// Public key of a canonical scalar.
Result<PublicKey> public_from_scalar(std::span<const std::uint8_t, 32> scalar);

// Schnorrkel signature over `message` under `context` ("substrate" for the chain). The nonce
// comes from the transcript witness rng keyed with the secret nonce and fresh randomness, so two
// signatures of the same message differ. The result carries schnorrkel's marker bit (s[31] |= 0x80).
Signature sign(const Keypair& keypair, ByteSpan message, std::string_view context = kSubstrateSigningContext);
// Same with caller-given randomness in place of the fresh bytes: reproducible, for tests.
Signature sign_with_randomness(const Keypair& keypair, ByteSpan message, std::string_view context,
                               std::span<const std::uint8_t, 32> randomness);

// Ok when `signature` is a valid schnorrkel signature of `message` by `public_key`; otherwise an
// error saying why (missing marker bit, non-canonical scalar, invalid key, equation false).
Status verify(const PublicKey& public_key, ByteSpan message, ByteSpan signature,
              std::string_view context = kSubstrateSigningContext);

// True when the 32 bytes are the canonical encoding of a ristretto255 point.
bool is_valid_public_key(ByteSpan public_key);

// Scalar helpers shared with derivation (all scalars are 32-byte little-endian, mod l).
bool is_canonical_scalar(std::span<const std::uint8_t, 32> scalar);

}  // namespace pylon::keys

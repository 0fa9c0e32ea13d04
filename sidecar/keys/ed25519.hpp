// Fresh Ed25519 keypairs (libsodium's crypto_sign_keypair) for neurons' TLS certificates: the
// public key goes on chain in a NeuronCertificate, the private key goes to the one caller that asked
// for it and nowhere else. Stateless: any thread.
#pragma once

#include <array>
#include <cstdint>

#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

enum class Ed25519Errc : std::uint8_t {
  sodium_unavailable,  // libsodium could not be initialised (no randomness to draw keys from)
};

struct Ed25519Keypair {
  static constexpr std::size_t kSize = 32;
  std::array<std::uint8_t, kSize> public_key{};
  // The private key as RFC 8032 defines it (the 32-byte seed; libsodium's 64-byte secret key is
  // this seed followed by the public key), wiped when the keypair goes away.
  SecretBytes seed;
};

Result<Ed25519Keypair> generate_ed25519();

}  // namespace pylon::keys

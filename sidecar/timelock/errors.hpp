// What can go wrong in timelock encryption and decryption, as the error kind callers switch on.
#pragma once

namespace pylon::timelock {

enum class TimelockErrc {
  malformed,        // the bytes are not a tle ciphertext: framing, lengths, suite, nonce, U not in G2
  bad_signature,    // the signature is not a compressed point of G1's prime-order subgroup
  bad_public_key,   // the beacon public key is not a compressed point of G2's subgroup
  invalid_round,    // round 0: drand's rounds start at 1
  too_large,        // a payload beyond what one ciphertext is made for (kMaxPayload)
  wrong_signature,  // the IBE check failed: not the signature of the ciphertext's round, or U/V/W altered
  auth_failed,      // AES-GCM's tag does not match: the encrypted payload or its nonce was altered
  crypto_failed,    // OpenSSL failed (randomness, cipher context): nothing about the input
};

}  // namespace pylon::timelock

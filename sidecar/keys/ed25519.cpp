#include "keys/ed25519.hpp"

#include "keys/sodium_init.hpp"

namespace pylon::keys {

Result<Ed25519Keypair> generate_ed25519() {
  if (!ensure_sodium())
    return make_error(Ed25519Errc::sodium_unavailable, "libsodium could not be initialised");
  Ed25519Keypair out;
  // libsodium's secret key (seed || public key) lives only in wiped memory.
  SecretBytes secret(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(out.public_key.data(), secret.data());
  out.seed = SecretBytes(crypto_sign_SEEDBYTES);
  crypto_sign_ed25519_sk_to_seed(out.seed.data(), secret.data());
  return out;
}

}  // namespace pylon::keys

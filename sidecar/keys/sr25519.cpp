#include "keys/sr25519.hpp"

#include <sodium.h>

#include <cstring>

#include "keys/merlin.hpp"
#include "keys/sodium_init.hpp"

namespace pylon::keys {

namespace {

// Scalar::from_bytes_mod_order_wide: 64 bytes reduced mod l.
void reduce_wide(std::uint8_t out[32], std::uint8_t wide[64]) {
  crypto_core_ristretto255_scalar_reduce(out, wide);
  sodium_memzero(wide, 64);
}

// Shift a 256-bit little-endian number right by 3 bits (exact for clamped Ed25519 scalars,
// whose low three bits are zero): schnorrkel's divide_scalar_bytes_by_cofactor.
void divide_by_cofactor(std::uint8_t s[32]) {
  std::uint8_t carry = 0;
  for (int i = 31; i >= 0; --i) {
    const std::uint8_t b = s[i];
    s[i] = static_cast<std::uint8_t>((b >> 3) | carry);
    carry = static_cast<std::uint8_t>(b << 5);
  }
}

std::span<const std::uint8_t> bytes_of(const PublicKey& pk) {
  return {pk.data(), pk.size()};
}

// The transcript Substrate signs: SigningContext(context).bytes(message).
Transcript signing_transcript(std::string_view context, ByteSpan message) {
  Transcript t("SigningContext");
  t.append_message("", context);
  t.append_message("sign-bytes", message);
  return t;
}

Signature sign_impl(const Keypair& kp, ByteSpan message, std::string_view context,
                    const std::uint8_t* randomness) {
  Transcript t = signing_transcript(context, message);
  t.append_message("proto-name", std::string_view("Schnorr-sig"));
  t.append_message("sign:pk", bytes_of(kp.public_key));

  // Witness scalar r from the transcript rng keyed by the secret nonce and fresh randomness.
  std::uint8_t wide[64];
  std::uint8_t r[32];
  const std::span<const std::uint8_t> witnesses[1] = {kp.secret.nonce()};
  TranscriptRng rng =
      randomness ? t.build_rng_with("signing", witnesses, std::span<const std::uint8_t, 32>(randomness, 32))
                 : t.build_rng("signing", witnesses);
  rng.fill_bytes(wide);
  reduce_wide(r, wide);

  Signature sig{};
  // r is non-zero except with negligible probability; libsodium refuses an identity result.
  crypto_scalarmult_ristretto255_base(sig.data(), r);
  t.append_message("sign:R", std::span<const std::uint8_t>(sig.data(), 32));

  std::uint8_t k[32];
  t.challenge_bytes("sign:c", wide);
  reduce_wide(k, wide);

  // s = k * secret + r
  std::uint8_t s[32];
  crypto_core_ristretto255_scalar_mul(s, k, kp.secret.scalar().data());
  crypto_core_ristretto255_scalar_add(s, s, r);
  std::memcpy(sig.data() + 32, s, 32);
  sig[63] |= 0x80;  // schnorrkel marks its signatures to tell them from Ed25519 ones.
  sodium_memzero(r, sizeof r);
  sodium_memzero(s, sizeof s);
  return sig;
}

Result<Keypair> keypair_from_scalar_and_nonce(std::uint8_t scalar[32], const std::uint8_t* nonce) {
  SecretBytes bytes(64);
  std::memcpy(bytes.data(), scalar, 32);
  std::memcpy(bytes.data() + 32, nonce, 32);
  sodium_memzero(scalar, 32);
  Keypair kp{SecretKey(std::move(bytes)), {}};
  PYLON_ASSIGN(kp.public_key, public_from_scalar(kp.secret.scalar()));
  return kp;
}

// A keypair from 64 secret bytes, scalar then nonce. `ed25519_form`: the scalar is stored times the
// cofactor, as ed25519-style expanded keys hold it, and is divided by it here.
Result<Keypair> keypair_from_secret64(ByteSpan secret64, bool ed25519_form) {
  if (secret64.size() != 64) {
    return Error{"sr25519: secret key must be 64 bytes (scalar + nonce), got " +
                 std::to_string(secret64.size())};
  }
  std::uint8_t scalar[32];
  std::memcpy(scalar, secret64.data(), 32);
  if (ed25519_form) {
    if ((scalar[0] & 7) != 0) {
      sodium_memzero(scalar, sizeof scalar);
      return Error{"sr25519: ed25519-form secret scalar is not a multiple of the cofactor"};
    }
    divide_by_cofactor(scalar);
  }
  return keypair_from_scalar_and_nonce(scalar, secret64.data() + 32);
}

}  // namespace

bool is_canonical_scalar(std::span<const std::uint8_t, 32> scalar) {
  std::uint8_t wide[64] = {};
  std::memcpy(wide, scalar.data(), 32);
  std::uint8_t reduced[32];
  crypto_core_ristretto255_scalar_reduce(reduced, wide);
  const bool same = sodium_memcmp(reduced, scalar.data(), 32) == 0;
  sodium_memzero(wide, sizeof wide);
  sodium_memzero(reduced, sizeof reduced);
  return same;
}

bool is_valid_public_key(ByteSpan public_key) {
  return public_key.size() == 32 && crypto_core_ristretto255_is_valid_point(public_key.data()) == 1;
}

Result<PublicKey> public_from_scalar(std::span<const std::uint8_t, 32> scalar) {
  ensure_sodium();
  if (!is_canonical_scalar(scalar)) return Error{"sr25519: secret scalar is not reduced mod l"};
  PublicKey pk{};
  if (crypto_scalarmult_ristretto255_base(pk.data(), scalar.data()) != 0) {
    return Error{"sr25519: secret scalar is zero"};
  }
  return pk;
}

Result<Keypair> keypair_from_mini_secret(ByteSpan mini_secret) {
  if (mini_secret.size() != 32) {
    return Error{"sr25519: mini secret must be 32 bytes, got " + std::to_string(mini_secret.size())};
  }
  std::uint8_t h[64];
  crypto_hash_sha512(h, mini_secret.data(), mini_secret.size());
  h[0] &= 248;
  h[31] &= 63;
  h[31] |= 64;
  divide_by_cofactor(h);  // now < 2^252 < l: canonical without reduction
  auto kp = keypair_from_scalar_and_nonce(h, h + 32);
  sodium_memzero(h, sizeof h);
  return kp;
}

Result<Keypair> keypair_from_secret_bytes(ByteSpan secret64) {
  return keypair_from_secret64(secret64, /*ed25519_form=*/false);
}

Result<Keypair> keypair_from_ed25519_secret_bytes(ByteSpan secret64) {
  return keypair_from_secret64(secret64, /*ed25519_form=*/true);
}

Signature sign(const Keypair& keypair, ByteSpan message, std::string_view context) {
  return sign_impl(keypair, message, context, nullptr);
}

Signature sign_with_randomness(const Keypair& keypair, ByteSpan message, std::string_view context,
                               std::span<const std::uint8_t, 32> randomness) {
  return sign_impl(keypair, message, context, randomness.data());
}

Status verify(const PublicKey& public_key, ByteSpan message, ByteSpan signature, std::string_view context) {
  ensure_sodium();
  if (signature.size() != 64) {
    return Error{"sr25519: signature must be 64 bytes, got " + std::to_string(signature.size())};
  }
  if ((signature[63] & 0x80) == 0) {
    return Error{"sr25519: signature lacks schnorrkel's marker bit (not an sr25519 signature)"};
  }
  if (!is_valid_public_key(bytes_of(public_key)))
    return Error{"sr25519: public key is not a valid ristretto255 point"};
  std::uint8_t s[32];
  std::memcpy(s, signature.data() + 32, 32);
  s[31] &= 0x7f;
  if (!is_canonical_scalar(s)) return Error{"sr25519: signature scalar is not canonical"};

  Transcript t = signing_transcript(context, message);
  t.append_message("proto-name", std::string_view("Schnorr-sig"));
  t.append_message("sign:pk", bytes_of(public_key));
  t.append_message("sign:R", signature.subspan(0, 32));
  std::uint8_t wide[64];
  std::uint8_t k[32];
  t.challenge_bytes("sign:c", wide);
  reduce_wide(k, wide);

  // R' = s*B - k*A must equal R (compared as encodings, as schnorrkel does).
  std::uint8_t sb[32], ka[32], r[32];
  if (crypto_scalarmult_ristretto255_base(sb, s) != 0) return Error{"sr25519: signature equation false"};
  if (crypto_scalarmult_ristretto255(ka, k, public_key.data()) != 0) {
    return Error{"sr25519: signature equation false"};
  }
  crypto_core_ristretto255_sub(r, sb, ka);
  if (sodium_memcmp(r, signature.data(), 32) != 0) return Error{"sr25519: signature equation false"};
  return {};
}

}  // namespace pylon::keys

#include "timelock/timelock.hpp"

#include <blst.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace pylon::timelock {

const std::array<std::uint8_t, kG2Bytes> kQuicknetPublicKey = {
    0x83, 0xcf, 0x0f, 0x28, 0x96, 0xad, 0xee, 0x7e, 0xb8, 0xb5, 0xf0, 0x1f, 0xca, 0xd3, 0x91, 0x22,
    0x12, 0xc4, 0x37, 0xe0, 0x07, 0x3e, 0x91, 0x1f, 0xb9, 0x00, 0x22, 0xd3, 0xe7, 0x60, 0x18, 0x3c,
    0x8c, 0x4b, 0x45, 0x0b, 0x6a, 0x0a, 0x6c, 0x3a, 0xc6, 0xa5, 0x77, 0x6a, 0x2d, 0x10, 0x64, 0x51,
    0x0d, 0x1f, 0xec, 0x75, 0x8c, 0x92, 0x1c, 0xc2, 0x2b, 0x0e, 0x17, 0xe6, 0x3a, 0xaf, 0x4b, 0xcb,
    0x5e, 0xd6, 0x63, 0x04, 0xde, 0x9c, 0xf8, 0x09, 0xbd, 0x27, 0x4c, 0xa7, 0x3b, 0xab, 0x4a, 0xf5,
    0xa6, 0xe9, 0xc7, 0x6a, 0x4b, 0xc0, 0x9e, 0x76, 0xea, 0xe8, 0x99, 0x1e, 0xf5, 0xec, 0xe4, 0x5a,
};

namespace {

// drand's bls-unchained-g1-rfc9380 signature DST: RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_.
constexpr std::string_view kDst = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
constexpr std::size_t kGtBytes = 576;  // arkworks Fq12: 12 base-field elements of 48 bytes

using Digest = std::array<std::uint8_t, 32>;

// Wipes a secret when its scope ends, whichever way it ends.
class Wiper {
 public:
  Wiper(void* p, std::size_t n) : p_(p), n_(n) {}
  ~Wiper() { OPENSSL_cleanse(p_, n_); }
  Wiper(const Wiper&) = delete;
  Wiper& operator=(const Wiper&) = delete;

 private:
  void* p_;
  std::size_t n_;
};
#define PYLON_WIPE(x) const Wiper PYLON_CONCAT(wipe_, __LINE__)(&(x), sizeof(x))

Digest sha256(ByteSpan data) {
  Digest d;
  SHA256(data.data(), data.size(), d.data());
  return d;
}

std::array<std::uint8_t, 32> xor32(const std::array<std::uint8_t, 32>& a, const Digest& b) {
  std::array<std::uint8_t, 32> out;
  for (std::size_t i = 0; i < 32; ++i) out[i] = a[i] ^ b[i];
  return out;
}

blst_p1_affine identity_point(std::uint64_t round) {
  std::array<std::uint8_t, 8> be;
  for (int i = 7; i >= 0; --i, round >>= 8)
    be[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(round);
  const Digest msg = sha256(be);
  blst_p1 q;
  blst_hash_to_g1(&q, msg.data(), msg.size(), reinterpret_cast<const byte*>(kDst.data()), kDst.size(),
                  nullptr, 0);
  blst_p1_affine out;
  blst_p1_to_affine(&out, &q);
  return out;
}

// H2: sha256 of arkworks' Fq12::serialize_compressed of e(p, q): the 12 base-field elements in
// tower order (c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1), each 48 bytes little-endian.
Digest pairing_digest(const blst_p1_affine& p, const blst_p2_affine& q) {
  blst_fp12 f;
  PYLON_WIPE(f);
  blst_miller_loop(&f, &q, &p);
  blst_final_exp(&f, &f);
  std::array<std::uint8_t, kGtBytes> ark;
  PYLON_WIPE(ark);
  std::size_t at = 0;
  for (const blst_fp6& f6 : f.fp6)
    for (const blst_fp2& f2 : f6.fp2)
      for (const blst_fp& fp : f2.fp) {
        blst_lendian_from_fp(ark.data() + at, &fp);
        at += 48;
      }
  return sha256(ark);
}

// H3: r = Fr::from_be_bytes_mod_order(sha256(sigma || key)), as little-endian scalar bytes.
blst_scalar h3(const std::array<std::uint8_t, 32>& sigma, const std::array<std::uint8_t, 32>& key) {
  std::array<std::uint8_t, 64> both;
  PYLON_WIPE(both);
  std::copy(sigma.begin(), sigma.end(), both.begin());
  std::copy(key.begin(), key.end(), both.begin() + 32);
  Digest d = sha256(both);
  PYLON_WIPE(d);
  blst_scalar r;
  (void)blst_scalar_from_be_bytes(&r, d.data(), d.size());  // false only for r == 0 (probability 2^-255)
  return r;
}

// r·G2, compressed: what U must be.
std::array<std::uint8_t, kG2Bytes> u_of(const blst_scalar& r) {
  blst_p2 u;
  blst_p2_mult(&u, blst_p2_generator(), r.b, 255);
  std::array<std::uint8_t, kG2Bytes> out;
  blst_p2_compress(out.data(), &u);
  return out;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

Error crypto_failed(const char* what) {
  return make_error(TimelockErrc::crypto_failed, std::string("timelock: OpenSSL failed: ") + what);
}

// AES-256-GCM, empty AAD: ciphertext || 16-byte tag (tle's stream_ciphers.rs).
Result<Bytes> gcm_seal(const std::array<std::uint8_t, 32>& key,
                       const std::array<std::uint8_t, kNonceBytes>& nonce, ByteSpan plain) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return crypto_failed("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1)
    return crypto_failed("EVP_EncryptInit_ex");
  Bytes out(plain.size() + kTagBytes);
  int n = 0;
  if (!plain.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.data(), &n, plain.data(), static_cast<int>(plain.size())) != 1)
    return crypto_failed("EVP_EncryptUpdate");
  int tail = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &tail) != 1) return crypto_failed("EVP_EncryptFinal_ex");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + plain.size()) != 1)
    return crypto_failed("EVP_CTRL_GCM_GET_TAG");
  return out;
}

Result<Bytes> gcm_open(const std::array<std::uint8_t, 32>& key,
                       const std::array<std::uint8_t, kNonceBytes>& nonce, ByteSpan sealed) {
  const std::size_t n_plain = sealed.size() - kTagBytes;  // parse_ciphertext ensured the tag is there
  if (n_plain > kMaxPayload) return make_error(TimelockErrc::too_large, "timelock: sealed payload too large");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return crypto_failed("EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1)
    return crypto_failed("EVP_DecryptInit_ex");
  Bytes plain(n_plain);
  int n = 0;
  if (n_plain > 0 &&
      EVP_DecryptUpdate(ctx.get(), plain.data(), &n, sealed.data(), static_cast<int>(n_plain)) != 1)
    return crypto_failed("EVP_DecryptUpdate");
  std::array<std::uint8_t, kTagBytes> tag;
  std::copy(sealed.end() - kTagBytes, sealed.end(), tag.begin());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1)
    return crypto_failed("EVP_CTRL_GCM_SET_TAG");
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + n, &tail) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());  // unauthenticated: never handed out
    return make_error(
        TimelockErrc::auth_failed,
        "timelock: the AES-GCM tag does not match: the encrypted payload or its nonce was altered");
  }
  return plain;
}

Result<blst_p2_affine> beacon_key(ByteSpan pk) {
  blst_p2_affine out;
  if (pk.size() != kG2Bytes)
    return make_error(TimelockErrc::bad_public_key,
                      "timelock: a beacon public key is 96 bytes, not " + std::to_string(pk.size()));
  if (blst_p2_uncompress(&out, pk.data()) != BLST_SUCCESS || !blst_p2_affine_in_g2(&out) ||
      blst_p2_affine_is_inf(&out))
    return make_error(TimelockErrc::bad_public_key, "timelock: the beacon public key is not a point of G2");
  return out;
}

}  // namespace

Result<Bytes> encrypt_deterministic(ByteSpan beacon_public_key, std::uint64_t round, ByteSpan payload,
                                    const EncryptionRandomness& randomness) {
  if (round == 0)
    return make_error(TimelockErrc::invalid_round, "timelock: round 0 does not exist (drand starts at 1)");
  if (payload.size() > kMaxPayload)
    return make_error(TimelockErrc::too_large, "timelock: payload of " + std::to_string(payload.size()) +
                                                   " bytes is over " + std::to_string(kMaxPayload));
  PYLON_ASSIGN(const blst_p2_affine pk, beacon_key(beacon_public_key));
  const blst_p1_affine q_id = identity_point(round);

  blst_scalar r = h3(randomness.sigma, randomness.key);
  PYLON_WIPE(r);
  Ciphertext c;
  c.u = u_of(r);
  // e(Q_id, r·P_pub): the mask only the round's signature sig = s·Q_id recovers, as e(sig, U).
  blst_p2 pk_point, r_pk;
  PYLON_WIPE(r_pk);
  blst_p2_from_affine(&pk_point, &pk);
  blst_p2_mult(&r_pk, &pk_point, r.b, 255);
  blst_p2_affine r_pk_affine;
  PYLON_WIPE(r_pk_affine);
  blst_p2_to_affine(&r_pk_affine, &r_pk);
  Digest mask = pairing_digest(q_id, r_pk_affine);
  PYLON_WIPE(mask);
  c.v = xor32(randomness.sigma, mask);
  Digest h4 = sha256(randomness.sigma);  // with W public, H4(sigma) is as secret as the key
  PYLON_WIPE(h4);
  c.w = xor32(randomness.key, h4);
  PYLON_ASSIGN(c.sealed, gcm_seal(randomness.key, randomness.nonce, payload));
  c.nonce = randomness.nonce;
  return serialize_ciphertext(c);
}

Result<Bytes> encrypt_to(ByteSpan beacon_public_key, std::uint64_t round, ByteSpan payload) {
  EncryptionRandomness rnd;
  PYLON_WIPE(rnd);
  if (RAND_bytes(rnd.sigma.data(), rnd.sigma.size()) != 1 ||
      RAND_bytes(rnd.key.data(), rnd.key.size()) != 1 || RAND_bytes(rnd.nonce.data(), rnd.nonce.size()) != 1)
    return crypto_failed("RAND_bytes");
  return encrypt_deterministic(beacon_public_key, round, payload, rnd);
}

Result<Bytes> encrypt(std::uint64_t round, ByteSpan payload) {
  return encrypt_to(kQuicknetPublicKey, round, payload);
}

Result<Bytes> decrypt(ByteSpan signature, ByteSpan ciphertext) {
  if (signature.size() != kG1Bytes)
    return make_error(
        TimelockErrc::bad_signature,
        "timelock: a beacon signature is 48 bytes (compressed G1), not " + std::to_string(signature.size()));
  blst_p1_affine sig;
  if (blst_p1_uncompress(&sig, signature.data()) != BLST_SUCCESS || !blst_p1_affine_in_g1(&sig) ||
      blst_p1_affine_is_inf(&sig))
    return make_error(TimelockErrc::bad_signature, "timelock: the signature is not a point of G1");
  PYLON_ASSIGN(const Ciphertext c, parse_ciphertext(ciphertext));
  blst_p2_affine u;
  (void)blst_p2_uncompress(&u, c.u.data());  // parse_ciphertext checked it

  Digest mask = pairing_digest(sig, u);
  PYLON_WIPE(mask);
  std::array<std::uint8_t, 32> sigma = xor32(c.v, mask);
  PYLON_WIPE(sigma);
  Digest h4 = sha256(sigma);
  PYLON_WIPE(h4);
  std::array<std::uint8_t, 32> key = xor32(c.w, h4);
  PYLON_WIPE(key);
  blst_scalar r = h3(sigma, key);
  PYLON_WIPE(r);
  // The Fujisaki-Okamoto check: U must be H3(sigma, key)·G2. It fails when the signature is not
  // the round's (so sigma came out wrong) or when U, V or W were altered.
  if (u_of(r) != c.u)
    return make_error(TimelockErrc::wrong_signature,
                      "timelock: the ciphertext does not open with this signature: it is not the beacon "
                      "signature of the ciphertext's round, or the ciphertext's key part was altered");
  return gcm_open(key, c.nonce, c.sealed);
}

std::array<std::uint8_t, kG1Bytes> round_identity(std::uint64_t round) {
  const blst_p1_affine q = identity_point(round);
  std::array<std::uint8_t, kG1Bytes> out;
  blst_p1_affine_compress(out.data(), &q);
  return out;
}

std::array<std::uint8_t, 32> generator_pairing_digest() {
  return pairing_digest(*blst_p1_affine_generator(), *blst_p2_affine_generator());
}

}  // namespace pylon::timelock

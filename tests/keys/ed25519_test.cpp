// Ed25519 certificate keys (keys/ed25519.hpp): the private key handed out is the RFC 8032 seed of
// the public key, checked by an independent implementation (OpenSSL derives the same public key
// from it and its signatures verify under libsodium), and every call draws a new key.
#include "keys/ed25519.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <memory>
#include <set>

namespace pylon::keys {
namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

TEST(Ed25519, TheSeedIsThePrivateKeyOfThePublicKeyForOpenSsl) {
  auto k = generate_ed25519();
  ASSERT_TRUE(k.ok()) << k.error().message;
  ASSERT_EQ(k->seed.size(), 32u);
  Pkey pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, k->seed.data(), k->seed.size()),
            &EVP_PKEY_free);
  ASSERT_NE(pkey, nullptr);
  std::array<std::uint8_t, 32> pub{};
  std::size_t len = pub.size();
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len), 1);
  EXPECT_EQ(pub, k->public_key);

  // OpenSSL signs with the seed; libsodium verifies with the public key.
  const std::string msg = "pylon certificate";
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()), 1);
  std::array<std::uint8_t, 64> sig{};
  std::size_t sig_len = sig.size();
  ASSERT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &sig_len,
                           reinterpret_cast<const unsigned char*>(msg.data()), msg.size()),
            1);
  EXPECT_EQ(crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(msg.data()),
                                        msg.size(), k->public_key.data()),
            0);
  sig[0] ^= 1;
  EXPECT_NE(crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(msg.data()),
                                        msg.size(), k->public_key.data()),
            0);
}

TEST(Ed25519, EveryCallDrawsANewKey) {
  std::set<std::array<std::uint8_t, 32>> seen;
  for (int i = 0; i < 16; ++i) {
    auto k = generate_ed25519();
    ASSERT_TRUE(k.ok());
    EXPECT_TRUE(seen.insert(k->public_key).second);
  }
}

}  // namespace
}  // namespace pylon::keys

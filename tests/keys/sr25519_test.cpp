#include "keys/sr25519.hpp"

#include <gtest/gtest.h>

#include <string>

#include "keys/derive.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

// The shared wallet's hotkey (public reference data; see shared/README.md). Only its public key
// is asserted as a fixed value; the seed is the input.
constexpr const char* kSeed = "0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed";
constexpr const char* kPrivateKey =
    "0x8113b42d9faff136762d4e42ba392716270901486f29df6f9dc37ecd861e1a0e9f25029d60d5c5374d34e0d94a351197617ae5"
    "a12da7b2"
    "04036d226ab834e28c";
constexpr const char* kPublic = "0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033";

Keypair shared_keypair() {
  auto seed = from_hex(kSeed);
  auto kp = keypair_from_mini_secret(*seed);
  EXPECT_TRUE(kp.ok());
  return std::move(kp).value();
}

Bytes msg(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

TEST(Sr25519, MiniSecretGivesKnownPublicKey) {
  EXPECT_EQ(to_hex(shared_keypair().public_key), kPublic);
}

TEST(Sr25519, KeyfilePrivateKeyIsCanonicalScalarAndNonce) {
  Keypair kp = shared_keypair();
  EXPECT_EQ(to_hex(kp.secret.bytes().span()), kPrivateKey);
  auto again = keypair_from_secret_bytes(*from_hex(kPrivateKey));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_hex(again->public_key), kPublic);
}

TEST(Sr25519, RejectsBadSecrets) {
  EXPECT_FALSE(keypair_from_mini_secret(Bytes(31)).ok());
  EXPECT_FALSE(keypair_from_secret_bytes(Bytes(63)).ok());
  Bytes non_canonical(64, 0xff);
  auto r = keypair_from_secret_bytes(non_canonical);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not reduced"), std::string::npos);
  EXPECT_FALSE(keypair_from_secret_bytes(Bytes(64, 0)).ok());  // zero scalar
}

TEST(Sr25519, SignVerifyRoundTripAndRandomisedNonce) {
  Keypair kp = shared_keypair();
  const Bytes m = msg("hello pylon");
  Signature a = sign(kp, m);
  Signature b = sign(kp, m);
  EXPECT_NE(a, b);
  EXPECT_TRUE(verify(kp.public_key, m, a).ok());
  EXPECT_TRUE(verify(kp.public_key, m, b).ok());
  EXPECT_EQ(a[63] & 0x80, 0x80);
}

TEST(Sr25519, DeterministicGivenRandomness) {
  Keypair kp = shared_keypair();
  std::array<std::uint8_t, 32> rnd{};
  rnd[0] = 9;
  EXPECT_EQ(sign_with_randomness(kp, msg("m"), "substrate", rnd),
            sign_with_randomness(kp, msg("m"), "substrate", rnd));
}

TEST(Sr25519, VerifyRejectsTampering) {
  Keypair kp = shared_keypair();
  const Bytes m = msg("weights");
  Signature sig = sign(kp, m);
  for (std::size_t bit : {0u, 100u, 255u, 256u, 300u, 500u}) {
    Signature bad = sig;
    bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(verify(kp.public_key, m, bad).ok()) << "bit " << bit;
  }
  EXPECT_FALSE(verify(kp.public_key, msg("weightz"), sig).ok());
  EXPECT_FALSE(verify(kp.public_key, m, sig, "other-context").ok());
  Keypair other = std::move(keypair_from_uri("//Bob")).value();
  EXPECT_FALSE(verify(other.public_key, m, sig).ok());

  Signature unmarked = sig;
  unmarked[63] &= 0x7f;
  auto r = verify(kp.public_key, m, unmarked);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("marker"), std::string::npos);

  // s + l is the same scalar but not canonical: refused, as schnorrkel does.
  Signature big = sig;
  big[63] |= 0x70;
  EXPECT_FALSE(verify(kp.public_key, m, big).ok());
  EXPECT_FALSE(verify(kp.public_key, m, ByteSpan(sig.data(), 63)).ok());
  PublicKey not_a_point{};
  not_a_point.fill(0xff);
  EXPECT_FALSE(verify(not_a_point, m, sig).ok());
}

TEST(Sr25519, Ed25519FormSecretFromOracle) {
  PYLON_REQUIRE_ORACLE();
  auto o = test::run_oracle({"sr25519-from-seed", kSeed});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(test::json_field(o.out, "public_key"), kPublic);
  // polkadot-js keeps the scalar times 8; the nonce halves agree.
  auto kp = keypair_from_ed25519_secret_bytes(*from_hex(test::json_field(o.out, "secret_key")));
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), kPublic);
  EXPECT_EQ(to_hex(kp->secret.bytes().span()), kPrivateKey);
}

TEST(Sr25519, PylonSignaturesVerifyWithOracle) {
  PYLON_REQUIRE_ORACLE();
  Keypair kp = shared_keypair();
  for (std::string_view text :
       {"", "x",
        "a longer message that goes past one sponge block of the strobe state ........"
        "..................................................................."}) {
    const Bytes m = msg(text);
    Signature sig = sign(kp, m);
    auto ok = test::run_oracle({"sr25519-verify", to_hex(kp.public_key), to_hex(m), to_hex(sig)});
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    // A flipped bit in s: a well-formed but wrong signature, "invalid" (exit 3).
    Signature bad_s = sig;
    bad_s[40] ^= 0x10;
    auto bad = test::run_oracle({"sr25519-verify", to_hex(kp.public_key), to_hex(m), to_hex(bad_s)});
    EXPECT_EQ(bad.exit_code, 3) << bad.out;
    // A flipped bit in R may not even decode as a point; polkadot-js then fails with an error.
    Signature bad_r = sig;
    bad_r[5] ^= 0x10;
    auto bad2 = test::run_oracle({"sr25519-verify", to_hex(kp.public_key), to_hex(m), to_hex(bad_r)});
    EXPECT_NE(bad2.exit_code, 0) << bad2.out;
  }
}

TEST(Sr25519, OracleSignaturesVerifyWithPylon) {
  PYLON_REQUIRE_ORACLE();
  const Bytes m = msg("signed by polkadot-js");
  auto o = test::run_oracle({"sr25519-sign", kSeed, to_hex(m)});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  EXPECT_EQ(test::json_field(o.out, "public_key"), kPublic);
  auto sig = from_hex(test::json_field(o.out, "signature"));
  ASSERT_TRUE(sig.ok());
  PublicKey pk{};
  auto pkb = *from_hex(kPublic);
  std::copy(pkb.begin(), pkb.end(), pk.begin());
  EXPECT_TRUE(verify(pk, m, *sig).ok());
  Bytes flipped = *sig;
  flipped[40] ^= 0x01;
  EXPECT_FALSE(verify(pk, m, flipped).ok());
}

}  // namespace
}  // namespace pylon::keys

#include "keys/derive.hpp"

#include <gtest/gtest.h>

#include <string>

#include "codec/ss58.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

TEST(Derive, AliceIsTheWellKnownKey) {
  auto kp = keypair_from_uri("//Alice");
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(codec::ss58_encode(kp->public_key), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
}

TEST(Derive, JunctionChainCodes) {
  // Numbers are u64 little-endian; strings SCALE-encoded (compact length first), zero-padded.
  auto n = junction_from_code("1", true);
  EXPECT_TRUE(n.hard);
  EXPECT_EQ(to_hex(n.chain_code), "0x0100000000000000000000000000000000000000000000000000000000000000");
  auto s = junction_from_code("Alice", false);
  EXPECT_FALSE(s.hard);
  EXPECT_EQ(to_hex(s.chain_code), "0x14416c6963650000000000000000000000000000000000000000000000000000");
  // Longer than 32 bytes once encoded: replaced by its blake2b-256.
  auto l = junction_from_code(std::string(40, 'x'), true);
  EXPECT_NE(l.chain_code[31], 0);
}

TEST(Derive, MissingPhraseMeansDevPhrase) {
  auto implicit = keypair_from_uri("/1/2//3");
  auto explicit_phrase = keypair_from_uri(std::string(kDevPhrase) + "/1/2//3");
  ASSERT_TRUE(implicit.ok() && explicit_phrase.ok());
  EXPECT_EQ(implicit->public_key, explicit_phrase->public_key);
}

TEST(Derive, PathErrors) {
  EXPECT_FALSE(parse_derivation_path("//a//").ok());
  EXPECT_FALSE(parse_derivation_path("x").ok());
  EXPECT_FALSE(keypair_from_uri("0x1234//a").ok());  // seed too short
  EXPECT_FALSE(keypair_from_uri("0xzz").ok());
  EXPECT_FALSE(keypair_from_uri("0x" + std::string(64, '1') + "///pw").ok());
  auto bad = keypair_from_uri("bottom drive obey lake curtain smoke basket hold race lonely fit fit//a");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("bottom"), std::string::npos) << "secret phrase must not be echoed";
}

TEST(Derive, SoftPublicDerivationMatchesSecretSide) {
  auto root = keypair_from_uri("//Alice");
  ASSERT_TRUE(root.ok());
  const auto j = junction_from_code("soft", false);
  Keypair child = derive_soft(*root, j.chain_code);
  auto pub = derive_soft_public(root->public_key, j.chain_code);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(child.public_key, *pub);
  // The soft-derived secret signs for the derived public key.
  const Bytes m = {1, 2, 3};
  EXPECT_TRUE(verify(child.public_key, m, sign(child, m)).ok());
}

TEST(Derive, UrisMatchOracle) {
  PYLON_REQUIRE_ORACLE();
  const std::string mnemonic = "raccoon then despair rug dirt risk warrior absorb arm ball fly oval";
  const std::vector<std::string> uris = {
      "//Alice",
      "//Bob",
      "//Alice///dev password",  // the password applies to the dev phrase
      "//Alice/soft",
      "//hard//x/1",
      std::string(kDevPhrase) + "/1/2//3",  // polkadot-js needs the phrase for a soft-first path
      "//" + std::string(40, 'z'),
      "//18446744073709551615",
      mnemonic,
      mnemonic + "//pylon/0",
      mnemonic + "///secret password",
      mnemonic + "//hot/1///pw",
      "0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed",
      "0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed//validator/7",
  };
  for (const auto& uri : uris) {
    auto o = test::run_oracle({"sr25519-from-uri", uri});
    ASSERT_EQ(o.exit_code, 0) << uri << ": " << o.out;
    auto kp = keypair_from_uri(uri);
    ASSERT_TRUE(kp.ok()) << uri << ": " << kp.error().message;
    EXPECT_EQ(to_hex(kp->public_key), test::json_field(o.out, "public_key")) << uri;
    EXPECT_EQ(codec::ss58_encode(kp->public_key), test::json_field(o.out, "ss58")) << uri;
  }
}

}  // namespace
}  // namespace pylon::keys

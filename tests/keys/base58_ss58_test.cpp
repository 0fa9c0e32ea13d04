#include <gtest/gtest.h>

#include <string>

#include "codec/base58.hpp"
#include "keys/ss58.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

using codec::base58_decode;
using codec::base58_encode;

constexpr const char* kPublic = "0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033";
constexpr const char* kAddress = "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1";

PublicKey pk(const char* hex) {
  PublicKey out{};
  auto b = *from_hex(hex);
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

TEST(Base58, RoundTripKeepsLeadingZeros) {
  const Bytes data = {0, 0, 1, 2, 255};
  auto s = base58_encode(data);
  EXPECT_EQ(s.substr(0, 2), "11");
  auto back = base58_decode(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  EXPECT_EQ(base58_encode(Bytes{}), "");
  // "hello world" in Bitcoin's base58 alphabet.
  EXPECT_EQ(base58_encode(Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}), "StV1DL6CwTryKyV");
}

TEST(Ss58, EncodesAndDecodesSharedWallet) {
  EXPECT_EQ(*ss58_encode_account(pk(kPublic)), kAddress);
  auto d = ss58_decode(kAddress);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->prefix, 42);
  EXPECT_EQ(to_hex(d->payload), kPublic);
  EXPECT_TRUE(ss58_decode_account(kAddress, 42).ok());
  auto wrong_prefix = ss58_decode_account(kAddress, 0);
  ASSERT_FALSE(wrong_prefix.ok());
  EXPECT_NE(wrong_prefix.error().message.find("prefix 42"), std::string::npos);
}

TEST(Ss58, TwoBytePrefixesRoundTrip) {
  for (std::uint16_t prefix : {0, 1, 42, 63, 64, 65, 255, 256, 1000, 16383}) {
    auto a = ss58_encode_account(pk(kPublic), prefix);
    ASSERT_TRUE(a.ok());
    auto d = ss58_decode(*a);
    ASSERT_TRUE(d.ok()) << prefix << ": " << d.error().message;
    EXPECT_EQ(d->prefix, prefix);
    EXPECT_EQ(to_hex(d->payload), kPublic);
  }
  EXPECT_FALSE(ss58_encode_account(pk(kPublic), 16384).ok());
  EXPECT_FALSE(ss58_encode(Bytes(31), 42).ok());
  // Short payload forms (1-byte checksum) round-trip too.
  auto idx = ss58_encode(Bytes{1, 2, 3, 4}, 42);
  ASSERT_TRUE(idx.ok());
  auto back = ss58_decode(*idx);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, (Bytes{1, 2, 3, 4}));
}

TEST(Ss58, ClearErrors) {
  std::string bad_checksum = kAddress;
  bad_checksum.back() = bad_checksum.back() == '1' ? '2' : '1';
  auto r = ss58_decode(bad_checksum);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos);

  std::string bad_char = kAddress;
  bad_char[3] = '0';
  r = ss58_decode(bad_char);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid character at position 3"), std::string::npos);

  r = ss58_decode(std::string(kAddress).substr(0, 40));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("length"), std::string::npos);

  EXPECT_FALSE(ss58_decode("").ok());
  EXPECT_FALSE(ss58_decode("1").ok());
  EXPECT_FALSE(ss58_decode(std::string(300, 'z')).ok());
}

TEST(Ss58, MatchesOracle) {
  PYLON_REQUIRE_ORACLE();
  // Each oracle call starts node (~0.5 s): a few keys and the prefix boundaries only.
  const std::vector<std::string> keys = {
      kPublic, "0x0000000000000000000000000000000000000000000000000000000000000000"};
  for (const auto& key : keys) {
    for (int prefix : {0, 42, 63, 64, 255, 16383}) {
      auto o = test::run_oracle({"ss58-encode", key, std::to_string(prefix)});
      ASSERT_EQ(o.exit_code, 0) << o.out;
      const std::string expected = test::json_field(o.out, "ss58");
      EXPECT_EQ(*ss58_encode_account(pk(key.c_str()), static_cast<std::uint16_t>(prefix)), expected)
          << key << " prefix " << prefix;
      auto d = test::run_oracle({"ss58-decode", expected});
      ASSERT_EQ(d.exit_code, 0) << d.out;
      auto mine = ss58_decode(expected);
      ASSERT_TRUE(mine.ok());
      EXPECT_EQ(mine->prefix, prefix);
      EXPECT_EQ(to_hex(mine->payload), test::json_field(d.out, "public_key"));
    }
  }
}

}  // namespace
}  // namespace pylon::keys

// SS58 and base58, the codec's one SS58 API: the account form (the metagraph's hot path), any
// payload form, checksums and clear errors, checked against polkadot-js (the oracle) when present.
#include "codec/ss58.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../keys/test_support.hpp"
#include "codec/base58.hpp"

namespace pylon::codec {
namespace {

namespace oracle = keys::test;

constexpr const char* kPublic = "0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033";
constexpr const char* kAddress = "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1";

AccountId pk(const char* hex) {
  AccountId out{};
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
  EXPECT_EQ(ss58_encode(pk(kPublic)), kAddress);
  auto d = ss58_decode_payload(kAddress);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->prefix, 42);
  EXPECT_EQ(to_hex(d->payload), kPublic);
  auto account = ss58_decode(kAddress);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->prefix, kBittensorSs58Prefix);
  EXPECT_EQ(account->account, pk(kPublic));
  // Another network's address decodes with its own prefix, for the caller to refuse.
  auto other = ss58_decode(ss58_encode(pk(kPublic), 0));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->prefix, 0);
}

TEST(Ss58, TwoBytePrefixesRoundTrip) {
  for (std::uint16_t prefix : {0, 1, 42, 63, 64, 65, 255, 256, 1000, 16383}) {
    auto a = ss58_encode_payload(pk(kPublic), prefix);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, ss58_encode(pk(kPublic), prefix));
    auto d = ss58_decode_payload(*a);
    ASSERT_TRUE(d.ok()) << prefix << ": " << d.error().message;
    EXPECT_EQ(d->prefix, prefix);
    EXPECT_EQ(to_hex(d->payload), kPublic);
  }
  EXPECT_FALSE(ss58_encode_payload(pk(kPublic), 16384).ok());
  EXPECT_FALSE(ss58_encode_payload(Bytes(31), 42).ok());
  // The account form never guesses: what is not an account is rendered as hex.
  EXPECT_EQ(ss58_encode(pk(kPublic), 16384), kPublic);
  EXPECT_EQ(ss58_encode(Bytes{1, 2, 3}), "0x010203");
  // Short payload forms (1-byte checksum) round-trip too; the account decoder refuses them.
  auto idx = ss58_encode_payload(Bytes{1, 2, 3, 4}, 42);
  ASSERT_TRUE(idx.ok());
  auto back = ss58_decode_payload(*idx);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->payload, (Bytes{1, 2, 3, 4}));
  EXPECT_FALSE(ss58_decode(*idx).ok());
}

TEST(Ss58, ClearErrors) {
  std::string bad_checksum = kAddress;
  bad_checksum.back() = bad_checksum.back() == '1' ? '2' : '1';
  auto r = ss58_decode_payload(bad_checksum);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos);

  std::string bad_char = kAddress;
  bad_char[3] = '0';
  r = ss58_decode_payload(bad_char);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid character at position 3"), std::string::npos);

  r = ss58_decode_payload(std::string(kAddress).substr(0, 40));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("length"), std::string::npos);

  EXPECT_FALSE(ss58_decode_payload("").ok());
  EXPECT_FALSE(ss58_decode_payload("1").ok());
  EXPECT_FALSE(ss58_decode_payload(std::string(300, 'z')).ok());
  EXPECT_FALSE(ss58_decode(bad_checksum).ok());
}

TEST(Ss58, MatchesOracle) {
  if (oracle::oracle_path().empty())
    GTEST_SKIP() << "polkadot-js oracle not installed (run script/install-oracle; or set PYLON_ORACLE)";
  // Each oracle call starts node (~0.5 s): a few keys and the prefix boundaries only.
  const std::vector<std::string> keys = {
      kPublic, "0x0000000000000000000000000000000000000000000000000000000000000000"};
  for (const auto& key : keys) {
    for (int prefix : {0, 42, 63, 64, 255, 16383}) {
      auto o = oracle::run_oracle({"ss58-encode", key, std::to_string(prefix)});
      ASSERT_EQ(o.exit_code, 0) << o.out;
      const std::string expected = oracle::json_field(o.out, "ss58");
      EXPECT_EQ(ss58_encode(pk(key.c_str()), static_cast<std::uint16_t>(prefix)), expected)
          << key << " prefix " << prefix;
      auto d = oracle::run_oracle({"ss58-decode", expected});
      ASSERT_EQ(d.exit_code, 0) << d.out;
      auto mine = ss58_decode(expected);
      ASSERT_TRUE(mine.ok());
      EXPECT_EQ(mine->prefix, prefix);
      EXPECT_EQ(to_hex(mine->account), oracle::json_field(d.out, "public_key"));
    }
  }
}

}  // namespace
}  // namespace pylon::codec

#include "keys/hash.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "keys/keccak.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

Bytes bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

TEST(Blake2b, KnownVectors) {
  EXPECT_EQ(to_hex(blake2b_256({})), "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  // RFC 7693 appendix A: BLAKE2b-512("abc").
  EXPECT_EQ(to_hex(blake2b_512(bytes("abc"))),
            "0xba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc"
            "9518d38aa8d"
            "bf1925ab92386edd4009923");
}

TEST(Blake2b, RejectsBadLengths) {
  auto r = blake2b(bytes("x"), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("outside 1..64"), std::string::npos);
  EXPECT_FALSE(blake2b(bytes("x"), 65).ok());
  Bytes key(65, 1);
  EXPECT_FALSE(blake2b(bytes("x"), 32, key).ok());
}

TEST(Blake2b, KeyedDiffersFromUnkeyed) {
  Bytes key(32, 7);
  auto keyed = blake2b(bytes("data"), 32, key);
  auto plain = blake2b(bytes("data"), 32);
  ASSERT_TRUE(keyed.ok() && plain.ok());
  EXPECT_NE(*keyed, *plain);
}

TEST(Twox, KnownStoragePrefixes) {
  // Substrate's well-known storage prefix of the System pallet and Sudo.Key.
  EXPECT_EQ(to_hex(twox128(bytes("System"))), "0x26aa394eea5630e07c48ae0c9558cef7");
  EXPECT_EQ(to_hex(twox128(bytes("Sudo"))), "0x5c0d1176a568c1f92944340dbfed9e9c");
  EXPECT_FALSE(twox(bytes("x"), 96).ok());
}

TEST(Hashes, MatchOracle) {
  PYLON_REQUIRE_ORACLE();
  const std::vector<std::string> inputs = {"0x", "0x68656c6c6f", std::string("0x") + std::string(600, 'a')};
  for (const auto& hex : inputs) {
    auto data = from_hex(hex);
    ASSERT_TRUE(data.ok());
    for (unsigned bits : {128u, 256u, 512u}) {
      auto o = test::run_oracle({"blake2", hex, std::to_string(bits)});
      ASSERT_EQ(o.exit_code, 0) << o.out;
      auto mine = blake2b(*data, bits / 8);
      ASSERT_TRUE(mine.ok());
      EXPECT_EQ(to_hex(*mine), test::json_field(o.out, "hash")) << hex << " blake2-" << bits;
    }
    for (unsigned bits : {64u, 128u, 256u}) {
      auto o = test::run_oracle({"twox", hex, std::to_string(bits)});
      ASSERT_EQ(o.exit_code, 0) << o.out;
      auto mine = twox(*data, bits);
      ASSERT_TRUE(mine.ok());
      EXPECT_EQ(to_hex(*mine), test::json_field(o.out, "hash")) << hex << " twox-" << bits;
    }
  }
}

TEST(Keccak, PermutationOfZeroState) {
  // First and last lanes of Keccak-f[1600] applied once to the all-zero state (KeccakTools).
  KeccakState s{};
  keccak_f1600(s);
  EXPECT_EQ(s[0], 0xF1258F7940E1DDE7ULL);
  EXPECT_EQ(s[24], 0xEAF1FF7B5CECA249ULL);
}

// SHA3-256 as a sponge over our permutation, compared with OpenSSL's independent SHA3-256.
Bytes sha3_256_with_our_keccak(const Bytes& msg) {
  constexpr std::size_t rate = 136;
  std::array<std::uint8_t, 200> st{};
  Bytes padded = msg;
  padded.push_back(0x06);
  while (padded.size() % rate) padded.push_back(0);
  padded.back() |= 0x80;
  for (std::size_t off = 0; off < padded.size(); off += rate) {
    for (std::size_t i = 0; i < rate; ++i) st[i] ^= padded[off + i];
    keccak_f1600_bytes(st);
  }
  return Bytes(st.begin(), st.begin() + 32);
}

TEST(Keccak, Sha3SpongeMatchesOpenSsl) {
  for (std::size_t len : {0u, 1u, 135u, 136u, 137u, 500u}) {
    Bytes msg(len);
    for (std::size_t i = 0; i < len; ++i) msg[i] = static_cast<std::uint8_t>(i * 31 + 7);
    Bytes expected(32);
    unsigned out_len = 0;
    ASSERT_EQ(EVP_Digest(msg.data(), msg.size(), expected.data(), &out_len, EVP_sha3_256(), nullptr), 1);
    EXPECT_EQ(to_hex(sha3_256_with_our_keccak(msg)), to_hex(expected)) << "length " << len;
  }
}

}  // namespace
}  // namespace pylon::keys

// The JS oracle (../shared/crv4/tle_oracle.mjs on @noble/curves, checked against arkworks' tld)
// opens Pylon's ciphertexts with drand quicknet's real signature of round 1000 to exactly the
// payload, and Pylon opens the oracle's. Installed by script/install-oracle in build/crv4-oracle;
// the tests skip without it or without node.
#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"
#include "timelock/timelock.hpp"

namespace pylon::timelock {
namespace {

using keys::test::run_command;
using keys::test::shell_quote;

std::string oracle() {
  return keys::test::node_oracle("PYLON_CRV4_ORACLE", "build/crv4-oracle/tle.mjs");
}

#define PYLON_REQUIRE_CRV4_ORACLE()                                                                      \
  do {                                                                                                   \
    if (oracle().empty())                                                                                \
      GTEST_SKIP() << "crv4 oracle not installed (run script/install-oracle; or set PYLON_CRV4_ORACLE)"; \
  } while (0)

keys::test::OracleResult tle(const std::string& cmd, const std::string& a, const std::string& b) {
  return run_command("node " + shell_quote(oracle()) + " " + cmd + " " + shell_quote(a) + " " +
                     shell_quote(b) + " 2>/dev/null");
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const char* kSig1000 =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";

// A commit of 256 uids: SCALE {hotkey (Alice), uids, values, version_key}, 1069 bytes.
Bytes commit_payload() {
  Bytes p = {0x80};
  const auto alice = from_hex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  p.insert(p.end(), alice->begin(), alice->end());
  for (int part = 0; part < 2; ++part) {
    p.push_back(0x01);  // compact(256) = 0x0401
    p.push_back(0x04);
    for (std::uint16_t i = 0; i < 256; ++i) {
      const std::uint16_t x = part == 0 ? i : static_cast<std::uint16_t>(65535 - i * 97);
      p.push_back(static_cast<std::uint8_t>(x & 0xff));
      p.push_back(static_cast<std::uint8_t>(x >> 8));
    }
  }
  for (int i = 0; i < 8; ++i) p.push_back(i == 0 ? 0x2a : 0);
  return p;
}

TEST(TimelockOracle, TheOracleOpensPylonsCiphertextToExactlyThePayload) {
  PYLON_REQUIRE_CRV4_ORACLE();
  for (const Bytes& payload : {commit_payload(), Bytes{}, Bytes{0x42}}) {
    auto c = encrypt(1000, payload);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto r = tle("decrypt", to_hex(*c), kSig1000);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ("0x" + trim(r.out), to_hex(payload));
  }
}

// The oracle is a real check: the same ciphertext with one byte of V (the IBE part) or of the
// sealed payload altered does not open there.
TEST(TimelockOracle, TheOracleRefusesAlteredPylonCiphertexts) {
  PYLON_REQUIRE_CRV4_ORACLE();
  auto c = encrypt(1000, commit_payload());
  ASSERT_TRUE(c.ok());
  for (std::size_t at : {std::size_t{110}, std::size_t{300}}) {
    Bytes t = *c;
    t[at] ^= 0x01;
    auto r = tle("decrypt", to_hex(t), kSig1000);
    EXPECT_EQ(r.exit_code, 1) << "byte " << at << ": " << r.out;
  }
}

TEST(TimelockOracle, PylonOpensTheOraclesCiphertext) {
  PYLON_REQUIRE_CRV4_ORACLE();
  const Bytes payload = commit_payload();
  auto r = tle("encrypt", to_hex(payload), "1000");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto c = from_hex(trim(r.out));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), payload.size() + kOverheadBytes);
  auto p = decrypt(*from_hex(kSig1000), *c);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p, payload);
}

}  // namespace
}  // namespace pylon::timelock

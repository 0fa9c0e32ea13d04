#include "keys/merlin.hpp"

#include <gtest/gtest.h>

#include "common/hex.hpp"

namespace pylon::keys {
namespace {

// merlin's published conformance vector (its equivalence_simple test; the same hex is pinned by
// independent C ports of merlin).
TEST(Merlin, EquivalenceSimpleVector) {
  Transcript t("test protocol");
  t.append_message("some label", std::string_view("some data"));
  std::array<std::uint8_t, 32> challenge{};
  t.challenge_bytes("challenge", challenge);
  EXPECT_EQ(to_hex(challenge), "0xd5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

TEST(Merlin, ChallengesDependOnEveryInput) {
  auto challenge = [](std::string_view label, std::string_view msg) {
    Transcript t("test protocol");
    t.append_message(label, msg);
    std::array<std::uint8_t, 32> c{};
    t.challenge_bytes("challenge", c);
    return to_hex(c);
  };
  EXPECT_NE(challenge("some label", "some data"), challenge("some label", "some datb"));
  EXPECT_NE(challenge("some label", "some data"), challenge("some lab", "elsome data"));
}

TEST(Merlin, LongMessagesCrossTheSpongeRate) {
  // Messages longer than STROBE's 166-byte rate exercise run_f in absorb and squeeze.
  Transcript a("long");
  Transcript b("long");
  Bytes big(1000, 0x5a);
  a.append_message("m", big);
  big[999] ^= 1;
  b.append_message("m", big);
  std::array<std::uint8_t, 400> ca{}, cb{};
  a.challenge_bytes("c", ca);
  b.challenge_bytes("c", cb);
  EXPECT_NE(to_hex(ca), to_hex(cb));
}

TEST(Merlin, WitnessRngIsDeterministicGivenRandomness) {
  Transcript t("rng");
  t.append_message("x", std::string_view("y"));
  const std::uint8_t w[4] = {1, 2, 3, 4};
  const std::span<const std::uint8_t> ws[1] = {w};
  std::array<std::uint8_t, 32> fresh{};
  auto r1 = t.build_rng_with("witness", ws, fresh);
  auto r2 = t.build_rng_with("witness", ws, fresh);
  std::array<std::uint8_t, 64> o1{}, o2{};
  r1.fill_bytes(o1);
  r2.fill_bytes(o2);
  EXPECT_EQ(o1, o2);
  fresh[0] = 1;
  auto r3 = t.build_rng_with("witness", ws, fresh);
  r3.fill_bytes(o2);
  EXPECT_NE(o1, o2);
  // Fresh randomness from libsodium: two rngs differ.
  auto r4 = t.build_rng("witness", ws);
  auto r5 = t.build_rng("witness", ws);
  r4.fill_bytes(o1);
  r5.fill_bytes(o2);
  EXPECT_NE(o1, o2);
}

}  // namespace
}  // namespace pylon::keys

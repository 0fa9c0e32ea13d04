// sidecar/timelock: known answers (vectors.json, checked against arkworks), round trips with the
// real quicknet signature of round 1000 and with a beacon key of the test's own, and every kind
// of refusal: altered bytes, wrong signatures, malformed framing.
#include "timelock/timelock.hpp"

#include <blst.h>
#include <gtest/gtest.h>

#include <string>

#include "vectors.hpp"

namespace pylon::timelock {
namespace {

using test::vectors;

// drand quicknet's signature of round 1000 (subtensor pallets/drand/src/tests.rs:43).
Bytes sig1000() {
  return *from_hex(
      "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39");
}

Bytes payload_of(std::size_t n) {
  Bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return p;
}

std::optional<TimelockErrc> kind(const Error& e) {
  return e.kind_of<TimelockErrc>();
}

TEST(TimelockVectors, IdentityAndPairingMatchArkworks) {
  PYLON_REQUIRE_VECTORS();
  const auto& v = vectors();
  const auto q = round_identity(v.round);
  EXPECT_EQ(to_hex(q), to_hex(v.qid));
  const auto d = generator_pairing_digest();
  EXPECT_EQ(to_hex(d), to_hex(v.pairing_digest));
  EXPECT_EQ(to_hex(v.pk), to_hex(kQuicknetPublicKey));
}

TEST(TimelockVectors, FixedRandomnessGivesTheVectorsCiphertext) {
  PYLON_REQUIRE_VECTORS();
  const auto& v = vectors();
  EncryptionRandomness rnd;
  std::copy(v.sigma.begin(), v.sigma.end(), rnd.sigma.begin());
  std::copy(v.esk.begin(), v.esk.end(), rnd.key.begin());
  std::copy(v.nonce.begin(), v.nonce.end(), rnd.nonce.begin());
  auto c = encrypt_deterministic(v.pk, v.round, v.plaintext, rnd);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(to_hex(*c), to_hex(v.ciphertext));
}

TEST(TimelockVectors, TheVectorsCiphertextDecryptsWithTheRealSignature) {
  PYLON_REQUIRE_VECTORS();
  const auto& v = vectors();
  auto p = decrypt(v.sig, v.ciphertext);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(to_hex(*p), to_hex(v.plaintext));
}

TEST(Timelock, RoundTripsWithTheRealQuicknetSignature) {
  for (std::size_t n : {0, 1, 59, 1100, 4756}) {
    const Bytes payload = payload_of(n);
    auto c = encrypt(1000, payload);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->size(), n + kOverheadBytes);
    auto p = decrypt(sig1000(), *c);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(*p, payload);
  }
}

TEST(Timelock, EachEncryptionDrawsFreshRandomness) {
  const Bytes payload = payload_of(40);
  auto a = encrypt(1000, payload);
  auto b = encrypt(1000, payload);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto ca = parse_ciphertext(*a);
  auto cb = parse_ciphertext(*b);
  ASSERT_TRUE(ca.ok() && cb.ok());
  EXPECT_NE(ca->u, cb->u);
  EXPECT_NE(ca->nonce, cb->nonce);
}

// A beacon of the test's own (as a local chain can be fed): sk, pk = sk·G2, sig = sk·Q_id(round).
struct OwnBeacon {
  blst_scalar sk;
  std::array<std::uint8_t, kG2Bytes> pk;
  Bytes sign(std::uint64_t round) const {
    const auto q = round_identity(round);
    blst_p1_affine qa;
    EXPECT_EQ(blst_p1_uncompress(&qa, q.data()), BLST_SUCCESS);
    blst_p1 qp, s;
    blst_p1_from_affine(&qp, &qa);
    blst_p1_mult(&s, &qp, sk.b, 255);
    Bytes out(kG1Bytes);
    blst_p1_compress(out.data(), &s);
    return out;
  }
};

OwnBeacon own_beacon() {
  OwnBeacon b;
  const std::uint8_t ikm[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  blst_keygen(&b.sk, ikm, sizeof ikm, nullptr, 0);
  blst_p2 pk;
  blst_sk_to_pk_in_g2(&pk, &b.sk);
  blst_p2_compress(b.pk.data(), &pk);
  return b;
}

TEST(Timelock, RoundTripsWithABeaconOfItsOwnForAnyRound) {
  const OwnBeacon beacon = own_beacon();
  for (std::uint64_t round : {std::uint64_t{1}, std::uint64_t{32340463}, ~std::uint64_t{0}}) {
    const Bytes payload = payload_of(77);
    auto c = encrypt_to(beacon.pk, round, payload);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto p = decrypt(beacon.sign(round), *c);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(*p, payload);
    // The neighbouring round's signature of the same beacon does not open it.
    auto other = decrypt(beacon.sign(round - 1 == 0 ? 2 : round - 1), *c);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(kind(other.error()), TimelockErrc::wrong_signature);
  }
}

TEST(Timelock, AnotherRoundsCiphertextIsRefusedAsWrongSignature) {
  auto c = encrypt(1001, payload_of(59));
  ASSERT_TRUE(c.ok());
  auto p = decrypt(sig1000(), *c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(kind(p.error()), TimelockErrc::wrong_signature) << p.error().message;
  // A valid G1 point that is no signature at all (the round's identity itself).
  const auto q = round_identity(1000);
  auto c1000 = encrypt(1000, payload_of(59));
  ASSERT_TRUE(c1000.ok());
  auto p2 = decrypt(Bytes(q.begin(), q.end()), *c1000);
  ASSERT_FALSE(p2.ok());
  EXPECT_EQ(kind(p2.error()), TimelockErrc::wrong_signature);
}

TEST(Timelock, SignaturesThatAreNoG1PointAreRefused) {
  auto c = encrypt(1000, payload_of(10));
  ASSERT_TRUE(c.ok());
  Bytes sig = sig1000();
  for (Bytes bad : {Bytes(sig.begin(), sig.end() - 1), Bytes(49, 0x80), Bytes{}}) {
    auto p = decrypt(bad, *c);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(kind(p.error()), TimelockErrc::bad_signature);
  }
  Bytes off_curve = sig;
  off_curve[47] ^= 0x01;  // another x: off the curve, or on it but (all but surely) not in G1
  auto p = decrypt(off_curve, *c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(kind(p.error()), TimelockErrc::bad_signature);
  Bytes infinity(48, 0);
  infinity[0] = 0xc0;
  auto pi = decrypt(infinity, *c);
  ASSERT_FALSE(pi.ok());
  EXPECT_EQ(kind(pi.error()), TimelockErrc::bad_signature);
}

// Every byte of a ciphertext matters, and each region fails with its own kind.
TEST(Timelock, EveryAlteredByteIsRefusedWithTheRightKind) {
  const std::size_t n = 20;
  auto made = encrypt(1000, payload_of(n));
  ASSERT_TRUE(made.ok());
  const Bytes c = *made;
  // Layout: U 0..96, len 96..104, V 104..136, len 136..144, W 144..176, body len 176..184,
  // sealed len 184..192, sealed 192..192+n+16, nonce len, nonce, suite len, suite.
  const std::size_t sealed_at = 192, nonce_at = sealed_at + n + 16 + 8, suite_at = nonce_at + 12 + 8;
  ASSERT_EQ(c.size(), suite_at + 8);
  for (std::size_t i = 0; i < c.size(); ++i) {
    Bytes t = c;
    t[i] ^= 0x01;
    auto p = decrypt(sig1000(), t);
    ASSERT_FALSE(p.ok()) << "byte " << i;
    const auto k = kind(p.error());
    SCOPED_TRACE("byte " + std::to_string(i) + ": " + p.error().message);
    if (i < 96)
      EXPECT_TRUE(k == TimelockErrc::malformed || k == TimelockErrc::wrong_signature);
    else if ((i >= 104 && i < 136) || (i >= 144 && i < 176))
      EXPECT_EQ(k, TimelockErrc::wrong_signature);
    else if ((i >= sealed_at && i < sealed_at + n + 16) || (i >= nonce_at && i < nonce_at + 12))
      EXPECT_EQ(k, TimelockErrc::auth_failed);
    else
      EXPECT_EQ(k, TimelockErrc::malformed);
  }
}

TEST(Timelock, FramingErrorsAreMalformed) {
  auto made = encrypt(1000, payload_of(8));
  ASSERT_TRUE(made.ok());
  const Bytes c = *made;
  for (std::size_t cut = 0; cut < c.size(); ++cut) {
    auto p = parse_ciphertext(ByteSpan(c.data(), cut));
    ASSERT_FALSE(p.ok()) << cut;
    EXPECT_EQ(kind(p.error()), TimelockErrc::malformed);
  }
  Bytes longer = c;
  longer.push_back(0);
  auto p = parse_ciphertext(longer);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(kind(p.error()), TimelockErrc::malformed);
  // A length claiming more than the input holds, in the top byte.
  Bytes huge = c;
  huge[96 + 7] = 0xff;
  auto ph = parse_ciphertext(huge);
  ASSERT_FALSE(ph.ok());
  EXPECT_EQ(kind(ph.error()), TimelockErrc::malformed);
  EXPECT_NE(ph.error().message.find("byte 96"), std::string::npos) << ph.error().message;
  // The parsed parts serialise back to the same bytes.
  auto ok = parse_ciphertext(c);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(serialize_ciphertext(*ok), c);
}

// The ciphertext of a real finney commit_timelocked_mechanism_weights (block 9101269, netuid 7,
// reveal round 32340463): it parses, its 59-byte payload is Alice-sized (hotkey, 4 uids, 4
// values, version_key), and round 1000's signature does not open it.
TEST(Timelock, ARealFinneyCommitParses) {
  const Bytes c = *from_hex(
      "add79c4f91c9b56920e48e41d7de2bb50289966534371c16faa5a023d0052165283424fbb6f6b4121516acb75f50f2181301"
      "bd76c3df06e40409b293b2e4e6d4c5d29dfaf57239e2d21ec7a65f1fdd00905d91dee6baebc895c9deb76849c8cf200000"
      "0000000000ce281554cf945eba34e9159487c3fe6854f039ebfb99c23e56075b6782187c402000000000000000c6650336"
      "df21d47c5cbd05e202b072c38c7d9c7ff7dad2ff9811ebddb41b3e7067000000000000004b0000000000000045f7265fea"
      "37fb03a04611dac062e06e03585ba9c05a17784e6a34efb1a7f787b4b9e5c5dd615c1746f01a2806db82524a93f616fe89"
      "81c62ab4ec28fe9839b75d0608593f6f72aceaaca10c00000000000000f6e30fc8e613b20200bf45fe0800000000000000"
      "4145535f47434d5f");
  ASSERT_EQ(c.size(), 303u);
  auto parsed = parse_ciphertext(c);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->sealed.size(), 59u + kTagBytes);
  EXPECT_EQ(serialize_ciphertext(*parsed), c);
  auto p = decrypt(sig1000(), c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(kind(p.error()), TimelockErrc::wrong_signature);
}

TEST(Timelock, EncryptRefusesRoundZeroAndBadKeys) {
  auto z = encrypt(0, payload_of(3));
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(kind(z.error()), TimelockErrc::invalid_round);
  Bytes pk(kQuicknetPublicKey.begin(), kQuicknetPublicKey.end());
  pk[95] ^= 0x01;
  auto b = encrypt_to(pk, 1000, payload_of(3));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(kind(b.error()), TimelockErrc::bad_public_key);
  auto s = encrypt_to(ByteSpan(kQuicknetPublicKey.data(), 48), 1000, payload_of(3));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(kind(s.error()), TimelockErrc::bad_public_key);
}

}  // namespace
}  // namespace pylon::timelock

#include "keys/keyfile.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"

namespace pylon::keys {
namespace {

// The shared wallet's hotkey file content (public reference data, also in shared/wallets).
const std::string kHotkeyJson =
    R"({"ss58Address":"5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1","accountId":"0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033","publicKey":"0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033","secretPhrase":"raccoon then despair rug dirt risk warrior absorb arm ball fly oval","privateKey":"0x8113b42d9faff136762d4e42ba392716270901486f29df6f9dc37ecd861e1a0e9f25029d60d5c5374d34e0d94a351197617ae5a12da7b204036d226ab834e28c","secretSeed":"0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed"})";
constexpr const char* kPublic = "0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033";

ByteSpan span(const std::string& s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

Result<Keypair> load(const std::string& json) {
  PYLON_ASSIGN(KeyfileContents c, parse_keyfile_json(span(json)));
  return keyfile_keypair(c);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// Drops the field `name` (and its value) from the shared JSON.
std::string without(const std::string& json, const std::string& name) {
  const auto start = json.find("\"" + name + "\"");
  auto end = json.find("\",", start);
  std::string s = json;
  if (end != std::string::npos) return s.erase(start, end + 2 - start);
  end = json.find("\"}", start);
  s.erase(start - 1, end + 1 - (start - 1));
  return s;
}

void expect_error(const Result<Keypair>& r, const std::string& needle) {
  ASSERT_FALSE(r.ok()) << "expected an error containing: " << needle;
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  // No secret material in messages.
  EXPECT_EQ(r.error().message.find("e885cc43"), std::string::npos);
  EXPECT_EQ(r.error().message.find("8113b42d"), std::string::npos);
  EXPECT_EQ(r.error().message.find("raccoon"), std::string::npos);
}

TEST(Keyfile, SharedHotkeyParses) {
  auto c = parse_keyfile_json(span(kHotkeyJson));
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->secret_phrase.has_value());
  EXPECT_EQ(c->secret_phrase->view(), "raccoon then despair rug dirt risk warrior absorb arm ball fly oval");
  auto kp = keyfile_keypair(*c);
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), kPublic);
  auto info = keyfile_public_info(*c);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->ss58_address, "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1");
}

TEST(Keyfile, SecretFromPrivateKeyWhenNoSeed) {
  auto kp = load(without(kHotkeyJson, "secretSeed"));
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), kPublic);
  // Signatures from the privateKey-derived pair verify for the file's key.
  const Bytes m = {1, 2, 3};
  EXPECT_TRUE(verify(kp->public_key, m, sign(*kp, m)).ok());
}

TEST(Keyfile, NullFieldsAreAbsent) {
  auto kp = load(replace(
      replace(kHotkeyJson, "\"0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed\"", "null"),
      "\"raccoon then despair rug dirt risk warrior absorb arm ball fly oval\"", "null"));
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), kPublic);
}

TEST(Keyfile, RefusesSecretOfAnotherKey) {
  // A seed that is valid but belongs to another public key.
  expect_error(load(replace(kHotkeyJson, "e885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed",
                            "0000000000000000000000000000000000000000000000000000000000000001")),
               "another public key");
  std::string pk_only = without(kHotkeyJson, "secretSeed");
  expect_error(load(replace(pk_only, "8113b42d", "8113b42e")), "\"privateKey\" gives another public key");
  // Even with a good seed, a damaged privateKey refuses the file.
  expect_error(load(replace(kHotkeyJson, "8113b42d", "8113b42e")), "\"privateKey\" gives another public key");
  // Only a phrase left: it is the source, and it is checked too.
  std::string phrase_only = without(pk_only, "privateKey");
  auto from_phrase = load(phrase_only);
  ASSERT_TRUE(from_phrase.ok()) << from_phrase.error().message;
  EXPECT_EQ(to_hex(from_phrase->public_key), kPublic);
  expect_error(
      load(replace(phrase_only, "raccoon then despair rug dirt risk warrior absorb arm ball fly oval",
                   "bottom drive obey lake curtain smoke basket hold race lonely fit walk")),
      "\"secretPhrase\" gives another public key");
  // Public key fields that disagree.
  expect_error(load(replace(kHotkeyJson, "\"publicKey\":\"0x3221", "\"publicKey\":\"0x4221")), "differ");
  expect_error(load(replace(kHotkeyJson, "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1",
                            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")),
               "another account");
  expect_error(load(without(without(without(kHotkeyJson, "secretSeed"), "privateKey"), "secretPhrase")),
               "no secret");
  expect_error(load(R"({"secretSeed":"0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed"})"),
               "neither");
}

TEST(Keyfile, MalformedInputsGiveClearErrors) {
  expect_error(load(""), "empty");
  expect_error(load("[]"), "not a JSON object");
  expect_error(load("{\"publicKey\": 5}"), "must be a string");
  expect_error(load(replace(kHotkeyJson, "0xe885cc43", "0xe885cc4")), "32 bytes of hex");
  expect_error(load(replace(kHotkeyJson, "0xe885cc43", "0xg885cc43")), "not valid hex");
  expect_error(load(replace(kHotkeyJson, "raccoon then", "raccoon\\u0020then")), "escape");
  expect_error(load(replace(kHotkeyJson, "{", "{\"publicKey\":null,")), "duplicate");
  expect_error(load(kHotkeyJson + "x"), "");
  auto trailing = load(kHotkeyJson + " {}");
  EXPECT_FALSE(trailing.ok());
}

TEST(Keyfile, EveryTruncationIsAnError) {
  for (std::size_t len = 0; len < kHotkeyJson.size(); ++len) {
    auto r = load(kHotkeyJson.substr(0, len));
    ASSERT_FALSE(r.ok()) << "accepted a keyfile truncated to " << len << " bytes";
    EXPECT_EQ(r.error().message.find("e885cc43"), std::string::npos);
    EXPECT_EQ(r.error().message.find("raccoon"), std::string::npos);
  }
}

TEST(Keyfile, WriteThenReadBack) {
  auto c = parse_keyfile_json(span(kHotkeyJson));
  ASSERT_TRUE(c.ok());
  auto kp = keyfile_keypair(*c);
  ASSERT_TRUE(kp.ok());
  SecretBytes json = keyfile_json(*kp, &*c->secret_phrase, &*c->secret_seed);
  auto back = parse_keyfile_json(json.span());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->public_key, kp->public_key);
  EXPECT_EQ(back->account_id, kp->public_key);
  EXPECT_EQ(back->ss58_address, "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1");
  EXPECT_TRUE(back->secret_seed->equals(c->secret_seed->span()));
  EXPECT_TRUE(back->private_key->equals(c->private_key->span()));
  EXPECT_EQ(back->secret_phrase->view(), c->secret_phrase->view());
  // Without phrase and seed they are written as null.
  SecretBytes bare = keyfile_json(*kp, nullptr, nullptr);
  const std::string text(reinterpret_cast<const char*>(bare.data()), bare.size());
  EXPECT_NE(text.find("\"secretPhrase\":null"), std::string::npos);
  EXPECT_NE(text.find("\"secretSeed\":null"), std::string::npos);
  auto pub = public_keyfile_json(kp->public_key);
  EXPECT_EQ(pub.find("privateKey"), std::string::npos);
  auto pub_parsed = parse_keyfile_json(span(pub));
  ASSERT_TRUE(pub_parsed.ok());
  EXPECT_TRUE(keyfile_public_info(*pub_parsed).ok());
  EXPECT_FALSE(keyfile_keypair(*pub_parsed).ok());
}

}  // namespace
}  // namespace pylon::keys

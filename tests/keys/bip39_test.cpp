#include "keys/bip39.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_support.hpp"

namespace pylon::keys {
namespace {

constexpr std::string_view kWalletPhrase =
    "raccoon then despair rug dirt risk warrior absorb arm ball fly oval";

TEST(Bip39, WordList) {
  EXPECT_EQ(bip39_word_index("abandon"), 0);
  EXPECT_EQ(bip39_word_index("zoo"), 2047);
  EXPECT_EQ(bip39_word_index("Abandon"), -1);
  EXPECT_EQ(bip39_word_index("pylon"), -1);
}

TEST(Bip39, EntropyRoundTripAndReferenceVector) {
  // BIP39 reference vector: 16 zero bytes are "abandon" x 11 + "about".
  auto m = entropy_to_mnemonic(Bytes(16, 0));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->view(),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about");
  Bytes e32(32, 0x7f);
  auto m24 = entropy_to_mnemonic(e32);
  ASSERT_TRUE(m24.ok());
  auto back = mnemonic_to_entropy(m24->view());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->equals(e32));
}

TEST(Bip39, SharedWalletPhraseGivesItsSeed) {
  auto seed = mini_secret_from_mnemonic(kWalletPhrase);
  ASSERT_TRUE(seed.ok()) << seed.error().message;
  EXPECT_EQ(to_hex(seed->span()), "0xe885cc433b25304f7f85db75e8eb89a85f622b0c577766cad9f1da874b03afed");
  // Extra whitespace is tolerated.
  auto spaced =
      mini_secret_from_mnemonic("  raccoon then\tdespair rug dirt risk warrior absorb arm ball fly oval\n");
  ASSERT_TRUE(spaced.ok());
  EXPECT_TRUE(spaced->equals(seed->span()));
}

TEST(Bip39, ClearErrorsWithoutEchoingThePhrase) {
  auto unknown = mnemonic_to_entropy("raccoon then despair rug dirt risk warrior absorb arm ball fly pylon");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("word 12"), std::string::npos);
  EXPECT_EQ(unknown.error().message.find("raccoon"), std::string::npos);
  auto checksum = mnemonic_to_entropy("raccoon then despair rug dirt risk warrior absorb arm ball oval fly");
  ASSERT_FALSE(checksum.ok());
  EXPECT_NE(checksum.error().message.find("checksum"), std::string::npos);
  auto count = mnemonic_to_entropy("raccoon then despair");
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.error().message.find("got 3"), std::string::npos);
  EXPECT_FALSE(mnemonic_to_entropy("").ok());
  EXPECT_FALSE(generate_mnemonic(13).ok());
  EXPECT_FALSE(mini_secret_from_entropy(Bytes(15), "").ok());
}

TEST(Bip39, GeneratedMnemonicsMatchOracle) {
  PYLON_REQUIRE_ORACLE();
  for (unsigned words : {12u, 15u, 24u}) {
    auto m = generate_mnemonic(words);
    ASSERT_TRUE(m.ok());
    auto mine = mini_secret_from_mnemonic(m->view());
    ASSERT_TRUE(mine.ok()) << mine.error().message;
    std::vector<std::string> args = {"mnemonic-to-seed"};
    std::string phrase(m->view());
    std::size_t start = 0;
    while (start < phrase.size()) {
      std::size_t end = phrase.find(' ', start);
      if (end == std::string::npos) end = phrase.size();
      args.push_back(phrase.substr(start, end - start));
      start = end + 1;
    }
    EXPECT_EQ(args.size(), words + 1);
    auto o = test::run_oracle(args);
    ASSERT_EQ(o.exit_code, 0) << o.out;
    EXPECT_EQ(to_hex(mine->span()), test::json_field(o.out, "mini_secret"));
  }
}

}  // namespace
}  // namespace pylon::keys

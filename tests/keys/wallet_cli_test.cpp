// `pylon wallet` end to end, through the registered command (the same code build/pylon runs).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/command.hpp"
#include "codec/ss58.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

namespace fs = std::filesystem;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run wallet(std::vector<std::string> args) {
  const app::Command* cmd = nullptr;
  for (const auto& c : app::commands()) {
    if (c.name == "wallet") cmd = &c;
  }
  EXPECT_NE(cmd, nullptr);
  if (!cmd) return {-1, "", ""};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int code = cmd->run(std::span<char* const>(argv.data(), argv.size()));
  std::fflush(stdout);
  std::fflush(stderr);
  Run r{code, testing::internal::GetCapturedStdout(), testing::internal::GetCapturedStderr()};
  return r;
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(WalletCli, NewHotkeyFromUriAndShow) {
  test::TempDir dir;
  auto r =
      wallet({"new-hotkey", "--path", dir.path(), "--wallet", "w", "--hotkey", "alice", "--uri", "//Alice"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\n");
  const fs::path file = fs::path(dir.path()) / "w/hotkeys/alice";
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);

  auto s = wallet({"show", "--path", dir.path(), "--wallet", "w", "--hotkey", "alice"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), std::string::npos);
  EXPECT_NE(s.out.find("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
            std::string::npos);
  EXPECT_EQ(s.out.find("privateKey"), std::string::npos);
  EXPECT_EQ(s.out.find("secret"), std::string::npos);

  // Existing files are not replaced without --overwrite.
  auto again =
      wallet({"new-hotkey", "--path", dir.path(), "--wallet", "w", "--hotkey", "alice", "--uri", "//Bob"});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);

  // A world-readable hotkey is refused with the fix in the message.
  ::chmod(file.c_str(), 0644);
  auto refused = wallet({"show", "--path", dir.path(), "--wallet", "w", "--hotkey", "alice"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;
}

TEST(WalletCli, NewHotkeyWithGeneratedMnemonic) {
  test::TempDir dir;
  auto r = wallet({"new-hotkey", "--path", dir.path(), "--wallet", "w", "--hotkey", "h", "--words", "24"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto kp = load_hotkey({dir.path(), "w"}, "h");
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(codec::ss58_encode(kp->public_key) + "\n", r.out);
  // The stored mnemonic regenerates the same key (secretPhrase -> secretSeed -> key).
  auto data = read_secret_file(fs::path(dir.path()) / "w/hotkeys/h");
  ASSERT_TRUE(data.ok());
  auto contents = parse_keyfile_json(data->span());
  ASSERT_TRUE(contents.ok());
  ASSERT_TRUE(contents->secret_phrase.has_value());
  auto from_phrase = keypair_from_uri(contents->secret_phrase->view());
  ASSERT_TRUE(from_phrase.ok());
  EXPECT_EQ(from_phrase->public_key, kp->public_key);
  // The mnemonic is not printed.
  EXPECT_EQ(r.err.find(std::string(contents->secret_phrase->view())), std::string::npos);
}

TEST(WalletCli, ArgumentErrors) {
  test::TempDir dir;
  EXPECT_EQ(wallet({}).code, 2);
  EXPECT_EQ(wallet({"frobnicate", "--path", dir.path(), "--wallet", "w"}).code, 2);
  EXPECT_EQ(wallet({"new-hotkey", "--path", dir.path(), "--wallet", "w"}).code, 2);
  auto pw = wallet({"new-coldkey", "--path", dir.path(), "--wallet", "w", "--password", "hunter2"});
  EXPECT_EQ(pw.code, 2);
  EXPECT_NE(pw.err.find("--password-file"), std::string::npos);
  EXPECT_EQ(wallet({"new-hotkey", "--path", dir.path(), "--wallet", "../x", "--hotkey", "h"}).code, 1);
  auto bad_uri =
      wallet({"new-hotkey", "--path", dir.path(), "--wallet", "w", "--hotkey", "h", "--uri", "0x12"});
  EXPECT_EQ(bad_uri.code, 1);
  EXPECT_NE(bad_uri.err.find("32 bytes"), std::string::npos);
  auto nothing = wallet({"show", "--path", dir.path(), "--wallet", "empty"});
  EXPECT_EQ(nothing.code, 1);
}

TEST(WalletCli, NewColdkeyWithPasswordFromEnvironment) {
  test::TempDir dir;
  const fs::path uri_file = fs::path(dir.path()) / "uri";
  std::ofstream(uri_file) << "//Pylon//cold\n";
  ::chmod(uri_file.c_str(), 0600);
  ::setenv("PYLON_TEST_COLD_PW", "cold password", 1);
  auto r = wallet({"new-coldkey", "--path", dir.path(), "--wallet", "c", "--password-env",
                   "PYLON_TEST_COLD_PW", "--uri-file", uri_file.string()});
  ::unsetenv("PYLON_TEST_COLD_PW");
  ASSERT_EQ(r.code, 0) << r.err;
  auto expected = keypair_from_uri("//Pylon//cold");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(r.out, codec::ss58_encode(expected->public_key) + "\n");
  EXPECT_EQ(mode_of(fs::path(dir.path()) / "c/coldkey"), 0600u);
  auto loaded = load_coldkey({dir.path(), "c"}, "cold password");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->public_key, expected->public_key);
  auto s = wallet({"show", "--path", dir.path(), "--wallet", "c"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_NE(s.out.find(codec::ss58_encode(expected->public_key)), std::string::npos);
  // Missing password source.
  auto none =
      wallet({"new-coldkey", "--path", dir.path(), "--wallet", "d", "--password-env", "PYLON_TEST_UNSET_PW"});
  EXPECT_EQ(none.code, 1);
  EXPECT_NE(none.err.find("not set"), std::string::npos);
}

}  // namespace
}  // namespace pylon::keys

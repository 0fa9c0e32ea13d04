#include "keys/wallet.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "codec/ss58.hpp"
#include "keys/secret_file.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

// Copies the shared wallet's hotkey into a private temp wallet with `install -m 600`.
fs::path copy_shared_hotkey(const test::TempDir& dir) {
  const fs::path src = fs::path(test::shared_dir()) / "wallets/pylon/hotkeys/pylon";
  const fs::path dst = fs::path(dir.path()) / "pylon/hotkeys/pylon";
  fs::create_directories(dst.parent_path());
  const auto r = test::run_command("install -m 600 " + test::shell_quote(src.string()) + " " +
                                   test::shell_quote(dst.string()));
  EXPECT_EQ(r.exit_code, 0);
  return dst;
}

TEST(Wallet, SharedHotkeyLoads) {
  PYLON_REQUIRE_SHARED();
  test::TempDir dir;
  copy_shared_hotkey(dir);
  auto kp = load_hotkey({dir.path(), "pylon"}, "pylon");
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(to_hex(kp->public_key), "0x3221ea5ffa4420873080d43722892acc0ad85acbdf847a002412a3f26a12f033");
  EXPECT_EQ(codec::ss58_encode(kp->public_key), "5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1");
  // coldkeypub.txt holds no secret: readable as shipped (0444), and consistent.
  auto pub = load_public_info(fs::path(test::shared_dir()) / "wallets/pylon/coldkeypub.txt");
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(pub->ss58_address, "5EPRp4wsFSCvFSYMqcwD5wwBgE2M2xoSJSZbbLzZpbPrDkZx");
  EXPECT_EQ(to_hex(pub->public_key), "0x66c01e2e0e6fed2723626c7e652ff5ff97caebf89ddebd71e644f1e38c865959");
  // The hotkey file, which holds secrets, is refused as shipped even for public info.
  auto hot_pub = load_public_info(fs::path(test::shared_dir()) / "wallets/pylon/hotkeys/pylon");
  ASSERT_FALSE(hot_pub.ok());
  EXPECT_NE(hot_pub.error().message.find("chmod 600"), std::string::npos);
}

TEST(Wallet, SharedFilesAsShippedAreRefused) {
  PYLON_REQUIRE_SHARED();
  // The shared files are world-readable (0444/0644): exactly what must be refused.
  auto kp = load_hotkey({fs::path(test::shared_dir()) / "wallets", "pylon"}, "pylon");
  ASSERT_FALSE(kp.ok());
  EXPECT_NE(kp.error().message.find("other users"), std::string::npos) << kp.error().message;
  EXPECT_NE(kp.error().message.find("chmod 600"), std::string::npos) << kp.error().message;
}

TEST(Wallet, PermissionRules) {
  PYLON_REQUIRE_SHARED();
  test::TempDir dir;
  const fs::path file = copy_shared_hotkey(dir);
  ::unsetenv("PYLON_ALLOW_GROUP_READABLE_KEYS");

  ::chmod(file.c_str(), 0604);
  auto world = load_plain_keyfile(file);
  ASSERT_FALSE(world.ok());
  EXPECT_NE(world.error().message.find("chmod 600 " + file.string()), std::string::npos)
      << world.error().message;

  ::chmod(file.c_str(), 0640);
  auto group = load_plain_keyfile(file);
  ASSERT_FALSE(group.ok());
  EXPECT_NE(group.error().message.find("group"), std::string::npos) << group.error().message;
  EXPECT_NE(group.error().message.find("PYLON_ALLOW_GROUP_READABLE_KEYS=1"), std::string::npos);

  ::setenv("PYLON_ALLOW_GROUP_READABLE_KEYS", "1", 1);
  EXPECT_TRUE(load_plain_keyfile(file).ok());
  ::chmod(file.c_str(), 0644);
  EXPECT_FALSE(load_plain_keyfile(file).ok()) << "world-readable stays refused even when group is allowed";
  ::unsetenv("PYLON_ALLOW_GROUP_READABLE_KEYS");

  ::chmod(file.c_str(), 0400);
  EXPECT_TRUE(load_plain_keyfile(file).ok());
}

TEST(Wallet, MissingAndMalformedFiles) {
  test::TempDir dir;
  auto missing = load_hotkey({dir.path(), "w"}, "h");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
  EXPECT_FALSE(load_hotkey({dir.path(), "../w"}, "h").ok());
  EXPECT_FALSE(load_hotkey({dir.path(), "w"}, "..").ok());

  const fs::path file = fs::path(dir.path()) / "w/hotkeys/h";
  fs::create_directories(file.parent_path());
  auto write = [&](const std::string& text) {
    std::ofstream(file, std::ios::trunc) << text;
    ::chmod(file.c_str(), 0600);
  };
  write("{\"publicKey\": \"0x12");
  auto truncated = load_hotkey({dir.path(), "w"}, "h");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find(file.string()), std::string::npos);
  write("$NACLxxxxxxxx");
  auto enc = load_plain_keyfile(file);
  ASSERT_FALSE(enc.ok());
  EXPECT_NE(enc.error().message.find("password"), std::string::npos);
  write("$ANSIBLE_VAULT;1.1;AES256\n6162");
  auto legacy = load_keyfile(file, "pw");
  ASSERT_FALSE(legacy.ok());
  EXPECT_NE(legacy.error().message.find("Ansible"), std::string::npos);
  write("$NACL1234");
  auto short_box = load_keyfile(file, "pw");
  ASSERT_FALSE(short_box.ok());
  EXPECT_NE(short_box.error().message.find("truncated"), std::string::npos);
}

TEST(Wallet, SaveHotkeyWritesPrivateFilesAndReadsBack) {
  test::TempDir dir;
  const WalletLocation w{fs::path(dir.path()) / "wallets", "validator"};
  auto key = key_from_uri("//Alice");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->seed.has_value());
  ::umask(022);
  auto st = save_hotkey(w, "default", key->keypair, nullptr, &*key->seed, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const fs::path file = *hotkey_path(w, "default");
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
  EXPECT_EQ(mode_of(w.root / w.wallet), 0700u);
  auto back = load_hotkey(w, "default");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(to_hex(back->public_key), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  auto again = save_hotkey(w, "default", key->keypair, nullptr, nullptr, false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_TRUE(save_hotkey(w, "default", key->keypair, nullptr, nullptr, true).ok());
  EXPECT_EQ(fs::directory_iterator(file.parent_path())->path(), file) << "no temporary file left behind";
}

TEST(Wallet, PasswordSources) {
  test::TempDir dir;
  const fs::path file = fs::path(dir.path()) / "pw";
  std::ofstream(file) << "s3cret\n";
  ::chmod(file.c_str(), 0600);
  auto pw = read_password_file(file);
  ASSERT_TRUE(pw.ok()) << pw.error().message;
  EXPECT_EQ(pw->view(), "s3cret");
  ::chmod(file.c_str(), 0644);
  EXPECT_FALSE(read_password_file(file).ok());
  ::setenv("PYLON_TEST_PW", "from-env", 1);
  auto env = read_password_env("PYLON_TEST_PW");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->view(), "from-env");
  ::unsetenv("PYLON_TEST_PW");
  EXPECT_FALSE(read_password_env("PYLON_TEST_PW").ok());
}

}  // namespace
}  // namespace pylon::keys

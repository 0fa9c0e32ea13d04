// The opening rules of secret files (sidecar/keys/secret_file.hpp): nothing at a key path can
// hang the start, symlinks are followed only inside their folder (the Kubernetes Secret layout),
// and the final target's mode and owner are what is checked.
#include "keys/secret_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "keys/wallet.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& text, mode_t mode) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

std::string text_of(const SecretBytes& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Before the fix, open() of a FIFO blocked until a writer came: the start hung forever.
TEST(SecretFile, AFifoAtAKeyPathIsRefusedWithoutBlocking) {
  test::TempDir dir;
  const fs::path hotkey = fs::path(dir.path()) / "w/hotkeys/h";
  fs::create_directories(hotkey.parent_path());
  ASSERT_EQ(::mkfifo(hotkey.c_str(), 0600), 0);
  auto kp = load_hotkey({dir.path(), "w"}, "h");
  ASSERT_FALSE(kp.ok());
  EXPECT_TRUE(kp.error().is(FileErrc::not_regular)) << kp.error().message;
  EXPECT_NE(kp.error().message.find("not a regular file"), std::string::npos) << kp.error().message;

  const fs::path pw = fs::path(dir.path()) / "password";
  ASSERT_EQ(::mkfifo(pw.c_str(), 0600), 0);
  auto p = read_password_file(pw);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.error().is(FileErrc::not_regular)) << p.error().message;
  // A folder and a character device are refused the same way.
  EXPECT_TRUE(read_secret_file(dir.path()).error().is(FileErrc::not_regular));
  auto dev = read_file_with_mode("/dev/zero");
  ASSERT_FALSE(dev.ok());
  EXPECT_TRUE(dev.error().is(FileErrc::not_regular)) << dev.error().message;
}

// A Kubernetes Secret volume: `key -> ..data/key`, `..data -> ..<timestamp>`, files root-owned
// 0440 with the pod's fsGroup. This must keep working.
TEST(SecretFile, SymlinksInsideTheirFolderAreFollowedLikeAKubernetesSecret) {
  test::TempDir dir;
  const fs::path mount = fs::path(dir.path()) / "hotkeys";
  write_file(mount / "..2026_12_04_01_02_03.1" / "key", "secret-bytes", 0440);
  fs::create_directory_symlink("..2026_12_04_01_02_03.1", mount / "..data");
  fs::create_symlink("..data/key", mount / "key");
  auto allowed = read_secret_file(mount / "key", 1 << 20, true);
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(text_of(*allowed), "secret-bytes");
  // The target's mode is what is checked: group-readable still needs the switch.
  auto refused = read_secret_file(mount / "key", 1 << 20, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is(FileErrc::exposed_to_group)) << refused.error().message;
  ASSERT_EQ(::chmod((mount / "..data/key").c_str(), 0444), 0);
  auto world = read_secret_file(mount / "key", 1 << 20, true);
  ASSERT_FALSE(world.ok());
  EXPECT_TRUE(world.error().is(FileErrc::exposed_to_others)) << world.error().message;
}

// Before the fix any symlink was followed, to a file anywhere.
TEST(SecretFile, ASymlinkOutOfItsFolderIsRefused) {
  test::TempDir dir;
  const fs::path elsewhere = fs::path(dir.path()) / "elsewhere/key";
  write_file(elsewhere, "secret-bytes", 0600);
  const fs::path link = fs::path(dir.path()) / "w/hotkeys/h";
  fs::create_directories(link.parent_path());
  fs::create_symlink(elsewhere, link);
  auto r = read_secret_file(link);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(FileErrc::symlink_escapes)) << r.error().message;
  EXPECT_NE(r.error().message.find(link.string()), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("secret-bytes"), std::string::npos);
  // `..` in a relative link is resolved before the check.
  fs::remove(link);
  fs::create_symlink("../../elsewhere/key", link);
  EXPECT_TRUE(read_secret_file(link).error().is(FileErrc::symlink_escapes));
  // A dangling link is a missing file.
  fs::remove(link);
  fs::create_symlink("gone", link);
  EXPECT_TRUE(read_secret_file(link).error().is(FileErrc::missing));
  // A link in a folder reached through a symlinked folder is judged by the real folders.
  const fs::path real_wallets = fs::path(dir.path()) / "real";
  write_file(real_wallets / "w/hotkeys/target", "secret-bytes", 0600);
  fs::create_symlink("target", real_wallets / "w/hotkeys/h");
  fs::create_directory_symlink(real_wallets, fs::path(dir.path()) / "wallets");
  auto via = read_secret_file(fs::path(dir.path()) / "wallets/w/hotkeys/h");
  ASSERT_TRUE(via.ok()) << via.error().message;
  EXPECT_EQ(text_of(*via), "secret-bytes");
}

TEST(SecretFile, ASecretFileOfAnotherUserIsRefused) {
  test::TempDir dir;
  const fs::path key = fs::path(dir.path()) / "key";
  write_file(key, "secret-bytes", 0600);
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  ASSERT_EQ(::chown(key.c_str(), 65534, 65534), 0);
  auto r = read_secret_file(key);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(FileErrc::foreign_owner)) << r.error().message;
  EXPECT_NE(r.error().message.find("65534"), std::string::npos) << r.error().message;
  // Shared through its group with group access allowed (a host user's key bind-mounted into a
  // container), another user's file is accepted; without the switch it is not.
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  EXPECT_TRUE(read_secret_file(key, 1 << 20, true).ok());
  EXPECT_TRUE(read_secret_file(key, 1 << 20, false).error().is(FileErrc::exposed_to_group));
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(read_secret_file(key, 1 << 20, true).error().is(FileErrc::foreign_owner));
  // Public files (coldkeypub.txt) may belong to anyone.
  EXPECT_TRUE(read_file_with_mode(key).ok());
  ASSERT_EQ(::chown(key.c_str(), 0, 0), 0);
  EXPECT_TRUE(read_secret_file(key).ok());
}

}  // namespace
}  // namespace pylon::keys

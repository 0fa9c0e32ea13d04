// $NACL coldkeys, checked against PyNaCl (Debian's python3-nacl) as an independent
// implementation. Each Argon2i run takes 512 MiB and ~2-3 s, so the cases are few and combined.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "keys/nacl_keyfile.hpp"
#include "keys/wallet.hpp"
#include "test_support.hpp"

namespace pylon::keys {
namespace {

namespace fs = std::filesystem;

// A python3 that has PyNaCl (Debian's /usr/bin/python3 first), or "".
std::string python_with_nacl() {
  for (const char* py : {"/usr/bin/python3", "python3"}) {
    if (test::run_command(std::string(py) + " -c 'import nacl.pwhash, nacl.secret' 2>/dev/null").exit_code ==
        0) {
      return py;
    }
  }
  return {};
}

// bittensor-wallet's format, in PyNaCl terms. The password comes from the environment.
constexpr const char* kPyDecrypt = R"(
import os, sys, nacl.pwhash, nacl.secret
salt = bytes.fromhex('137183dff15a09bc9c90b5518739e9b1')
key = nacl.pwhash.argon2i.kdf(nacl.secret.SecretBox.KEY_SIZE, os.environ['PW'].encode(), salt,
    opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE, memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE)
data = open(sys.argv[1], 'rb').read()
assert data[:5] == b'$NACL'
sys.stdout.write(nacl.secret.SecretBox(key).decrypt(data[5:]).decode())
)";
constexpr const char* kPyEncrypt = R"(
import os, sys, nacl.pwhash, nacl.secret, nacl.utils
salt = bytes.fromhex('137183dff15a09bc9c90b5518739e9b1')
key = nacl.pwhash.argon2i.kdf(nacl.secret.SecretBox.KEY_SIZE, os.environ['PW'].encode(), salt,
    opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE, memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE)
box = nacl.secret.SecretBox(key)
out = b'$NACL' + bytes(box.encrypt(open(sys.argv[1], 'rb').read(), nacl.utils.random(nacl.secret.SecretBox.NONCE_SIZE)))
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, out)
os.close(fd)
)";

TEST(Coldkey, PylonFileDecryptsWithPyNaclAndBack) {
  const std::string py = python_with_nacl();
  if (py.empty()) GTEST_SKIP() << "python3 with PyNaCl (python3-nacl) not found";
  test::TempDir dir;
  const WalletLocation w{dir.path(), "cold"};
  auto key = key_from_uri("//Pylon//coldkey");
  ASSERT_TRUE(key.ok());
  const std::string password = "correct horse ☃ battery";
  auto st = save_coldkey(w, key->keypair, nullptr, &*key->seed, password, false);
  ASSERT_TRUE(st.ok()) << st.error().message;
  const fs::path cold = *coldkey_path(w);
  struct stat sb {};
  ASSERT_EQ(::stat(cold.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);

  // PyNaCl opens Pylon's file and finds the keyfile JSON of the same account.
  const fs::path script = fs::path(dir.path()) / "dec.py";
  std::ofstream(script) << kPyDecrypt;
  auto dec = test::run_command("PW=" + test::shell_quote(password) + " " + py + " " +
                               test::shell_quote(script.string()) + " " + test::shell_quote(cold.string()));
  ASSERT_EQ(dec.exit_code, 0);
  auto parsed =
      parse_keyfile_json(ByteSpan(reinterpret_cast<const std::uint8_t*>(dec.out.data()), dec.out.size()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  auto kp = keyfile_keypair(*parsed);
  ASSERT_TRUE(kp.ok()) << kp.error().message;
  EXPECT_EQ(kp->public_key, key->keypair.public_key);

  // coldkeypub.txt names the same account.
  auto pub = load_public_info(*coldkeypub_path(w));
  ASSERT_TRUE(pub.ok()) << pub.error().message;
  EXPECT_EQ(pub->public_key, key->keypair.public_key);

  // PyNaCl encrypts a keyfile JSON; Pylon decrypts it with the right password only.
  const fs::path plain = fs::path(dir.path()) / "plain.json";
  std::ofstream(plain) << dec.out;
  const fs::path py_cold = fs::path(dir.path()) / "py/coldkey";
  fs::create_directories(py_cold.parent_path());
  const fs::path enc_script = fs::path(dir.path()) / "enc.py";
  std::ofstream(enc_script) << kPyEncrypt;
  const std::string py_password = "pynacl-made";
  auto enc = test::run_command("PW=" + test::shell_quote(py_password) + " " + py + " " +
                               test::shell_quote(enc_script.string()) + " " +
                               test::shell_quote(plain.string()) + " " + test::shell_quote(py_cold.string()));
  ASSERT_EQ(enc.exit_code, 0);
  auto loaded = load_coldkey({dir.path(), "py"}, py_password);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->public_key, key->keypair.public_key);

  auto wrong = load_coldkey({dir.path(), "py"}, "not the password");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos) << wrong.error().message;
}

TEST(Coldkey, SharedColdkeyRefusesAWrongPassword) {
  PYLON_REQUIRE_SHARED();
  test::TempDir dir;
  const fs::path dst = fs::path(dir.path()) / "pylon/coldkey";
  fs::create_directories(dst.parent_path());
  ASSERT_EQ(
      test::run_command("install -m 600 " + test::shell_quote(test::shared_dir() + "/wallets/pylon/coldkey") +
                        " " + test::shell_quote(dst.string()))
          .exit_code,
      0);
  auto r = load_coldkey({dir.path(), "pylon"}, "surely-not-the-password");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("wrong password"), std::string::npos) << r.error().message;
}

TEST(Coldkey, TamperedCiphertextFailsWithoutArgonCostWhenTruncated) {
  // Too short to hold a nonce and MAC: refused before any key derivation.
  const std::string junk = "$NACL" + std::string(30, 'x');
  auto r = nacl_decrypt(ByteSpan(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()), "pw");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
  EXPECT_FALSE(nacl_decrypt(ByteSpan(), "pw").ok());
}

}  // namespace
}  // namespace pylon::keys

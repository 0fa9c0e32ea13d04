#include "commit_bootstrap.hpp"

#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "localnet_env.hpp"
#include "test_support.hpp"

namespace pylon::committer::e2e {
namespace {

namespace fs = std::filesystem;

// `pylon localnet bootstrap` with a fresh owner coldkey and a copy of the shared hotkey (mode 600).
Result<Bootstrap> bootstrap(const std::string& dir) {
  Bootstrap b;
  b.wallets = dir + "/wallets";
  fs::create_directories(b.wallets + "/pylon/hotkeys");
  const std::string hot = b.wallets + "/pylon/hotkeys/pylon";
  fs::copy_file(keys::test::shared_dir() + "/wallets/pylon/hotkeys/pylon", hot);
  fs::permissions(hot, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const std::string pw = dir + "/owner-password";
  std::ofstream(pw) << "commit-e2e-owner\n";
  fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  const char* over = std::getenv("PYLON_E2E_PYLON");  // another build's binary, when this one's is not built
  const std::string bin =
      keys::test::shell_quote(over ? std::string(over) : std::string(PYLON_BINARY_DIR) + "/pylon");
  auto made =
      keys::test::run_command(bin + " wallet new-coldkey --path " + keys::test::shell_quote(b.wallets) +
                              " --wallet owner --password-file " + keys::test::shell_quote(pw) + " 2>&1");
  if (made.exit_code != 0) return make_error("wallet new-coldkey: " + made.out);
  auto out =
      keys::test::run_command("PYLON_COLDKEY_PASSWORD_FILE=" + keys::test::shell_quote(pw) + " " + bin +
                              " localnet bootstrap --url " + net::testing::LocalnetEnv::get().url() +
                              " --wallet-path " + keys::test::shell_quote(b.wallets) + " 2>/dev/null");
  if (out.exit_code != 0) return make_error("localnet bootstrap failed: " + out.out);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(out.out).get(doc)) return make_error("bootstrap printed no JSON: " + out.out);
  b.plain = static_cast<std::uint16_t>(uint64_t(doc["netuid"]));
  b.reveal = static_cast<std::uint16_t>(uint64_t(doc["netuid_commit_reveal"]));
  return b;
}

}  // namespace

// The binary's chain is bootstrapped once (about a minute); every test uses it.
const Result<Bootstrap>& bootstrapped() {
  static keys::test::TempDir dir;
  static const Result<Bootstrap> b = bootstrap(dir.path());
  return b;
}

}  // namespace pylon::committer::e2e

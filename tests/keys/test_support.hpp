// Helpers for the keys tests: the polkadot-js oracle (a second opinion, run as a child process)
// and the shared reference material. Both are optional: tests skip with a message without them.
#pragma once

#include <string>
#include <vector>

namespace pylon::keys::test {

// Path of a node oracle script (env `env_var`, else <repo>/`default_in_source`) if it and node
// exist; empty otherwise. The one finder of the polkadot-js and the crv4 (timelock) oracles.
std::string node_oracle(const char* env_var, const std::string& default_in_source);
// The polkadot-js oracle: env PYLON_ORACLE, default <repo>/build/oracle/oracle.mjs.
std::string oracle_path();
// The shared folder (env PYLON_SHARED_DIR, default <repo>/../shared) if it exists; else empty.
std::string shared_dir();

struct OracleResult {
  int exit_code = -1;
  std::string out;  // stdout only (polkadot-js writes warnings to stderr)
};
OracleResult run_oracle(const std::vector<std::string>& args);
// A string field of the oracle's JSON answer, or "" when absent.
std::string json_field(const std::string& json, const std::string& key);

// Runs a shell command, returns its exit code and stdout.
OracleResult run_command(const std::string& command);
std::string shell_quote(const std::string& s);

// A fresh private temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace pylon::keys::test

#define PYLON_REQUIRE_ORACLE()                                                                             \
  do {                                                                                                     \
    if (::pylon::keys::test::oracle_path().empty())                                                        \
      GTEST_SKIP() << "polkadot-js oracle not installed (run script/install-oracle; or set PYLON_ORACLE)"; \
  } while (0)
#define PYLON_REQUIRE_SHARED()                                                    \
  do {                                                                            \
    if (::pylon::keys::test::shared_dir().empty())                                \
      GTEST_SKIP() << "shared reference folder not found (set PYLON_SHARED_DIR)"; \
  } while (0)

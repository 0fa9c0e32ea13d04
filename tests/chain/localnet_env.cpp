#include "localnet_env.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "net_test_support.hpp"

namespace pylon::net::testing {
namespace {

namespace fs = std::filesystem;

// Runs a shell command, returns (exit status, combined output).
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  return {status, out};
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

}  // namespace

LocalnetEnv& LocalnetEnv::get() {
  static LocalnetEnv* env = static_cast<LocalnetEnv*>(::testing::AddGlobalTestEnvironment(new LocalnetEnv));
  return *env;
}

void LocalnetEnv::SetUp() {
  localnet_dir_ = std::string(PYLON_SOURCE_DIR) + "/localnet";
  const char* shared_env = std::getenv("PYLON_SHARED_DIR");
  const std::string shared = shared_env && *shared_env ? shared_env : PYLON_DEFAULT_SHARED_DIR;
  spec_ = shared + "/chain/localnet/subtensor-spec293-aura-dev.raw.json";
  if (!fs::exists(localnet_dir_ + "/node_modules/@acala-network/chopsticks/chopsticks.cjs")) {
    skip_reason_ = "chopsticks is not installed in " + localnet_dir_ + " (run script/bootstrap)";
    return;
  }
  if (!fs::exists(spec_)) {
    skip_reason_ = "local chain spec not found: " + spec_ + " (set PYLON_SHARED_DIR)";
    return;
  }
  port_ = free_tcp_port();
  const std::string dir = std::string(PYLON_TEST_BINARY_DIR) + "/localnet";
  fs::create_directories(dir);
  pid_file_ = dir + "/chopsticks-" + std::to_string(port_) + ".pid";
  log_file_ = dir + "/chopsticks-" + std::to_string(port_) + ".log";
  start_error_ = start();
}

std::string LocalnetEnv::start() {
  const std::string cmd = quote(localnet_dir_ + "/start") + " --port " + std::to_string(port_) + " --spec " +
                          quote(spec_) + " --pid-file " + quote(pid_file_) + " --log-file " +
                          quote(log_file_) + " --watch-pid " + std::to_string(::getpid());
  auto [status, out] = run(cmd);
  running_ = status == 0;
  std::fprintf(stderr, "%s", out.c_str());
  if (!running_) return "localnet/start failed (status " + std::to_string(status) + "):\n" + out;
  // A fresh chopsticks may still be settling its first block when it starts answering; a
  // dev_newBlock racing with that returns without building. Make one block, checked by
  // localnet/new-blocks (it verifies the head moved), before any test runs.
  std::string last;
  // A loaded machine (a sanitizer build beside other work) can take seconds to settle a restarted
  // chain: keep asking for up to ~20 s.
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto [st, o] = run(quote(localnet_dir_ + "/new-blocks") + " --port " + std::to_string(port_) + " 1");
    if (st == 0) return {};
    last = o;
    ::usleep(static_cast<useconds_t>(500'000 + attempt * 250'000));  // kept: chopsticks has no ready event
  }
  return "the local chain does not build blocks:\n" + last;
}

std::string LocalnetEnv::stop() {
  auto [status, out] = run(quote(localnet_dir_ + "/stop") + " --pid-file " + quote(pid_file_));
  running_ = false;
  return status == 0 ? std::string() : "localnet/stop failed: " + out;
}

void LocalnetEnv::TearDown() {
  if (!available()) return;
  const std::string err = stop();
  if (!err.empty()) std::fprintf(stderr, "%s\n", err.c_str());
}

}  // namespace pylon::net::testing

namespace {
// Registered before main() so gtest_main runs SetUp/TearDown once around all tests.
[[maybe_unused]] const bool kRegistered = (pylon::net::testing::LocalnetEnv::get(), true);
}  // namespace

// The real local chain for a test binary: localnet/start once (a free port, its own pid and log
// files in the build folder, --watch-pid so a crashed test does not leave it running), localnet/stop
// at the end. Tests skip with the reason when chopsticks (npm ci in localnet/) or the shared chain
// spec is missing, and fail with the log tail when they are present but the chain does not start.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace pylon::net::testing {

class LocalnetEnv : public ::testing::Environment {
 public:
  static LocalnetEnv& get();

  void SetUp() override;
  void TearDown() override;

  bool available() const { return skip_reason_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  bool running() const { return running_; }
  const std::string& start_error() const { return start_error_; }
  int port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

  // For restart tests. Return an error text, empty on success.
  std::string stop();
  std::string start();

 private:
  std::string skip_reason_;
  std::string start_error_;
  bool running_ = false;
  int port_ = 0;
  std::string localnet_dir_, spec_, pid_file_, log_file_;
};

}  // namespace pylon::net::testing

// First line of every test that needs the chain.
#define PYLON_REQUIRE_LOCALNET()                                                         \
  do {                                                                                   \
    auto& env_ = ::pylon::net::testing::LocalnetEnv::get();                              \
    if (!env_.available()) GTEST_SKIP() << env_.skip_reason();                           \
    ASSERT_TRUE(env_.running()) << "local chain is not running: " << env_.start_error(); \
  } while (0)

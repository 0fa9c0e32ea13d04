// Driving the real `build/pylon` on the real local chain: a bootstrapped chain (made once per test
// binary with `pylon localnet bootstrap`), the daemon as a child process with its own database,
// shared-memory names and HTTP port, a minimal HTTP client, waiting for the daemon's first fresh
// snapshot, block production on request, and SubtensorModule.Weights read straight from chain
// storage (tests/chain/weights_storage.hpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chain/chain_client.hpp"
#include "test_support.hpp"

namespace pylon::e2e {

struct Bootstrapped {
  std::uint16_t netuid_plain = 0;  // commit-reveal off
  std::uint16_t netuid_cr = 0;     // commit-reveal on
  std::string wallets;             // wallet folder with pylon/hotkeys/pylon (mode 600)
  std::string error;               // why the bootstrap failed (empty when it worked)
};

// Bootstraps the binary's local chain the first time it is asked (about a minute), then answers
// from memory.
const Bootstrapped& bootstrapped();

// A wallet folder holding only the shared `pylon` hotkey (pylon/hotkeys/pylon, mode 600), made once
// per binary; asking for it changes nothing on the chain. For a daemon on a subnet the chain's
// genesis already has (passed as PYLON_WALLET_PATH in DaemonProcess' extra_env).
const std::string& hotkey_wallets();

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
};
HttpAnswer http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = {}, const std::string& extra_headers = {});
// Sends `request` exactly as given (its own headers, e.g. a Content-Length announcing more than it
// sends; a failed send still reads whatever the daemon answered before closing), then reads until
// the daemon closes or `idle` passes without a byte. http() is this with a request it builds.
HttpAnswer http_raw(std::uint16_t port, const std::string& request,
                    std::chrono::milliseconds idle = std::chrono::minutes(1));

std::uint16_t free_tcp_port();

class DaemonProcess {
 public:
  // A fresh scratch directory (database, .env-free working directory) per instance; the same
  // instance can be started again after a kill, keeping its database. Its wallet folder is the
  // bootstrap's (the first start bootstraps the chain) unless extra_env names PYLON_WALLET_PATH.
  DaemonProcess(std::uint16_t netuid, std::map<std::string, std::string> extra_env = {});
  ~DaemonProcess();  // SIGKILL if still running; removes its shm segments

  // A command the daemon runs under (its argv, before `pylon run`), e.g. nsenter/unshare to put
  // it in a pod's namespaces; empty (the default): run `pylon` directly.
  void set_launcher(std::vector<std::string> argv) { launcher_ = std::move(argv); }
  void start();
  void kill9();
  // SIGTERM and wait; returns the exit status (-1 when it had to be killed).
  int terminate(std::chrono::seconds limit = std::chrono::seconds(30));
  bool running();

  pid_t pid() const { return pid_; }  // the process start() made (the launcher's, when one is set)
  std::uint16_t port() const { return port_; }
  const std::string& shm_name() const { return shm_name_; }
  std::string queue_name() const { return shm_name_ + "-weights"; }
  std::string db_path() const { return dir_.path() + "/pylon.db"; }
  std::string log_tail(std::size_t bytes = 4000) const;

 private:
  keys::test::TempDir dir_;
  std::uint16_t netuid_;
  std::map<std::string, std::string> extra_env_;
  std::uint16_t port_;
  std::string shm_name_;
  std::vector<std::string> launcher_;
  pid_t pid_ = -1;
};

// A chain client on the binary's local chain, for blocks and storage reads.
class ChainProbe {
 public:
  ChainProbe();
  ~ChainProbe();
  chain::ChainClient& chain();
  // dev_newBlock with a count; the new best head number.
  std::uint64_t new_blocks(std::uint32_t count);
  chain::BlockRef best();
  // SubtensorModule.Weights(netuid, uid) at the best block: (uid, weight) pairs.
  std::vector<std::pair<std::uint16_t, std::uint16_t>> weights_row(std::uint16_t netuid, std::uint16_t uid);
  // How many hash commits SubtensorModule.WeightCommits holds for (netuid, hotkey) at the best block.
  std::size_t weight_commit_count(std::uint16_t netuid, const AccountId& hotkey);

 private:
  struct Impl;
  Impl* impl_;
};

// Makes blocks one at a time until the daemon answers /health with 200 (a fresh snapshot).
bool wait_ready(DaemonProcess& d, ChainProbe& probe);

// The base fixture of the tests that drive the daemon on the chain as its genesis has it: skips
// without the local chain or ../shared, fails when the chain did not start.
class GenesisLocalnetTest : public ::testing::Test {
 protected:
  void SetUp() override;
};

// The base fixture of the tests that drive the daemon on the bootstrapped chain: as
// GenesisLocalnetTest, and fails when the bootstrap failed.
class DaemonLocalnetTest : public GenesisLocalnetTest {
 protected:
  void SetUp() override;
};

// The shared `pylon` hotkey (5DCSKt…UeX1).
AccountId pylon_hotkey();

}  // namespace pylon::e2e

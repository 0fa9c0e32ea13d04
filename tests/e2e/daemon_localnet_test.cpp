// The real binary on the real local chain: `pylon run` follows it and publishes each snapshot into
// the shared-memory segment, where a validator's reader (shm-client) finds the same metagraph the
// chain gives; SIGTERM drains and exits 0 and removes the segment.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "chain/chain_client.hpp"
#include "e2e_support.hpp"
#include "follower/snapshot.hpp"
#include "localnet_env.hpp"
#include "pylon/shm/client.hpp"
#include "test_support.hpp"

namespace pylon {
namespace {

using test::eventually;

namespace fs = std::filesystem;

TEST(DaemonLocalnet, PublishesTheChainsMetagraphIntoSharedMemoryAndStopsCleanly) {
  PYLON_REQUIRE_LOCALNET();
  PYLON_REQUIRE_SHARED();
  keys::test::TempDir dir;
  const std::string wallets = dir.path() + "/wallets";
  fs::create_directories(wallets + "/pylon/hotkeys");
  fs::copy_file(keys::test::shared_dir() + "/wallets/pylon/hotkeys/pylon", wallets + "/pylon/hotkeys/pylon");
  fs::permissions(wallets + "/pylon/hotkeys/pylon", fs::perms::owner_read | fs::perms::owner_write);
  const std::string shm_name = "pylon-e2e-" + std::to_string(::getpid());
  const std::string url = net::testing::LocalnetEnv::get().url();

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::chdir(dir.path().c_str());
    ::setenv("PYLON_NETUID", "1", 1);
    ::setenv("PYLON_CHAIN_URLS", url.c_str(), 1);
    ::setenv("PYLON_WALLET_PATH", wallets.c_str(), 1);
    ::setenv("PYLON_WALLET_NAME", "pylon", 1);
    ::setenv("PYLON_WALLET_HOTKEY", "pylon", 1);
    ::setenv("PYLON_SHM_NAME", shm_name.c_str(), 1);
    ::setenv("PYLON_LOG_FORMAT", "json", 1);
    ::setenv("PYLON_HTTP_PORT", "0", 1);  // an ephemeral port: tests run side by side
    const std::string bin = std::string(PYLON_BINARY_DIR) + "/pylon";
    ::execl(bin.c_str(), bin.c_str(), "run", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The daemon's segment appears and holds a snapshot of a block.
  shm::Snapshot snap;
  bool read = eventually(
      [&] {
        auto r = shm::SnapshotReader::open(shm_name.c_str());
        return r && r->copy(snap) &&
               snap.neuron_count() > 0;  // any block: a restarted dev chain may be at #0
      },
      std::chrono::seconds(60));
  if (!read) ::kill(child, SIGKILL);
  ASSERT_TRUE(read) << "no snapshot in /dev/shm/" << shm_name;

  // The same block read by the chain client gives the same neurons.
  net::NetContext net;
  net::RpcClientOptions o;
  o.endpoints = {url};
  auto rpc = net::RpcClient::create(net, o);
  ASSERT_TRUE(rpc.ok());
  ASSERT_TRUE((*rpc)->wait_connected(std::chrono::seconds(20)).ok());
  chain::ChainClient c(**rpc);
  auto hash = c.block_hash(snap.block_number());
  ASSERT_TRUE(hash.ok() && hash->has_value());
  auto expected = follower::build_snapshot(c, 1, chain::BlockRef{**hash, snap.block_number()});
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  ASSERT_EQ(snap.neuron_count(), expected->neurons.size());
  for (const auto& n : expected->neurons) {
    const shm::NeuronRecord& row = snap.neuron(n.uid);
    EXPECT_TRUE(std::equal(n.hotkey.begin(), n.hotkey.end(), row.hotkey));
    EXPECT_TRUE(std::equal(n.coldkey.begin(), n.coldkey.end(), row.coldkey));
    EXPECT_EQ(row.stake, n.total_stake());
    EXPECT_EQ(row.last_update, n.last_update);
    EXPECT_EQ(row.validator_permit, n.validator_permit ? 1 : 0);
  }
  EXPECT_EQ(snap.hyperparams().tempo, expected->hyperparams->u64("tempo").value_or(0));

  // SIGTERM: drains, exits 0, removes the segment's name.
  ASSERT_EQ(::kill(child, SIGTERM), 0);
  int status = 0;
  bool exited =
      eventually([&] { return ::waitpid(child, &status, WNOHANG) == child; }, std::chrono::seconds(20));
  if (!exited) ::kill(child, SIGKILL);
  ASSERT_TRUE(exited);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(fs::exists("/dev/shm/" + shm_name));
  // The weight queue stays for the next daemon to adopt (a planned restart loses nothing pushed).
  EXPECT_TRUE(fs::exists("/dev/shm/" + shm_name + "-weights"));
  EXPECT_TRUE(fs::exists("/dev/shm/" + shm_name + "-weights-ack"));
  fs::remove("/dev/shm/" + shm_name + "-weights");
  fs::remove("/dev/shm/" + shm_name + "-weights-ack");
}

TEST(DaemonLocalnet, RefusesAWorldReadableHotkeyWithAClearMessage) {
  PYLON_REQUIRE_SHARED();
  keys::test::TempDir dir;
  const std::string wallets = dir.path() + "/wallets";
  fs::create_directories(wallets + "/pylon/hotkeys");
  fs::copy_file(keys::test::shared_dir() + "/wallets/pylon/hotkeys/pylon", wallets + "/pylon/hotkeys/pylon");
  fs::permissions(wallets + "/pylon/hotkeys/pylon",
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  const std::string cmd = "cd " + keys::test::shell_quote(dir.path()) +
                          " && PYLON_NETUID=1 PYLON_CHAIN_URLS=ws://127.0.0.1:1 " +
                          "PYLON_WALLET_PATH=" + keys::test::shell_quote(wallets) +
                          " PYLON_WALLET_NAME=pylon PYLON_WALLET_HOTKEY=pylon " +
                          std::string(PYLON_BINARY_DIR) + "/pylon run 2>&1";
  auto r = keys::test::run_command(cmd);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("chmod 600"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("privateKey"), std::string::npos);
  auto missing =
      keys::test::run_command("cd " + keys::test::shell_quote(dir.path()) + " && env -u PYLON_NETUID " +
                              std::string(PYLON_BINARY_DIR) + "/pylon run 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("PYLON_NETUID is required"), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace pylon

#include "daemon_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "weights_storage.hpp"

namespace pylon::e2e {

namespace fs = std::filesystem;
using keys::test::run_command;
using keys::test::shell_quote;

namespace {

std::string number_after(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return {};
  std::size_t i = at + key.size() + 3, j = i;
  while (j < json.size() && std::isdigit(static_cast<unsigned char>(json[j]))) ++j;
  return json.substr(i, j - i);
}

}  // namespace

namespace {

// A wallet folder with a mode-600 copy of the shared `pylon` hotkey under `dir`.
std::string make_hotkey_wallets(const std::string& dir) {
  const std::string wallets = dir + "/wallets";
  fs::create_directories(wallets + "/pylon/hotkeys");
  fs::copy_file(keys::test::shared_dir() + "/wallets/pylon/hotkeys/pylon", wallets + "/pylon/hotkeys/pylon");
  fs::permissions(wallets + "/pylon/hotkeys/pylon", fs::perms::owner_read | fs::perms::owner_write);
  return wallets;
}

}  // namespace

const std::string& hotkey_wallets() {
  static std::string wallets;
  static keys::test::TempDir* dir = nullptr;  // lives as long as the binary, as the daemons using it
  static std::once_flag once;
  std::call_once(once, [] {
    dir = new keys::test::TempDir();
    wallets = make_hotkey_wallets(dir->path());
  });
  return wallets;
}

const Bootstrapped& bootstrapped() {
  static Bootstrapped b;
  static keys::test::TempDir* dir =
      nullptr;  // lives as long as the binary: the wallets are used by every test
  static std::once_flag once;
  std::call_once(once, [] {
    dir = new keys::test::TempDir();
    b.wallets = make_hotkey_wallets(dir->path());
    const std::string pw = dir->path() + "/owner-password";
    { std::ofstream(pw) << "e2e-owner-password-" << ::getpid() << "\n"; }
    fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write);
    const std::string bin = std::string(PYLON_BINARY_DIR) + "/pylon";
    auto made = run_command(shell_quote(bin) + " wallet new-coldkey --path " + shell_quote(b.wallets) +
                            " --wallet owner --password-file " + shell_quote(pw) + " 2>&1");
    if (made.exit_code != 0) {
      b.error = "pylon wallet new-coldkey failed: " + made.out;
      return;
    }
    auto out = run_command("PYLON_COLDKEY_PASSWORD_FILE=" + shell_quote(pw) + " " + shell_quote(bin) +
                           " localnet bootstrap --url " + net::testing::LocalnetEnv::get().url() +
                           " --wallet-path " + shell_quote(b.wallets) + " 2>&1");
    const std::string plain = number_after(out.out, "netuid");
    const std::string cr = number_after(out.out, "netuid_commit_reveal");
    if (out.exit_code != 0 || plain.empty() || cr.empty()) {
      b.error = "pylon localnet bootstrap failed (exit " + std::to_string(out.exit_code) + "): " + out.out;
      return;
    }
    b.netuid_plain = static_cast<std::uint16_t>(std::stoul(plain));
    b.netuid_cr = static_cast<std::uint16_t>(std::stoul(cr));
  });
  return b;
}

std::uint16_t free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

HttpAnswer http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& extra_headers) {
  std::string req =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty() || method == "PUT" || method == "POST")
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  // A minute: extrinsic submissions wait for a block.
  return http_raw(port, req, std::chrono::minutes(1));
}

HttpAnswer http_raw(std::uint16_t port, const std::string& request, std::chrono::milliseconds idle) {
  HttpAnswer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return answer;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return answer;
  }
  // A send that fails stops sending only: the daemon may answer and close before it has read all.
  for (std::size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(idle.count())) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return answer;
  answer.status = std::atoi(raw.c_str() + 9);
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end != std::string::npos) answer.body = raw.substr(head_end + 4);
  // The daemon answers with Content-Length; a chunked body would need decoding, and is not used.
  return answer;
}

bool wait_ready(DaemonProcess& d, ChainProbe& probe) {
  for (int i = 0; i < 120; ++i) {
    if (http(d.port(), "GET", "/health").status == 200) return true;
    if (!d.running()) return false;
    if (i % 3 == 2) probe.new_blocks(1);
    // Kept: the daemon is another process whose readiness shows only in /health (polled), and
    // this loop also exits early when that process dies, which a plain poll_until would not.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return false;
}

void GenesisLocalnetTest::SetUp() {
  auto& env = net::testing::LocalnetEnv::get();
  if (!env.available()) GTEST_SKIP() << env.skip_reason();
  ASSERT_TRUE(env.running()) << env.start_error();
  PYLON_REQUIRE_SHARED();
}

void DaemonLocalnetTest::SetUp() {
  GenesisLocalnetTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  const Bootstrapped& b = bootstrapped();
  ASSERT_TRUE(b.error.empty()) << b.error;
}

DaemonProcess::DaemonProcess(std::uint16_t netuid, std::map<std::string, std::string> extra_env)
    : netuid_(netuid),
      extra_env_(std::move(extra_env)),
      port_(free_tcp_port()),
      shm_name_("pylon-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(port_)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill9();
  ::unlink(("/dev/shm/" + shm_name_).c_str());
  ::unlink(("/dev/shm/" + queue_name()).c_str());
  ::unlink(("/dev/shm/" + queue_name() + "-ack").c_str());
}

void DaemonProcess::start() {
  const std::string url = net::testing::LocalnetEnv::get().url();
  const std::string log = dir_.path() + "/pylon.log";
  // Asked before the fork: the bootstrap (when it is the wallet) runs once, in this process.
  const std::string wallets =
      extra_env_.count("PYLON_WALLET_PATH") ? extra_env_.at("PYLON_WALLET_PATH") : bootstrapped().wallets;
  pid_ = ::fork();
  if (pid_ != 0) return;
  ::chdir(dir_.path().c_str());
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  ::setenv("PYLON_NETUID", std::to_string(netuid_).c_str(), 1);
  ::setenv("PYLON_CHAIN_URLS", url.c_str(), 1);
  ::setenv("PYLON_WALLET_PATH", wallets.c_str(), 1);
  ::setenv("PYLON_WALLET_NAME", "pylon", 1);
  ::setenv("PYLON_WALLET_HOTKEY", "pylon", 1);
  ::setenv("PYLON_SHM_NAME", shm_name_.c_str(), 1);
  ::setenv("PYLON_HTTP_PORT", std::to_string(port_).c_str(), 1);
  ::setenv("PYLON_DB_PATH", (dir_.path() + "/pylon.db").c_str(), 1);
  ::setenv("PYLON_LOG_FORMAT", "json", 1);
  for (const auto& [k, v] : extra_env_) ::setenv(k.c_str(), v.c_str(), 1);
  const std::string bin = std::string(PYLON_BINARY_DIR) + "/pylon";
  std::vector<char*> argv;
  for (const auto& a : launcher_) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(const_cast<char*>(bin.c_str()));
  argv.push_back(const_cast<char*>("run"));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  ::_exit(127);
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int DaemonProcess::terminate(std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  // A pidfd becomes readable when the process exits: wait on that event, not on a timer.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  ::kill(pid_, SIGTERM);
  const auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (pidfd >= 0) ::close(pidfd);
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // no pidfd (kernel < 5.3)
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  kill9();
  return -1;
}

bool DaemonProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string DaemonProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(dir_.path() + "/pylon.log");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

struct ChainProbe::Impl {
  std::unique_ptr<net::testing::LocalnetChain> local = net::testing::connect_localnet();
};

ChainProbe::ChainProbe() : impl_(new Impl) {}

ChainProbe::~ChainProbe() {
  delete impl_;
}

chain::ChainClient& ChainProbe::chain() {
  return *impl_->local->chain;
}

std::uint64_t ChainProbe::new_blocks(std::uint32_t count) {
  if (!impl_->local) return 0;
  (void)net::testing::new_blocks(*impl_->local->rpc, count, std::chrono::seconds(120));
  return best().number;
}

chain::BlockRef ChainProbe::best() {
  if (!impl_->local) return {};
  auto at = net::testing::best_block(*impl_->local->rpc, *impl_->local->chain);
  return at.ok() ? *at : chain::BlockRef{};
}

std::vector<std::pair<std::uint16_t, std::uint16_t>> ChainProbe::weights_row(std::uint16_t netuid,
                                                                             std::uint16_t uid) {
  return net::testing::chain_weights(chain(), netuid, uid, best());
}

std::size_t ChainProbe::weight_commit_count(std::uint16_t netuid, const AccountId& hotkey) {
  return net::testing::chain_commit_count(chain(), netuid, hotkey, best());
}

AccountId pylon_hotkey() {
  auto id = codec::ss58_decode("5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1");
  return id.ok() ? id->account : AccountId{};
}

}  // namespace pylon::e2e

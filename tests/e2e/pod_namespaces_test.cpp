// The Kubernetes pod of k8s/ proven without a cluster, with Pylon from the image script/image
// built: Pylon and the example validator (shm-client/examples/example.cpp) as two "containers",
// each in its own mount and PID namespace, sharing one IPC namespace, one tmpfs /dev/shm (the
// pod's emptyDir, medium Memory) and one network namespace of the pod's own (loopback only), all
// held by a "pause" process. The Pylon container runs the image as a runtime would: the OCI
// layout unpacked by umoci into a bundle, its config.json's user, working directory, environment
// and command, chrooted into the image's root filesystem mounted read-only with the pod's volumes
// (/data, the hotkey read-only, /dev/shm, /tmp) mounted in. The validator reads the snapshot
// zero-copy from the pod's /dev/shm and pushes weights that the daemon makes durable, across the
// container boundary.
//
// The local chain stays in the test's network namespace, listening on 127.0.0.1 only; the pod
// reaches it through a forwarder the test runs: a listening socket created inside the pod's
// network namespace (on the chain's port of the pod's loopback) whose connections the test relays
// to the chain from its own namespace. Not a veth pair: the chain listens on the loopback only, so
// a veth would need a DNAT rule and route_localnet in the machine's own network namespace, state
// shared with everything else on the machine and left behind when a test dies; the forwarder's
// socket dies with the test. The test reaches Pylon's /health the same way, by a socket made in the
// pod's namespace (as the kubelet's probe comes from outside the pod).
//
// Skipped, with the reason, where the image is not built in this tree (script/image writes
// <release tree>/image/oci; script/test builds it before the release tree's tests), without
// umoci, when not root (the chroot and the uid 10001 files need it), or where the machine does
// not allow the namespaces.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon_harness.hpp"
#include "localnet_env.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int status = -1;  // the exit code, -1 when it did not exit normally
  std::string output;
};

// A started process: its pid and the read end of a pipe carrying its stdout and stderr together
// (-1 when they go to a log file).
struct Spawned {
  pid_t pid = -1;
  int out = -1;
};

// Starts argv (no shell), its output to a pipe or, with `log`, appended to that file.
Spawned spawn(const std::vector<std::string>& argv, const std::string& log = {}) {
  int p[2];
  if (::pipe(p) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int to = log.empty() ? p[1] : ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(to, 1);
    ::dup2(to, 2);
    ::close(p[0]);
    ::close(p[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(p[1]);
  if (pid < 0 || !log.empty()) {
    ::close(p[0]);
    return {pid, -1};
  }
  return {pid, p[0]};
}

// Runs argv (no shell) to its end, stdout and stderr together.
Ran run(const std::vector<std::string>& argv) {
  const Spawned s = spawn(argv);
  if (s.pid < 0) return {};
  Ran r;
  char buf[4096];
  for (ssize_t n; (n = ::read(s.out, buf, sizeof buf)) > 0;)
    r.output.append(buf, static_cast<std::size_t>(n));
  ::close(s.out);
  int status = 0;
  ::waitpid(s.pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

std::string ns_of(pid_t pid, const char* kind) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + kind, ec).string();
}

// The first child of a process (the container's process under its unshare launcher).
pid_t child_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = -1;
  in >> child;
  return child;
}

// The real uid of a process, from /proc (-1 when it is gone).
long uid_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
  return -1;
}

// A TCP socket in the network namespace `netns` (a /proc/<pid>/ns/net path): a socket belongs to
// the namespace its creator was in, whatever thread uses it later. This thread enters `netns`
// for the socket() call only and returns to its own; -1 when either setns fails.
int socket_in(const std::string& netns) {
  const int own = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int pod = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  int fd = -1;
  if (own >= 0 && pod >= 0 && ::setns(pod, CLONE_NEWNET) == 0) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Staying in the pod's namespace would put every later socket of this thread there.
    if (::setns(own, CLONE_NEWNET) != 0) std::abort();
  }
  if (own >= 0) ::close(own);
  if (pod >= 0) ::close(pod);
  return fd;
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// GET `target` from 127.0.0.1:port inside the pod's network namespace: the status (0: no answer).
int pod_http_status(const std::string& netns, std::uint16_t port, const std::string& target) {
  const int fd = socket_in(netns);
  if (fd < 0) return 0;
  const sockaddr_in a = loopback(port);
  std::string raw;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (pollfd p{fd, POLLIN, 0}; ::poll(&p, 1, 10000) > 0;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return raw.rfind("HTTP/1.1 ", 0) == 0 && raw.size() >= 12 ? std::atoi(raw.c_str() + 9) : 0;
}

// The pod's way out to the chain: listens on 127.0.0.1:port inside the pod's network namespace
// and relays each connection to the chain on 127.0.0.1:chain_port in the test's own namespace.
// Thread contract: start() and the destructor on the test's thread; one relay thread
// ("pod-forwarder") owns every connection and stops when the destructor writes to its pipe.
class ChainForwarder {
 public:
  // Empty when listening; otherwise why not.
  std::string start(const std::string& pod_netns, std::uint16_t port, std::uint16_t chain_port) {
    chain_port_ = chain_port;
    listen_ = socket_in(pod_netns);
    if (listen_ < 0) return "no socket in the pod's network namespace";
    const sockaddr_in a = loopback(port);
    if (::bind(listen_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 16) != 0)
      return "cannot listen on the pod's 127.0.0.1:" + std::to_string(port);
    if (::pipe2(stop_.data(), O_CLOEXEC) != 0) return "no pipe";
    thread_ = std::thread([this] { relay(); });
    ::pthread_setname_np(thread_.native_handle(), "pod-forwarder");
    return {};
  }
  ~ChainForwarder() {
    if (thread_.joinable()) {
      (void)!::write(stop_[1], "x", 1);
      thread_.join();
    }
    for (int fd : {listen_, stop_[0], stop_[1]})
      if (fd >= 0) ::close(fd);
  }

 private:
  void relay() {
    std::vector<std::pair<int, int>> pairs;  // (the pod's side, the chain's side)
    for (;;) {
      std::vector<pollfd> fds = {{stop_[0], POLLIN, 0}, {listen_, POLLIN, 0}};
      for (const auto& [pod, chain] : pairs) {
        fds.push_back({pod, POLLIN, 0});
        fds.push_back({chain, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) break;
      std::vector<std::pair<int, int>> open;
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto [pod, chain] = pairs[i];
        const bool ok = pump(fds[2 + 2 * i], chain) && pump(fds[3 + 2 * i], pod);
        if (ok) {
          open.push_back(pairs[i]);
        } else {
          ::close(pod);
          ::close(chain);
        }
      }
      if (fds[1].revents & POLLIN) accept_one(open);
      pairs = std::move(open);
    }
    for (const auto& [pod, chain] : pairs) {
      ::close(pod);
      ::close(chain);
    }
  }
  // A connection from the pod, and one of the test's own to the chain (this thread never left
  // the test's namespace).
  void accept_one(std::vector<std::pair<int, int>>& pairs) const {
    const int pod = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
    if (pod < 0) return;
    const int chain = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in a = loopback(chain_port_);
    if (chain < 0 || ::connect(chain, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
      ::close(pod);
      if (chain >= 0) ::close(chain);
      return;
    }
    pairs.emplace_back(pod, chain);
  }
  // Moves what `from` has to `to` (both peers read all the time, so a blocking write ends);
  // false when `from` closed or failed.
  static bool pump(const pollfd& from, int to) {
    if (from.revents == 0) return true;
    char buf[65536];
    const ssize_t n = ::recv(from.fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    for (ssize_t sent = 0; sent < n;) {
      const ssize_t m = ::send(to, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
      if (m <= 0) return false;
      sent += m;
    }
    return true;
  }

  int listen_ = -1;
  std::array<int, 2> stop_{-1, -1};
  std::uint16_t chain_port_ = 0;
  std::thread thread_;
};

// The pod's infrastructure container: holds the IPC, network and mount namespaces, the loopback
// up and the pod's tmpfs on /dev/shm, for as long as the test runs.
class PausePod {
 public:
  // Empty when the pod is up; otherwise why not.
  std::string start() {
    const Spawned s = spawn({"unshare", "--ipc", "--net", "--mount", "--propagation", "private", "sh", "-c",
                             "ip link set lo up && mount -t tmpfs -o size=64m,mode=1777 pod-shm /dev/shm && "
                             "echo ready && exec sleep 100000"});
    pid_ = s.pid;
    if (pid_ < 0) return "could not start the pod's pause process";
    std::string said;
    char c;
    while (said.find('\n') == std::string::npos && ::read(s.out, &c, 1) == 1) said += c;
    ::close(s.out);
    return said == "ready\n" ? std::string() : "the pod's pause process did not start: " + said;
  }
  ~PausePod() { kill_and_reap(pid_); }
  pid_t pid() const { return pid_; }
  std::string netns() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
  // A container's launcher: enter the pod's IPC, network and mount namespaces (its /dev/shm),
  // then a mount and a PID namespace of the container's own; what follows runs as its PID 1.
  std::vector<std::string> container() const {
    return {"nsenter", "--target", std::to_string(pid_),
            "--ipc",   "--net",    "--mount",
            "--",      "unshare",  "--mount",
            "--pid",   "--fork",   "--kill-child=SIGKILL",
            "--"};
  }

 private:
  pid_t pid_ = -1;
};

// The image of this tree (script/image's <release tree>/image/oci), unpacked by umoci into an OCI
// runtime bundle: rootfs/ and the config.json a runtime would run.
struct Bundle {
  std::string rootfs;
  std::string ref;  // layout:tag
  long uid = -1, gid = -1;
  std::string cwd;
  std::vector<std::string> env, args;
};

// Empty when `b` is unpacked into `dir`; otherwise why not (the skip reason).
std::string unpack_image(const std::string& dir, Bundle& b) {
  const std::string layout = std::string(PYLON_BINARY_DIR) + "/image/oci";
  if (!fs::exists(layout + "/index.json"))
    return "no image in this tree (" + layout + "): `sudo script/image` builds it from the release tree";
  const Ran tags = run({"umoci", "ls", "--layout", layout});
  if (tags.status != 0) return "umoci cannot list " + layout + ": " + tags.output;
  b.ref = layout + ":" + tags.output.substr(0, tags.output.find('\n'));
  const Ran unpacked = run({"umoci", "unpack", "--image", b.ref, dir + "/bundle"});
  if (unpacked.status != 0) return "umoci unpack " + b.ref + " failed: " + unpacked.output;
  b.rootfs = dir + "/bundle/rootfs";
  simdjson::dom::parser parser;
  simdjson::dom::element config;
  if (parser.load(dir + "/bundle/config.json").get(config) != simdjson::SUCCESS) return "no config.json";
  const auto process = config["process"];
  std::string_view cwd;
  std::uint64_t uid = 0, gid = 0;
  simdjson::dom::array env, args;
  if (process["cwd"].get(cwd) || process["user"]["uid"].get(uid) || process["user"]["gid"].get(gid) ||
      process["env"].get(env) || process["args"].get(args))
    return "the bundle's config.json lacks the process's cwd, user, env or args";
  b.cwd = cwd;
  b.uid = static_cast<long>(uid);
  b.gid = static_cast<long>(gid);
  for (auto e : env) b.env.emplace_back(std::string_view(e));
  for (auto a : args) b.args.emplace_back(std::string_view(a));
  return {};
}

// Why this test cannot run here, or empty.
std::string pod_refused() {
  if (::geteuid() != 0)
    return "the pod from the image needs root (chroot into the image, files owned by its user 10001)";
  const Ran r = run({"unshare", "--ipc", "--net", "--mount", "--pid", "--fork", "--mount-proc", "true"});
  if (r.status != 0)
    return "this machine does not allow the pod's namespaces (`unshare --ipc --net --mount --pid --fork "
           "--mount-proc true`: " +
           r.output + ")";
  if (run({"umoci", "--version"}).status != 0) return "umoci is not installed (apt-get install umoci)";
  return {};
}

// A started container: the launcher's pid and its PID 1's (the container's process).
struct Container {
  pid_t launcher = -1;
  ~Container() { stop(); }
  // SIGKILL to the container's PID 1 ends its PID namespace (its process changed its uid, so
  // unshare's --kill-child no longer reaches it), then the launcher goes.
  void stop() {
    if (const pid_t i = init(); i > 0) ::kill(i, SIGKILL);
    kill_and_reap(launcher);
    launcher = -1;
  }
  pid_t init() const { return child_of(launcher); }
  bool running() const { return launcher > 0 && ::waitpid(launcher, nullptr, WNOHANG) == 0; }
};

class PodNamespaces : public DaemonLocalnetTest {};

TEST_F(PodNamespaces, ValidatorReadsTheSnapshotAndItsWeightsBecomeDurableAcrossContainers) {
  if (const std::string why = pod_refused(); !why.empty()) GTEST_SKIP() << why;
  keys::test::TempDir scratch;
  Bundle image;
  if (const std::string why = unpack_image(scratch.path(), image); !why.empty()) GTEST_SKIP() << why;
  std::cout << "the pod runs " << image.ref << "\n";
  ASSERT_EQ(image.uid, 10001) << "the image must run as its user pylon";

  PausePod pod;
  ASSERT_EQ(pod.start(), "");
  const auto chain_port = static_cast<std::uint16_t>(net::testing::LocalnetEnv::get().port());
  ChainForwarder forwarder;
  ASSERT_EQ(forwarder.start(pod.netns(), chain_port, chain_port), "");

  // The pod's volumes: /data (the claim), the hotkey (the Secret, read-only), owned by the image's
  // user; their mount points made in the bundle's rootfs, as a runtime makes them.
  const std::string data = scratch.path() + "/data", wallets = scratch.path() + "/wallets";
  fs::create_directories(wallets + "/pylon/hotkeys");
  fs::copy_file(keys::test::shared_dir() + "/wallets/pylon/hotkeys/pylon", wallets + "/pylon/hotkeys/pylon");
  fs::create_directories(data);
  fs::create_directories(image.rootfs + "/wallets");
  for (const auto& e : fs::recursive_directory_iterator(wallets))
    ASSERT_EQ(::chown(e.path().c_str(), 10001, 10001), 0);
  ASSERT_EQ(::chown(wallets.c_str(), 10001, 10001), 0);
  ASSERT_EQ(::chown(data.c_str(), 10001, 10001), 0);
  fs::permissions(wallets + "/pylon/hotkeys/pylon", fs::perms::owner_read | fs::perms::owner_write);

  // The Pylon container: its root the image's, read-only (readOnlyRootFilesystem), the volumes
  // mounted in, its own /proc; then the bundle's process: user, working directory, environment
  // plus the pod's settings (the ConfigMap's part), command.
  const std::uint16_t http_port = 8000;  // the pod's own network namespace: the image's port is free
  const std::string shm_name = "pylon-pod-" + std::to_string(::getpid());
  std::vector<std::string> launch = pod.container();
  launch.insert(launch.end(),
                {"sh", "-c",
                 "set -e; root=$1 data=$2 wallets=$3 user=$4; shift 4; "
                 "mount --bind \"$root\" \"$root\"; "
                 "mount --bind \"$data\" \"$root/data\"; "
                 "mount --bind \"$wallets\" \"$root/wallets\"; mount -o remount,bind,ro \"$root/wallets\"; "
                 "mount --bind /dev/shm \"$root/dev/shm\"; "
                 "mount -t tmpfs -o size=16m tmp \"$root/tmp\"; "
                 "mount -t proc proc \"$root/proc\"; "
                 "mount -o remount,bind,ro \"$root\"; "
                 "exec chroot --userspec=\"$user\" \"$root\" \"$@\"",
                 "pylon-container", image.rootfs, data, wallets,
                 std::to_string(image.uid) + ":" + std::to_string(image.gid), "/usr/bin/env", "-i",
                 "--chdir=" + image.cwd});
  for (const auto& e : image.env) launch.push_back(e);
  for (const std::string& e :
       {"PYLON_NETUID=" + std::to_string(bootstrapped().netuid_plain),
        "PYLON_CHAIN_URLS=ws://127.0.0.1:" + std::to_string(chain_port),
        std::string("PYLON_WALLET_PATH=/wallets"), std::string("PYLON_WALLET_NAME=pylon"),
        std::string("PYLON_WALLET_HOTKEY=pylon"), "PYLON_SHM_NAME=" + shm_name,
        "PYLON_HTTP_PORT=" + std::to_string(http_port), std::string("PYLON_LOG_FORMAT=json")})
    launch.push_back(e);
  launch.insert(launch.end(), image.args.begin(), image.args.end());
  const std::string log = scratch.path() + "/pylon.log";
  Container pylon;
  pylon.launcher = spawn(launch, log).pid;
  ASSERT_GT(pylon.launcher, 0);
  auto log_tail = [&log] {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string s = ss.str();
    return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
  };

  // Ready as the startup probe sees it: /health from the pod's network, a block made now and then
  // so the daemon's first snapshot is fresh.
  ChainProbe probe;
  bool ready = false;
  for (int i = 0; i < 120 && !ready && pylon.running(); ++i) {
    ready = pod_http_status(pod.netns(), http_port, "/health") == 200;
    if (!ready && i % 3 == 2) probe.new_blocks(1);
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(ready) << log_tail();
  const pid_t daemon = pylon.init();
  ASSERT_GT(daemon, 0);

  // The daemon: the image's binary as the image's user, in the pod's IPC and network namespaces,
  // its own mount and PID namespaces.
  const pid_t self = ::getpid();
  const std::string proc = "/proc/" + std::to_string(daemon);
  EXPECT_TRUE(fs::equivalent(proc + "/root/usr/bin/pylon", image.rootfs + "/usr/bin/pylon"));
  EXPECT_EQ(uid_of(daemon), 10001);
  EXPECT_EQ(ns_of(daemon, "ipc"), ns_of(pod.pid(), "ipc"));
  EXPECT_NE(ns_of(daemon, "ipc"), ns_of(self, "ipc"));
  EXPECT_EQ(ns_of(daemon, "net"), ns_of(pod.pid(), "net"));
  EXPECT_NE(ns_of(daemon, "net"), ns_of(self, "net"));
  EXPECT_NE(ns_of(daemon, "mnt"), ns_of(pod.pid(), "mnt"));
  EXPECT_NE(ns_of(daemon, "mnt"), ns_of(self, "mnt"));
  EXPECT_NE(ns_of(daemon, "pid"), ns_of(self, "pid"));
  // Its root is read-only: a write outside its volumes fails.
  const Ran write = run({"nsenter", "--target", std::to_string(daemon), "--mount", "--root", "--",
                         "/usr/bin/touch", "/usr/bin/pylon-was-here"});
  EXPECT_NE(write.status, 0) << write.output;
  EXPECT_NE(write.output.find("Read-only file system"), std::string::npos) << write.output;
  // Its segments are in the pod's tmpfs, not in the machine's /dev/shm; its REST port is not on
  // the machine's loopback.
  const std::string pod_shm = "/proc/" + std::to_string(pod.pid()) + "/root/dev/shm/";
  EXPECT_TRUE(fs::exists(pod_shm + shm_name)) << pod_shm + shm_name;
  EXPECT_TRUE(fs::exists(pod_shm + shm_name + "-weights"));
  EXPECT_FALSE(fs::exists("/dev/shm/" + shm_name));

  // The validator container: says where it runs, then the README example, unchanged.
  std::vector<std::string> validator = pod.container();
  validator.insert(
      validator.end(),
      {"sh", "-c",
       "mount -t proc proc /proc && echo ipc=$(readlink /proc/self/ns/ipc) mnt=$(readlink /proc/self/ns/mnt) "
       "pid=$(readlink /proc/self/ns/pid) net=$(readlink /proc/self/ns/net) self=$$; exec \"$@\"",
       "validator", PYLON_SHM_EXAMPLE, shm_name, shm_name + "-weights"});
  const Ran v = run(validator);
  ASSERT_EQ(v.status, 0) << v.output << "\n" << log_tail();
  EXPECT_NE(v.output.find("ipc=" + ns_of(daemon, "ipc") + " "), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("net=" + ns_of(daemon, "net") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("mnt=" + ns_of(daemon, "mnt") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("mnt=" + ns_of(self, "mnt") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("pid=" + ns_of(daemon, "pid") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("pid=" + ns_of(self, "pid") + " "), std::string::npos) << v.output;
  EXPECT_NE(v.output.find(" self=1\n"), std::string::npos) << v.output;         // PID 1 of its own namespace
  EXPECT_NE(v.output.find(" neurons, tempo "), std::string::npos) << v.output;  // the snapshot, read
  EXPECT_NE(v.output.find(" weights durable (seq "), std::string::npos) << v.output;

  // Durable: the daemon is killed without warning (SIGKILL to its PID 1 ends its namespace), and
  // the store on its volume holds the weights.
  pylon.stop();
  EXPECT_NE(whole_weights_table(data + "/pylon.db"), "") << log_tail();
}

}  // namespace
}  // namespace pylon::e2e

// The Kubernetes pod of k8s/ proven without a cluster: Pylon and the example validator
// (shm-client/examples/example.cpp) as two "containers", each in its own mount and PID namespace,
// sharing one IPC namespace and one tmpfs /dev/shm (the pod's emptyDir, medium Memory) made by a
// "pause" process, and one network namespace. The validator reads the snapshot zero-copy from the
// pod's /dev/shm and pushes weights that the daemon makes durable, across the container boundary.
//
// The network namespace the two share is the test's own (the local chain listens there), not a
// fresh one: a fresh one would need a veth pair or a forwarder to reach the chain, and proves
// nothing more about what the pod shares. Pylon runs from the build tree, not from script/image's
// root filesystem: mmdebstrap takes about two minutes, beyond the test's CI budget.
//
// Skipped, with the reason, where the machine does not allow the namespaces (unprivileged user
// namespaces turned off, or a container without CAP_SYS_ADMIN).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon_harness.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int status = -1;  // the exit code, -1 when it did not exit normally
  std::string output;
};

// A started process: its pid and the read end of a pipe carrying its stdout and stderr together.
struct Spawned {
  pid_t pid = -1;
  int out = -1;
};

// Starts argv (no shell); the one launcher of the pod's pause process and of run().
Spawned spawn(const std::vector<std::string>& argv) {
  int p[2];
  if (::pipe(p) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    ::dup2(p[1], 2);
    ::close(p[0]);
    ::close(p[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(p[1]);
  if (pid < 0) {
    ::close(p[0]);
    return {};
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

// As root the test makes the namespaces itself; otherwise inside a user namespace it owns.
bool as_root() {
  return ::geteuid() == 0;
}

std::string ns_of(pid_t pid, const char* kind) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + kind, ec).string();
}

// The pod's infrastructure container: holds the IPC and mount namespaces with the pod's tmpfs on
// /dev/shm for as long as the test runs.
class PausePod {
 public:
  // Empty when the pod is up; otherwise why not.
  std::string start() {
    std::vector<std::string> argv = {"unshare"};
    if (!as_root()) argv.insert(argv.end(), {"--user", "--map-root-user"});
    argv.insert(argv.end(), {"--ipc", "--mount", "--propagation", "private", "sh", "-c",
                             "mount -t tmpfs -o size=64m,mode=1777 pod-shm /dev/shm && echo ready && "
                             "exec sleep 100000"});
    const Spawned s = spawn(argv);
    pid_ = s.pid;
    if (pid_ < 0) return "could not start the pod's pause process";
    std::string said;
    char c;
    while (said.find('\n') == std::string::npos && ::read(s.out, &c, 1) == 1) said += c;
    ::close(s.out);
    return said == "ready\n" ? std::string() : "the pod's pause process did not start: " + said;
  }
  ~PausePod() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  // A container's launcher: enter the pod's IPC and mount namespaces (its /dev/shm), then a mount
  // and a PID namespace of the container's own, with its own /proc; the container's process ends
  // with the launcher.
  std::vector<std::string> container() const {
    std::vector<std::string> argv = {"nsenter", "--target", std::to_string(pid_)};
    // Entering the user namespace as its mapped root: setgroups is denied there, so keep the
    // credentials (the mapped uid is root inside).
    if (!as_root()) argv.insert(argv.end(), {"--user", "--preserve-credentials"});
    argv.insert(argv.end(), {"--ipc", "--mount", "--", "unshare", "--mount", "--pid", "--fork",
                             "--kill-child=SIGTERM", "--mount-proc", "--"});
    return argv;
  }

 private:
  pid_t pid_ = -1;
};

// The namespaces allowed here: the reason they are not, or empty.
std::string namespaces_refused() {
  std::vector<std::string> argv = {"unshare"};
  if (!as_root()) argv.insert(argv.end(), {"--user", "--map-root-user"});
  argv.insert(argv.end(), {"--ipc", "--mount", "--pid", "--fork", "--mount-proc", "true"});
  const Ran r = run(argv);
  if (r.status == 0) return {};
  return "this machine does not allow the pod's namespaces (`unshare" +
         std::string(as_root() ? "" : " --user --map-root-user") +
         " --ipc --mount --pid --fork --mount-proc true`: " + r.output + ")";
}

// The first child of a process (the container's process under its unshare launcher).
pid_t child_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = -1;
  in >> child;
  return child;
}

class PodNamespaces : public DaemonLocalnetTest {};

TEST_F(PodNamespaces, ValidatorReadsTheSnapshotAndItsWeightsBecomeDurableAcrossContainers) {
  if (const std::string why = namespaces_refused(); !why.empty()) GTEST_SKIP() << why;
  PausePod pod;
  const std::string up = pod.start();
  ASSERT_EQ(up, "");

  const Bootstrapped& b = bootstrapped();
  DaemonProcess d(b.netuid_plain);
  d.set_launcher(pod.container());
  d.start();
  ChainProbe probe;
  ASSERT_TRUE(wait_ready(d, probe)) << d.log_tail();
  const pid_t daemon = child_of(d.pid());
  ASSERT_GT(daemon, 0);

  // The daemon: the pod's IPC namespace, the shared network, its own mount and PID namespaces.
  const pid_t self = ::getpid();
  EXPECT_EQ(ns_of(daemon, "ipc"), ns_of(pod.pid(), "ipc"));
  EXPECT_NE(ns_of(daemon, "ipc"), ns_of(self, "ipc"));
  EXPECT_EQ(ns_of(daemon, "net"), ns_of(self, "net"));
  EXPECT_NE(ns_of(daemon, "mnt"), ns_of(pod.pid(), "mnt"));
  EXPECT_NE(ns_of(daemon, "mnt"), ns_of(self, "mnt"));
  EXPECT_NE(ns_of(daemon, "pid"), ns_of(self, "pid"));
  // Its segments are in the pod's tmpfs, not in the machine's /dev/shm.
  const std::string pod_shm = "/proc/" + std::to_string(pod.pid()) + "/root/dev/shm/";
  EXPECT_TRUE(fs::exists(pod_shm + d.shm_name())) << pod_shm + d.shm_name();
  EXPECT_TRUE(fs::exists(pod_shm + d.queue_name()));
  EXPECT_FALSE(fs::exists("/dev/shm/" + d.shm_name()));

  // The validator container: says where it runs, then the README example, unchanged.
  std::vector<std::string> validator = pod.container();
  validator.insert(
      validator.end(),
      {"sh", "-c",
       "echo ipc=$(readlink /proc/self/ns/ipc) mnt=$(readlink /proc/self/ns/mnt) "
       "pid=$(readlink /proc/self/ns/pid) net=$(readlink /proc/self/ns/net) self=$$; exec \"$@\"",
       "validator", PYLON_SHM_EXAMPLE, d.shm_name(), d.queue_name()});
  const Ran v = run(validator);
  ASSERT_EQ(v.status, 0) << v.output << "\n" << d.log_tail();
  EXPECT_NE(v.output.find("ipc=" + ns_of(daemon, "ipc") + " "), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("net=" + ns_of(self, "net") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("mnt=" + ns_of(daemon, "mnt") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("mnt=" + ns_of(self, "mnt") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("pid=" + ns_of(daemon, "pid") + " "), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find("pid=" + ns_of(self, "pid") + " "), std::string::npos) << v.output;
  EXPECT_NE(v.output.find(" self=1\n"), std::string::npos) << v.output;         // PID 1 of its own namespace
  EXPECT_NE(v.output.find(" neurons, tempo "), std::string::npos) << v.output;  // the snapshot, read
  EXPECT_NE(v.output.find(" weights durable (seq "), std::string::npos) << v.output;

  // Durable: the daemon is killed without warning, and the store on disk holds the weights.
  d.kill9();
  EXPECT_NE(whole_weights_table(d.db_path()), "") << d.log_tail();
}

}  // namespace
}  // namespace pylon::e2e

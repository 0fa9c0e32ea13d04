// pylon_shm (shm-client/python) on the real daemon and the real local chain: its pytest suite
// (shm-client/python/tests) run against the REST daemon suite's shared daemon, so the Python
// client costs no daemon start and no bootstrap of its own. The suite runs every daemon test over
// shm and again over REST (connect() falling back because the named segment is absent). The
// tests here that need the chain or a daemon of their own drive small scripts of that folder.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "localnet_env.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

[[maybe_unused]] std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// What the shell command printed (stderr included); `status` is pclose's.
[[maybe_unused]] std::string shell(const std::string& cmd, int& status) {
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return "popen failed";
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  status = ::pclose(pipe);
  return out;
}

TEST_F(RestDaemonLocalnet, PythonClientPassesItsPytestSuiteOverShmAndRest) {
#ifndef PYLON_SHM_PYTHON_DIR
  GTEST_SKIP() << "pylon_shm is not built (python3-dev, python3-pybind11 or python3-pytest missing: "
                  "script/bootstrap)";
#else
  caught_up(*d, *probe);  // the daemon's latest snapshot is the chain's head
  const std::string cmd =
      "PYTHONPATH=" + quote(PYLON_SHM_PYTHON_DIR) +
      " PYLON_TEST_REST_URL=" + quote("http://127.0.0.1:" + std::to_string(d->port())) +
      " PYLON_TEST_SHM_NAME=" + quote(d->shm_name()) + " PYLON_TEST_NETUID=" + std::to_string(netuid) +
      " PYLON_TEST_CHAIN_PORT=" + std::to_string(net::testing::LocalnetEnv::get().port()) +
      " PYLON_TEST_SOURCE_DIR=" + quote(PYLON_SOURCE_DIR) + " " + quote(PYLON_PYTHON3) +
      " -m pytest -q -rs -p no:cacheprovider " +
      quote(std::string(PYLON_SOURCE_DIR) + "/shm-client/python/tests") + " 2>&1";
  int status = -1;
  const std::string out = shell(cmd, status);
  EXPECT_EQ(status, 0) << out << "\n" << d->log_tail();
  // Here the daemon tests must run, not skip.
  EXPECT_EQ(out.find("skipped"), std::string::npos) << out;
  std::printf("%s", out.c_str());
#endif
}

// The whole way of a Python validator's weights: pushed through pylon_shm by hotkey and by uid,
// over shm and then over REST, each batch durable in the daemon's store, committed by the daemon
// (POST /force_commit_weights) and read back by the test from the chain's SubtensorModule.Weights
// (the way the REST weights test reads it), never from Pylon's own word.
TEST_F(RestDaemonLocalnet, PythonWeightsLandInTheChainsWeights) {
#ifndef PYLON_SHM_PYTHON_DIR
  GTEST_SKIP() << "pylon_shm is not built (python3-dev, python3-pybind11 or python3-pytest missing)";
#else
  const Neuron& m0 = shared_->others[0];
  const Neuron& m1 = shared_->others[1];
  struct Round {
    const char* transport;
    std::string key0, key1;  // how m0 and m1 are named in the push
    double w0, w1;
    std::uint16_t chain0, chain1;  // max-normalised to u16: 3.0 -> 65535, 1.0 -> 21845
  };
  // The two rounds' rows differ, so the second cannot pass on the first's row.
  const Round rounds[] = {
      {"shm", m0.hotkey, std::to_string(m1.uid), 1.0, 3.0, 21845, 65535},
      {"rest", std::to_string(m0.uid), m1.hotkey, 3.0, 1.0, 65535, 21845},
  };
  for (const Round& r : rounds) {
    SCOPED_TRACE(r.transport);
    // No block is made from here until the commit's attempt is stored: the epoch must hold still.
    const std::pair<std::uint64_t, std::uint64_t> at = empty_weights_epoch();
    ASSERT_NE(at.first, 0u);
    const std::uint64_t epoch = at.second;
    char w[64];
    std::snprintf(w, sizeof w, "=%.17g", r.w0);
    const std::string arg0 = r.key0 + w;
    std::snprintf(w, sizeof w, "=%.17g", r.w1);
    const std::string arg1 = r.key1 + w;
    int status = -1;
    const std::string out =
        shell("PYTHONPATH=" + quote(PYLON_SHM_PYTHON_DIR) + " PYLON_TEST_SHM_NAME=" + quote(d->shm_name()) +
                  " PYLON_TEST_REST_URL=" + quote("http://127.0.0.1:" + std::to_string(d->port())) + " " +
                  quote(PYLON_PYTHON3) + " " +
                  quote(std::string(PYLON_SOURCE_DIR) + "/shm-client/python/tests/push_weights.py") + " " +
                  r.transport + " " + quote(arg0) + " " + quote(arg1),
              status);
    ASSERT_EQ(status, 0) << out << "\n" << d->log_tail();
    ASSERT_EQ(out.rfind("durable ", 0), 0u) << out;
    ASSERT_EQ(stored_weights(d->db_path(), netuid, epoch),
              (std::map<std::string, double>{{m0.hotkey, r.w0}, {m1.hotkey, r.w1}}));

    HttpAnswer fc;
    {
      BlockMaker blocks(*rpc->client, std::chrono::milliseconds(300),
                        [&] { return stored_attempts(d->db_path(), netuid, epoch) > 0; });
      fc = http(d->port(), "POST", "/force_commit_weights");
    }
    ASSERT_EQ(fc.status, 200) << fc.body << "\n" << d->log_tail();
    std::map<std::uint16_t, std::uint16_t> got;
    ASSERT_TRUE(test::eventually(
        [&] {
          probe->new_blocks(1);
          const auto row = probe->weights_row(netuid, shared_->my_uid);
          got = std::map<std::uint16_t, std::uint16_t>(row.begin(), row.end());
          return row.size() == 2 && got.count(m0.uid) && got.count(m1.uid) &&
                 std::abs(int(got[m0.uid]) - r.chain0) <= 1 && std::abs(int(got[m1.uid]) - r.chain1) <= 1;
        },
        std::chrono::seconds(30)))
        << "Weights(" << netuid << ", " << shared_->my_uid << ") never became {" << m0.uid << ": " << r.chain0
        << ", " << m1.uid << ": " << r.chain1 << "}, is " << ::testing::PrintToString(got) << "\n"
        << fc.body;
  }
#endif
}

#ifdef PYLON_SHM_PYTHON_DIR
// A child process with its stdin and stdout piped to us, for a script the test talks to line by
// line. The destructor closes its stdin (the script ends on EOF) and reaps it.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = ::fdopen(out[0], "r");
  }
  ~Child() {
    if (to_ >= 0) ::close(to_);
    if (from_) std::fclose(from_);
    wait();
  }
  // One line of its stdout ("" at EOF).
  std::string read_line() {
    std::array<char, 512> buf{};
    if (!from_ || !std::fgets(buf.data(), buf.size(), from_)) return {};
    return buf.data();
  }
  void write_line(const std::string& s) {
    const std::string line = s + "\n";
    EXPECT_EQ(::write(to_, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  // Exit status (-1 when it could not be started or was already reaped).
  int wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  FILE* from_ = nullptr;
};
#endif

// One Client kept across a SIGTERM and restart of its daemon: the reader switches to the new
// segment and pushes keep landing, without the script reopening anything. A daemon of its own (the
// suite's shared one must not restart under the other tests), on the same bootstrapped chain.
TEST_F(RestDaemonLocalnet, PythonClientFollowsADaemonRestart) {
#ifndef PYLON_SHM_PYTHON_DIR
  GTEST_SKIP() << "pylon_shm is not built (python3-dev, python3-pybind11 or python3-pytest missing)";
#else
  const auto t0 = std::chrono::steady_clock::now();
  auto stage = [&](const char* what) {
    std::printf("restart test: %s at %.1f s\n", what,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  DaemonProcess rd(netuid);
  rd.start();
  ASSERT_TRUE(wait_ready(rd, *probe)) << rd.log_tail();
  ASSERT_NE(caught_up(rd, *probe), 0u);
  stage("first daemon ready");
  Child py({PYLON_PYTHON3, std::string(PYLON_SOURCE_DIR) + "/shm-client/python/tests/restart_follow.py"},
           {{"PYTHONPATH", PYLON_SHM_PYTHON_DIR},
            {"PYLON_TEST_SHM_NAME", rd.shm_name()},
            {"PYLON_TEST_REST_URL", "http://127.0.0.1:" + std::to_string(rd.port())}});
  const std::string ready = py.read_line();
  stage("first daemon read and pushed");
  ASSERT_EQ(ready.rfind("ready ", 0), 0u) << "script said: " << ready << "\n" << rd.log_tail();
  {
    BlockMaker blocks(*rpc->client);  // a submission in flight holds SIGTERM until it is included
    ASSERT_EQ(rd.terminate(), 0) << rd.log_tail();
  }
  stage("first daemon stopped");
  rd.start();
  ASSERT_TRUE(wait_ready(rd, *probe)) << rd.log_tail();
  probe->new_blocks(1);
  stage("second daemon ready");
  py.write_line("restarted");
  const std::string ok = py.read_line();
  EXPECT_EQ(ok.rfind("ok ", 0), 0u) << "script said: " << ok << "\n" << rd.log_tail();
  EXPECT_EQ(py.wait(), 0);
  stage("script done");
  BlockMaker blocks(*rpc->client);
  EXPECT_EQ(rd.terminate(), 0) << rd.log_tail();
#endif
}

}  // namespace
}  // namespace pylon::e2e

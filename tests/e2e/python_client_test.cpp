// pylon_shm (shm-client/python) on the real daemon and the real local chain: its pytest suite
// (shm-client/python/tests) run against the REST daemon suite's shared daemon, so the Python
// client costs no daemon start and no bootstrap of its own. The suite runs every daemon test over
// shm and again over REST (connect() falling back because the named segment is absent).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "localnet_env.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

TEST_F(RestDaemonLocalnet, PythonClientPassesItsPytestSuiteOverShmAndRest) {
#ifndef PYLON_SHM_PYTHON_DIR
  GTEST_SKIP() << "pylon_shm is not built (python3-dev, python3-pybind11 or python3-pytest missing: "
                  "script/bootstrap)";
#else
  caught_up(*d, *probe);  // the daemon's latest snapshot is the chain's head
  const std::string cmd =
      "PYTHONPATH=" + quote(PYLON_SHM_PYTHON_DIR) + " PYLON_TEST_REST_URL=" +
      quote("http://127.0.0.1:" + std::to_string(d->port())) + " PYLON_TEST_SHM_NAME=" + quote(d->shm_name()) +
      " PYLON_TEST_NETUID=" + std::to_string(netuid) +
      " PYLON_TEST_CHAIN_PORT=" + std::to_string(net::testing::LocalnetEnv::get().port()) +
      " PYLON_TEST_SOURCE_DIR=" + quote(PYLON_SOURCE_DIR) + " " + quote(PYLON_PYTHON3) +
      " -m pytest -q -rs -p no:cacheprovider " + quote(std::string(PYLON_SOURCE_DIR) + "/shm-client/python/tests") +
      " 2>&1";
  std::string out;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << out << "\n" << d->log_tail();
  // Here the daemon tests must run, not skip.
  EXPECT_EQ(out.find("skipped"), std::string::npos) << out;
  std::printf("%s", out.c_str());
#endif
}

}  // namespace
}  // namespace pylon::e2e

// LAYOUT.md must be enough to write a reader in another language: tests/shm/layout_reader.py was
// written from it alone; it reads a segment the daemon published and must agree with the data.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemon_test_util.hpp"
#include "shm/snapshot_writer.hpp"

namespace pylon::shm {
namespace {

TEST(ShmLayoutDoc, PythonReaderFromLayoutMdAgrees) {
  if (std::system("python3 -c 'import mmap' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not available";
  std::string name = test::unique_name("py");
  SnapshotWriterConfig c;
  c.name = name;
  Result<std::unique_ptr<SnapshotWriter>> w = SnapshotWriter::create(c);
  ASSERT_TRUE(w.ok());
  SnapshotData d = test::snapshot_data(4242, 500);
  ASSERT_TRUE((*w)->publish(d).ok());
  std::string cmd = std::string("python3 ") + PYLON_SHM_LAYOUT_READER + " " + name + " 77";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[512] = {};
  std::string out;
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  ASSERT_EQ(::pclose(p), 0) << out;
  std::string want = std::to_string((*w)->generation()) + " 4242 " + std::to_string(d.neurons.size()) + " " +
                     std::to_string(d.hyperparams.tempo) + " " + std::to_string(d.neurons[77].stake) +
                     " 77 " + std::to_string(d.commitments.size()) + "\n";
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace pylon::shm

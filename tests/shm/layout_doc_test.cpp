// LAYOUT.md must be enough to write a reader in another language: tests/shm/layout_reader.py was
// written from it alone; it reads a segment the daemon published and must agree with the data.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "daemon_test_util.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"

namespace pylon::shm {
namespace {

std::string run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[512] = {};
  std::string out;
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  if (::pclose(p) != 0) out += "(exit status not 0)";
  return out;
}

TEST(ShmLayoutDoc, PythonQueueReaderFromLayoutMdAgrees) {
  if (std::system("python3 -c 'import mmap' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not available";
  std::string name = test::unique_name("pyq");
  WeightQueueConfig c;
  c.name = name;
  c.producer_slots = 3;
  c.ring_capacity = 8;
  Result<std::unique_ptr<WeightQueue>> q = WeightQueue::open(c);
  ASSERT_TRUE(q.ok());
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str(), ProducerOptions{.preferred_slot = 1});
  ASSERT_TRUE(p.ok()) << p.message();
  ASSERT_EQ(p->slot(), 1u);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(p->push_uid(static_cast<std::uint16_t>(i), i + 0.5).ok()) << i;
  // 6 drained and durable, then 5 more waiting: the last three wrap around the 8-cell ring.
  Result<DrainReport> r = (*q)->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*q)->mark_durable(*r).ok());
  // Mechanism i % 3: the reader finds byte 56 where LAYOUT.md puts it.
  for (int i = 6; i < 11; ++i) {
    auto mechanism = static_cast<std::uint8_t>(i % 3);
    ASSERT_TRUE(p->push_uid(static_cast<std::uint16_t>(i), i + 0.5, WeightOp::set, mechanism).ok()) << i;
  }
  std::string out = run(std::string("python3 ") + PYLON_SHM_LAYOUT_READER + " queue " + name + " 1");
  std::string want = std::to_string((*q)->geometry().generation) + " 3 8 1 11 6 6\n" +
                     "7 6 6.5 0\n8 7 7.5 1\n9 8 8.5 2\n10 9 9.5 0\n11 10 10.5 1\n";
  EXPECT_EQ(out, want);
}

TEST(ShmLayoutDoc, PythonReaderFromLayoutMdAgrees) {
  if (std::system("python3 -c 'import mmap' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not available";
  std::string name = test::unique_name("py");
  SnapshotWriterConfig c;
  c.name = name;
  Result<std::unique_ptr<SnapshotWriter>> w = SnapshotWriter::create(c);
  ASSERT_TRUE(w.ok());
  SnapshotData d = test::snapshot_data(4242, 500);
  test::add_mechanisms(d);
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
                     " 77 " + std::to_string(d.commitments.size()) + " 3\n" +
                     // m flags share incentive(77) last_update(77): 0 is the row's own fields, 2 has
                     // no fields (flag bit 1 clear) and columns of zeros.
                     "0 3 30000 " + std::to_string(d.neurons[77].incentive) + " " +
                     std::to_string(d.neurons[77].last_update) + "\n" + "1 3 20000 " +
                     std::to_string(77 * 3 + 1) + " " + std::to_string(4242 * 10 + 77) + "\n" +
                     "2 1 15535 0 0\n";
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace pylon::shm

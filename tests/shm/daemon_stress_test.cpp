// The multi-process scenarios with the real daemon side: SnapshotWriter publishing at full speed,
// WeightQueue draining (and marking durable) while producers are SIGKILLed.
#include <gtest/gtest.h>

#include "daemon_test_util.hpp"
#include "multiprocess_scenarios.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"

namespace pylon::shm {
namespace {

TEST(ShmDaemonStress, WriterAtFullSpeedReadersNeverTorn) {
  const std::uint32_t neurons = 256;
  std::string name = test::unique_name("dsnap");
  SnapshotWriterConfig c;
  c.name = name;
  c.neuron_capacity = neurons;
  c.commitment_capacity = 8;
  c.commitment_data_capacity = 256;
  Result<std::unique_ptr<SnapshotWriter>> w = SnapshotWriter::create(c);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->publish(test::snapshot_data(1, neurons)).ok());
  // Pre-built inputs so the writer child spends its time publishing.
  std::vector<SnapshotData> inputs;
  for (std::uint64_t b = 0; b < 17; ++b) inputs.push_back(test::snapshot_data(b, neurons));
  auto* rep = test::shared_anon<test::SnapshotStressReport>();
  test::run_snapshot_stress(
      name.c_str(), neurons, 3000,
      [&](std::uint64_t b) {
        SnapshotData& d = inputs[b % 17];
        d = test::snapshot_data(b, neurons);
        if (!(*w)->publish(d).ok()) ::_exit(5);
      },
      rep);
  test::expect_clean_and_free(rep);
}

TEST(ShmDaemonStress, KilledProducersWithTheRealDrain) {
  std::string name = test::unique_name("dq");
  WeightQueueConfig c;
  c.name = name;
  c.producer_slots = 4;
  c.ring_capacity = 256;
  c.lease_timeout_ms = 100;
  Result<std::unique_ptr<WeightQueue>> q = WeightQueue::open(c);
  ASSERT_TRUE(q.ok());
  std::size_t rejected = 0;
  test::KillOutcome o =
      test::run_kill_stress(name.c_str(), std::chrono::milliseconds(1500), [&](const auto& visit) {
        Result<DrainReport> rep = (*q)->drain([&](std::span<const DrainedEntry> batch) -> Status {
          for (const DrainedEntry& e : batch) visit(e.uid, e.weight);
          return {};
        });
        if (!rep.ok()) return std::size_t{0};
        rejected += rep->rejected;
        if (!(*q)->mark_durable(*rep).ok()) return std::size_t{0};
        return rep->entries;
      });
  EXPECT_GE(o.killed, 10);
  EXPECT_GT(o.entries, 1000u);
  EXPECT_EQ(rejected, 0u);
  for (const std::string& p : o.problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace pylon::shm

// Multi-process stress (fork) with only the client headers and the protocol-level consumer.
#include <gtest/gtest.h>

#include "multiprocess_scenarios.hpp"

namespace pylon::shm {
namespace {

TEST(ShmMultiProcess, ReadersNeverSeeATornSnapshot) {
  const std::uint32_t neurons = 256;
  // Three mechanisms: their columns are copied under the same seqlock as the rows.
  SnapshotSegmentHeader geo = snapshot_geometry(2, neurons, 8, 256, 1, 1, 3);
  test::RawSegment seg(test::unique_name("mp-snap"), geo.segment_size);
  format_snapshot_segment(seg.data(), geo, 1);
  test::TestPublisher pub(seg.data(), geo, neurons, 3);
  pub.publish(1);
  auto* rep = test::shared_anon<test::SnapshotStressReport>();
  test::run_snapshot_stress(
      seg.name(), neurons, 4000, [&](std::uint64_t b) { pub.publish(b); }, rep, 3);
  EXPECT_EQ(rep->published.load(), 3999u);
  test::expect_clean_and_free(rep);
}

TEST(ShmMultiProcess, KilledProducersLoseAndDuplicateNothing) {
  QueueSegmentHeader geo = queue_geometry(4, 256, 100, 1, 1);  // 100 ms leases
  test::RawQueue q(test::unique_name("mp-q"), geo);
  test::ProtocolDrainer d = q.drainer();
  test::KillOutcome o =
      test::run_kill_stress(q.name(), std::chrono::milliseconds(1500), [&](const auto& visit) {
        return d.drain([&](std::uint32_t, std::uint64_t, const WeightEntry& e) { visit(e.uid, e.weight); });
      });
  EXPECT_GE(o.killed, 10);
  EXPECT_GT(o.entries, 1000u);
  for (const std::string& p : o.problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace pylon::shm

// Single-threaded behaviour of the weight producer: push, full, durability wait, leases and
// takeover, retirement. Client headers only (also compiled as C++17).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "shm_test_util.hpp"

namespace pylon::shm {
namespace {

using namespace std::chrono_literals;
using test::ProtocolDrainer;
using test::RawSegment;

struct QFixture {
  explicit QFixture(std::uint32_t slots = 4, std::uint32_t cap = 8, std::uint64_t lease_ms = 10000)
      : geo(queue_geometry(slots, cap, lease_ms, 3, 99)), q(test::unique_name("q"), geo), seg(q.seg) {}
  ProtocolDrainer drainer() { return q.drainer(); }
  QueueSegmentHeader geo;
  test::RawQueue q;
  RawSegment& seg;
};

TEST(ShmQueue, PushUidAndHotkeyAreDrainedInOrder) {
  QFixture f;
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok()) << p.message();
  std::uint8_t hk[32];
  for (int i = 0; i < 32; ++i) hk[i] = static_cast<std::uint8_t>(i);
  ShmResult<std::uint64_t> a = p->push_uid(7, 0.25);
  ShmResult<std::uint64_t> b = p->push_hotkey(hk, 1.5, WeightOp::add);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 1u);
  EXPECT_EQ(*b, 2u);
  std::vector<WeightEntry> got;
  std::vector<std::uint64_t> seqs;
  f.drainer().drain([&](std::uint32_t slot, std::uint64_t seq, const WeightEntry& e) {
    EXPECT_EQ(slot, p->slot());
    seqs.push_back(seq);
    got.push_back(e);
  });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(seqs[0], 1u);
  EXPECT_EQ(got[0].key_kind, static_cast<std::uint8_t>(KeyKind::uid));
  EXPECT_EQ(got[0].uid, 7);
  EXPECT_EQ(got[0].weight, 0.25);
  EXPECT_EQ(got[0].op, static_cast<std::uint8_t>(WeightOp::set));
  EXPECT_EQ(got[1].key_kind, static_cast<std::uint8_t>(KeyKind::hotkey));
  EXPECT_EQ(std::memcmp(got[1].hotkey, hk, 32), 0);
  EXPECT_EQ(got[1].op, static_cast<std::uint8_t>(WeightOp::add));
  EXPECT_EQ(got[1].lease_epoch, p->epoch());
  EXPECT_EQ(p->drained(), 2u);
  EXPECT_EQ(p->durable(), 2u);
}

TEST(ShmQueue, FullIsAResultAndWritesNothing) {
  QFixture f(1, 4);
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(p->push_uid(1, i).ok());
  ShmResult<std::uint64_t> full = p->push_uid(1, 99);
  EXPECT_EQ(full.code(), Errc::full);
  EXPECT_EQ(p->last_seq(), 4u);
  // Drained but not durable still counts as occupied: entries stay until committed.
  std::size_t n = f.drainer().drain([](std::uint32_t, std::uint64_t, const WeightEntry&) {}, false);
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(p->push_uid(1, 99).code(), Errc::full);
  store_release(&f.q.ack_of(p->slot())->durable, std::uint64_t{4});
  ShmResult<std::uint64_t> ok = p->push_uid(1, 5);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5u);
}

TEST(ShmQueue, BadArgumentsAreRefused) {
  QFixture f;
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->push_uid(1, std::numeric_limits<double>::quiet_NaN()).code(), Errc::invalid_argument);
  EXPECT_EQ(p->push_uid(1, std::numeric_limits<double>::infinity()).code(), Errc::invalid_argument);
  EXPECT_EQ(p->push_hotkey(nullptr, 1).code(), Errc::invalid_argument);
  EXPECT_EQ(p->push_uid(1, 1, static_cast<WeightOp>(9)).code(), Errc::invalid_argument);
  EXPECT_EQ(p->wait_durable(5, 1ms).code(), Errc::invalid_argument);
  EXPECT_EQ(p->last_seq(), 0u);
  WeightProducer closed;
  EXPECT_EQ(closed.push_uid(1, 1).code(), Errc::invalid_argument);
}

TEST(ShmQueue, WaitDurableTimesOutThenSucceeds) {
  QFixture f;
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok());
  ShmResult<std::uint64_t> seq = p->push_uid(2, 0.5);
  ASSERT_TRUE(seq.ok());
  ShmStatus t = p->wait_durable(*seq, 5ms);
  EXPECT_EQ(t.code(), Errc::timeout);
  EXPECT_NE(std::string(t.message()).find("not durable"), std::string::npos);
  f.drainer().drain([](std::uint32_t, std::uint64_t, const WeightEntry&) {}, false);
  EXPECT_EQ(p->wait_durable(*seq, 1ms).code(), Errc::timeout);  // drained is not durable
  store_release(&f.q.ack_of(p->slot())->durable, *seq);
  EXPECT_TRUE(p->wait_durable(*seq, 1ms).ok());
}

TEST(ShmQueue, ProducersGetDistinctSlotsUntilNoneIsFree) {
  QFixture f(3);
  std::vector<WeightProducer> ps;
  for (int i = 0; i < 3; ++i) {
    ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
    ASSERT_TRUE(p.ok()) << p.message();
    ps.push_back(std::move(p).value());
  }
  EXPECT_NE(ps[0].slot(), ps[1].slot());
  EXPECT_NE(ps[1].slot(), ps[2].slot());
  EXPECT_NE(ps[0].slot(), ps[2].slot());
  EXPECT_EQ(WeightProducer::open(f.seg.name()).code(), Errc::no_free_slot);
  std::uint32_t freed = ps[1].slot();
  ASSERT_TRUE(ps[1].push_uid(1, 1).ok());
  ps[1].release();
  ShmResult<WeightProducer> again = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->slot(), freed);
  EXPECT_EQ(again->epoch(), 2u);  // the epoch moves on every claim
  ShmResult<std::uint64_t> s = again->push_uid(2, 2);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, 2u);  // continues after the previous owner's entry, which is still drained
  std::size_t n = f.drainer().drain([](std::uint32_t, std::uint64_t, const WeightEntry&) {});
  EXPECT_EQ(n, 2u);
}

TEST(ShmQueue, ExpiredLeaseIsTakenOverAndTheOldOwnerIsFenced) {
  QFixture f(1, 8, 30);  // 30 ms lease
  ShmResult<WeightProducer> old_owner = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(old_owner.ok());
  ASSERT_TRUE(old_owner->push_uid(1, 1).ok());
  EXPECT_EQ(WeightProducer::open(f.seg.name()).code(), Errc::no_free_slot);
  // Kept: a lease lapses only by wall time passing (no event), so the owner goes silent past it.
  std::this_thread::sleep_for(80ms);
  ShmResult<WeightProducer> heir = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(heir.ok()) << heir.message();
  EXPECT_EQ(heir->epoch(), old_owner->epoch() + 1);
  EXPECT_EQ(old_owner->push_uid(1, 2).code(), Errc::lease_lost);
  EXPECT_EQ(old_owner->heartbeat().code(), Errc::lease_lost);
  ShmResult<std::uint64_t> s = heir->push_uid(2, 3);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, 2u);
  std::vector<double> weights;
  f.drainer().drain([&](std::uint32_t, std::uint64_t, const WeightEntry& e) { weights.push_back(e.weight); });
  EXPECT_EQ(weights, (std::vector<double>{1, 3}));
}

TEST(ShmQueue, HeartbeatKeepsTheLease) {
  QFixture f(1, 8, 60);
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok());
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(15ms);  // kept: the test is that time passing past the lease is survived
    ASSERT_TRUE(p->heartbeat().ok());
  }
  EXPECT_EQ(WeightProducer::open(f.seg.name()).code(), Errc::no_free_slot);
  EXPECT_TRUE(p->push_uid(1, 1).ok());
}

TEST(ShmQueue, RetiredSegmentRefusesPushes) {
  QFixture f;
  ShmResult<WeightProducer> p = WeightProducer::open(f.seg.name());
  ASSERT_TRUE(p.ok());
  store_release(&f.q.ack_header()->state, static_cast<std::uint32_t>(SegmentState::retired));
  EXPECT_EQ(p->push_uid(1, 1).code(), Errc::retired);
  EXPECT_EQ(WeightProducer::open(f.seg.name()).code(), Errc::retired);
}

TEST(ShmQueue, SnapshotSegmentIsNotAQueue) {
  SnapshotSegmentHeader g = snapshot_geometry(2, 16, 4, 64, 1, 1);
  RawSegment seg(test::unique_name("kind"), g.segment_size);
  format_snapshot_segment(seg.data(), g, 1);
  ShmResult<WeightProducer> p = WeightProducer::open(seg.name());
  EXPECT_EQ(p.code(), Errc::bad_magic);
  EXPECT_NE(std::string(p.message()).find("other Pylon segment kind"), std::string::npos);
}

}  // namespace
}  // namespace pylon::shm

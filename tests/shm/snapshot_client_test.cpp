// Single-threaded behaviour of the snapshot reader: open, copy, in-place view, lookups, freshness,
// generation changes and ABI refusal. Client headers only (also compiled as C++17).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "shm_test_util.hpp"

namespace pylon::shm {
namespace {

using test::RawSegment;
using test::TestPublisher;

// A formatted segment and its publisher; a daemon restart is a second one under the same name.
struct Fixture {
  explicit Fixture(std::uint32_t neurons = 256, std::uint32_t slots = 2, std::uint64_t generation = 7,
                   const std::string& name = test::unique_name("snap"))
      : geo(snapshot_geometry(slots, neurons, 64, 4096, 3, generation)),
        seg(name, geo.segment_size),
        pub(seg.data(), geo, neurons) {
    format_snapshot_segment(seg.data(), geo, 1);
  }
  SnapshotSegmentHeader geo;
  RawSegment seg;
  TestPublisher pub;
};

TEST(ShmSnapshot, GeometryIsAlignedAndValid) {
  SnapshotSegmentHeader h = snapshot_geometry(2, 4096, 4096, 1 << 20, 1, 1);
  EXPECT_EQ(h.neurons_offset % 64, 0u);
  EXPECT_EQ(h.hotkey_index_offset % 64, 0u);
  EXPECT_EQ(h.commitments_offset % 64, 0u);
  EXPECT_EQ(h.commitment_data_offset % 64, 0u);
  EXPECT_EQ(h.slot_size % 64, 0u);
  EXPECT_TRUE(validate_snapshot_header(h, h.segment_size).ok());
  EXPECT_EQ(validate_snapshot_header(h, h.segment_size - 1).code(), Errc::truncated);
  // One mechanism: its record after the commitment data, and no column at all.
  EXPECT_EQ(h.mechanism_capacity, 1u);
  EXPECT_EQ(h.mechanism_record_size, sizeof(MechanismRecord));
  EXPECT_EQ(h.mechanisms_offset, h.commitment_data_offset + (1u << 20));
  EXPECT_EQ(h.mechanism_last_update_offset, h.mechanisms_offset + 64);
  EXPECT_EQ(h.mechanism_incentives_offset, h.mechanism_last_update_offset);
  EXPECT_EQ(h.slot_size, h.mechanism_incentives_offset);
  // Three: two columns of each kind, at LAYOUT.md's strides, the area last in the slot. What
  // comes before it is where it is with one mechanism: a reader of mechanism 0 reads the same.
  SnapshotSegmentHeader m = snapshot_geometry(2, 4095, 4096, 1 << 20, 1, 1, 3);
  SnapshotSegmentHeader one = snapshot_geometry(2, 4095, 4096, 1 << 20, 1, 1);
  EXPECT_EQ(m.mechanisms_offset, one.mechanisms_offset);
  EXPECT_EQ(std::memcmp(&m.meta_offset, &one.meta_offset,
                        offsetof(SnapshotSegmentHeader, commitment_data_offset) + 4 -
                            offsetof(SnapshotSegmentHeader, meta_offset)),
            0);
  EXPECT_EQ(m.mechanism_last_update_offset % 64, 0u);
  EXPECT_EQ(m.mechanism_incentives_offset, align_up(m.mechanism_last_update_offset + 2 * 4095 * 8, 64));
  EXPECT_EQ(mechanism_incentive_stride(m), 4096u * 2);  // 4095 * 2 rounded up to 8
  EXPECT_EQ(m.slot_size, align_up(m.mechanism_incentives_offset + 2 * 4096 * 2, 64));
  EXPECT_TRUE(validate_snapshot_header(m, m.segment_size).ok());
}

// A snapshot of three mechanisms copies exactly: counts, shares, flags, every column entry; the
// calls without a mechanism read mechanism 0, the rows' own fields.
TEST(ShmSnapshot, MechanismsCopyExactly) {
  SnapshotSegmentHeader geo = snapshot_geometry(2, 100, 8, 256, 1, 1, 3);
  RawSegment seg(test::unique_name("mech"), geo.segment_size);
  format_snapshot_segment(seg.data(), geo, 1);
  TestPublisher pub(seg.data(), geo, 100, 3);
  ShmResult<SnapshotReader> r = SnapshotReader::open(seg.name());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  for (std::uint64_t block : {20u, 21u, 22u}) {
    pub.publish(block);
    ASSERT_TRUE(r->copy(s).ok());
    EXPECT_EQ(test::check_snapshot(s, 100, 3), "");
  }
  EXPECT_EQ(s.mechanism_count(), 3u);
  EXPECT_FALSE(s.mechanism(3).exists());
  EXPECT_FALSE(s.mechanism(3).has_fields());
  EXPECT_EQ(s.incentive(1, 3), 0u);
  EXPECT_EQ(s.mechanism(0).incentives(), nullptr);  // mechanism 0 is the rows, not a column
  for (std::size_t uid = 0; uid < s.neuron_count(); ++uid) {
    EXPECT_EQ(s.incentive(uid), s.neuron(uid).incentive);
    EXPECT_EQ(s.last_update(uid), s.neuron(uid).last_update);
    EXPECT_EQ(s.incentive(uid, 1),
              test::expected_mechanism_incentive(22, 1, static_cast<std::uint32_t>(uid)));
    EXPECT_EQ(s.last_update(uid, 1),
              test::expected_mechanism_last_update(22, 1, static_cast<std::uint32_t>(uid)));
  }
  EXPECT_FALSE(s.mechanism(2).has_fields());
  EXPECT_EQ(s.mechanism(2).emission_share(), static_cast<std::uint16_t>(22 * 13 + 2));
  // A subnet whose mechanisms the daemon could not read: count 0, mechanism 0 still the rows.
  TestPublisher unknown(seg.data(), geo, 100, 0);
  unknown.publish(23);
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(test::check_snapshot(s, 100), "");
  EXPECT_EQ(s.mechanism_count(), 0u);
  EXPECT_TRUE(s.mechanism(0).exists() && s.mechanism(0).has_fields());
  EXPECT_FALSE(s.mechanism(0).has_emission_share());
  EXPECT_EQ(s.incentive(4), s.neuron(4).incentive);
  EXPECT_FALSE(s.mechanism(1).exists());
}

TEST(ShmSnapshot, OpenMissingSegmentIsNotFound) {
  ShmResult<SnapshotReader> r = SnapshotReader::open(test::unique_name("missing").c_str());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::not_found);
  EXPECT_NE(std::string(r.message()).find("no shared-memory segment"), std::string::npos);
}

TEST(ShmSnapshot, BadNamesAreRefused) {
  EXPECT_EQ(SnapshotReader::open("").code(), Errc::invalid_argument);
  EXPECT_EQ(SnapshotReader::open("a/b").code(), Errc::invalid_argument);
  EXPECT_EQ(SnapshotReader::open(nullptr).code(), Errc::invalid_argument);
}

TEST(ShmSnapshot, NothingPublishedYet) {
  Fixture f;
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  EXPECT_EQ(r->copy(s).code(), Errc::no_snapshot);
  EXPECT_EQ(r->block_number().code(), Errc::no_snapshot);
}

TEST(ShmSnapshot, CopyReturnsThePublishedSnapshot) {
  Fixture f;
  f.pub.publish(100);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 100u);
  EXPECT_EQ(s.generation(), 7u);
  EXPECT_EQ(test::check_snapshot(s, 256), "");
  EXPECT_EQ(s.neuron(5).uid, 5);
  EXPECT_EQ(s.neuron(5).stake, 100u * 1000003 + 5);
  // Newer snapshots replace it; the same Snapshot object is reused.
  f.pub.publish(101);
  f.pub.publish(102);
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 102u);
  EXPECT_EQ(test::check_snapshot(s, 256), "");
}

// is_newest: true for the copy of the current slot until anything is published, then false until
// copied again; a copy made by another reader, or never made, is not this reader's newest.
TEST(ShmSnapshot, IsNewestUntilTheNextPublish) {
  Fixture f;
  f.pub.publish(100);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s, never;
  EXPECT_FALSE(*r->is_newest(never));
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_TRUE(*r->is_newest(s));
  EXPECT_TRUE(*r->is_newest(s));
  // Two publishes bring the writer back to the slot `s` came from: its sequence tells them apart.
  f.pub.publish(101);
  EXPECT_FALSE(*r->is_newest(s));
  f.pub.publish(102);
  EXPECT_FALSE(*r->is_newest(s));
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 102u);
  EXPECT_TRUE(*r->is_newest(s));
  ShmResult<SnapshotReader> other = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other->is_newest(s));
  // A retired segment without a replacement is an error, as for copy().
  set_state(f.seg.data(), SegmentState::retired);
  EXPECT_EQ(r->is_newest(s).code(), Errc::retired);
}

TEST(ShmSnapshot, FindByHotkey) {
  Fixture f;
  f.pub.publish(50);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  for (std::uint32_t uid = 0; uid < s.neuron_count(); uid += 17) {
    NeuronRecord want = test::expected_neuron(50, uid);
    const NeuronRecord* got = s.find(want.hotkey);
    ASSERT_NE(got, nullptr) << uid;
    EXPECT_EQ(got->uid, uid);
  }
  std::uint8_t unknown[32] = {1, 2, 3};
  EXPECT_EQ(s.find(unknown), nullptr);

  ShmResult<NeuronRecord> byhk = r->neuron_by_hotkey(test::expected_neuron(50, 9).hotkey);
  ASSERT_TRUE(byhk.ok()) << byhk.message();
  EXPECT_EQ(byhk->uid, 9);
  EXPECT_EQ(byhk->stake, 50u * 1000003 + 9);
  EXPECT_EQ(r->neuron_by_hotkey(unknown).code(), Errc::no_such_neuron);
  EXPECT_EQ(r->neuron_by_hotkey(nullptr).code(), Errc::invalid_argument);
}

TEST(ShmSnapshot, NeuronByUid) {
  Fixture f;
  f.pub.publish(60);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  ShmResult<NeuronRecord> n = r->neuron_by_uid(3);
  ASSERT_TRUE(n.ok());
  NeuronRecord want = test::expected_neuron(60, 3);
  EXPECT_EQ(std::memcmp(&*n, &want, sizeof(want)), 0);
  std::uint32_t count = test::neuron_count_for(60, 256);
  EXPECT_EQ(r->neuron_by_uid(static_cast<std::uint16_t>(count)).code(), Errc::out_of_range);
}

TEST(ShmSnapshot, LiveViewIsValidUntilTheSlotIsReused) {
  Fixture f;  // two slots
  f.pub.publish(1);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  ShmResult<LiveView> v = r->view();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->block_number(), 1u);
  EXPECT_EQ(v->stake(4), 1u * 1000003 + 4);
  NeuronRecord out{};
  ASSERT_TRUE(v->find(test::expected_neuron(1, 8).hotkey, out));
  EXPECT_EQ(out.uid, 8);
  EXPECT_TRUE(v->valid());
  f.pub.publish(2);  // goes to the other slot: the view stays valid (double buffer)
  EXPECT_TRUE(v->valid());
  f.pub.publish(3);  // back to the view's slot: whatever was read must be discarded
  EXPECT_FALSE(v->valid());
}

TEST(ShmSnapshot, SingleSlotSeqlockInvalidatesOnEveryPublish) {
  Fixture f(128, 1);
  f.pub.publish(1);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  ShmResult<LiveView> v = r->view();
  ASSERT_TRUE(v.ok());
  f.pub.publish(2);
  EXPECT_FALSE(v->valid());
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 2u);
  EXPECT_EQ(test::check_snapshot(s, 128), "");
}

TEST(ShmSnapshot, FreshnessReportsBlockAgeAndHeartbeat) {
  Fixture f;
  f.pub.publish(77);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  ShmResult<Freshness> fr = r->freshness();
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(fr->block_number, 77u);
  EXPECT_GE(fr->block_age_ms, 0);
  EXPECT_LT(fr->block_age_ms, 60000);
  EXPECT_EQ(fr->generation, 7u);
  ShmResult<std::uint64_t> bn = r->block_number();
  ASSERT_TRUE(bn.ok());
  EXPECT_EQ(*bn, 77u);
}

TEST(ShmSnapshot, ReaderFollowsANewGeneration) {
  std::string name = test::unique_name("gen");
  auto first = std::make_unique<Fixture>(64, 2, 1001, name);
  first->pub.publish(10);

  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok());
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.generation(), 1001u);

  // The daemon restarts: the old segment is unlinked and retired, a bigger one takes the name.
  first->seg.unlink();
  Fixture second(128, 2, 1002, name);
  second.pub.publish(11);
  set_state(first->seg.data(), SegmentState::retired);

  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.generation(), 1002u);
  EXPECT_EQ(s.block_number(), 11u);
  EXPECT_EQ(r->reattach_count(), 1u);
  EXPECT_EQ(test::check_snapshot(s, 128), "");
}

// wait_for_block: a newer block at once, the timeout as a result, a waiter on another thread woken
// by the publish, and one that goes on waiting through a daemon restart (a new generation).
TEST(ShmSnapshot, WaitForBlockReturnsTheNextPublishedBlock) {
  Fixture f;
  f.pub.publish(5);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  ShmResult<std::uint64_t> b = r->wait_for_block(4, std::chrono::seconds(10));
  ASSERT_TRUE(b.ok()) << b.message();
  EXPECT_EQ(*b, 5u);
  b = r->wait_for_block(5, std::chrono::milliseconds(20));
  EXPECT_EQ(b.code(), Errc::timeout) << b.message();

  ShmResult<std::uint64_t> waited = make_shm_error(Errc::invalid_argument, "not run");
  std::thread waiter([&] { waited = r->wait_for_block(5, std::chrono::seconds(60)); });
  f.pub.publish(6);
  waiter.join();
  ASSERT_TRUE(waited.ok()) << waited.message();
  EXPECT_EQ(*waited, 6u);
}

TEST(ShmSnapshot, WaitForBlockFollowsANewGeneration) {
  std::string name = test::unique_name("waitgen");
  auto first = std::make_unique<Fixture>(64, 2, 2001, name);
  first->pub.publish(10);
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok());

  ShmResult<std::uint64_t> waited = make_shm_error(Errc::invalid_argument, "not run");
  std::thread waiter([&] { waited = r->wait_for_block(10, std::chrono::seconds(60)); });
  // The daemon stops (retires and unlinks its segment), then a new one publishes under the name.
  first->seg.unlink();
  set_state(first->seg.data(), SegmentState::retired);
  Fixture second(64, 2, 2002, name);
  second.pub.publish(11);
  waiter.join();
  ASSERT_TRUE(waited.ok()) << waited.message();
  EXPECT_EQ(*waited, 11u);
  EXPECT_EQ(r->generation(), 2002u);
}

TEST(ShmSnapshot, RetiredWithoutReplacementSaysSo) {
  Fixture f;
  f.pub.publish(5);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  f.seg.unlink();
  set_state(f.seg.data(), SegmentState::retired);
  Snapshot s;
  ShmStatus st = r->copy(s);
  EXPECT_EQ(st.code(), Errc::not_found) << st.message();
}

TEST(ShmSnapshot, OtherAbiVersionIsRefusedNamingBoth) {
  Fixture f;
  f.pub.publish(5);
  reinterpret_cast<SnapshotSegmentHeader*>(f.seg.data())->abi_version = kAbiVersion + 1;
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::abi_mismatch);
  std::string msg = r.message();
  EXPECT_NE(msg.find("ABI version " + std::to_string(kAbiVersion + 1)), std::string::npos) << msg;
  EXPECT_NE(msg.find("ABI version " + std::to_string(kAbiVersion)), std::string::npos) << msg;
}

// Version 2 added the mechanisms: a version-1 segment is refused by this client, and a version-1
// client (its check, with its own version) refuses this one, each naming both versions.
TEST(ShmSnapshot, Version1AndVersion2RefuseEachOther) {
  Fixture f;
  f.pub.publish(5);
  ASSERT_EQ(kAbiVersion, 2u);
  auto* h = reinterpret_cast<SnapshotSegmentHeader*>(f.seg.data());
  h->abi_version = 1;
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::abi_mismatch);
  EXPECT_NE(std::string(r.message())
                .find("snapshot segment has ABI version 1 but this client speaks ABI version 2"),
            std::string::npos)
      << r.message();
  h->abi_version = kAbiVersion;
  ASSERT_TRUE(SnapshotReader::open(f.seg.name()).ok());
  ShmStatus v1 = detail::check_identity(h->magic, kSnapshotMagic, "snapshot", h->abi_version, 1);
  EXPECT_EQ(v1.code(), Errc::abi_mismatch);
  EXPECT_NE(std::string(v1.message()).find("ABI version 2 but this client speaks ABI version 1"),
            std::string::npos)
      << v1.message();
}

TEST(ShmSnapshot, ReadOnlyMappingCannotBeWritten) {
  Fixture f;
  f.pub.publish(5);
  ShmResult<SnapshotReader> r = SnapshotReader::open(f.seg.name());
  ASSERT_TRUE(r.ok());
  // A write through the reader's mapping must fault: prove it in a child process.
  pid_t pid = ::fork();
  if (pid == 0) {
    ShmResult<Mapping> m = Mapping::open(f.seg.name(), false);
    if (!m) ::_exit(2);
    ::signal(SIGSEGV, SIG_DFL);  // die quietly, without a sanitizer's SEGV report
    m->data()[0] = 1;            // SIGSEGV expected
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  // Killed by SIGSEGV (or, under a sanitizer, its SEGV report and non-zero exit): never success.
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace pylon::shm

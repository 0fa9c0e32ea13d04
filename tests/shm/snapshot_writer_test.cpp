// Daemon-side snapshot writer: publish, refusal of bad data, regrowth into a new generation,
// restart, permissions.
#include "shm/snapshot_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "daemon_test_util.hpp"

namespace pylon::shm {
namespace {

std::unique_ptr<SnapshotWriter> make_writer(const std::string& name, std::uint32_t capacity = 256,
                                            std::optional<gid_t> group = std::nullopt) {
  SnapshotWriterConfig c;
  c.name = name;
  c.netuid = 7;
  c.neuron_capacity = capacity;
  c.commitment_capacity = 16;
  c.commitment_data_capacity = 4096;
  c.group = group;
  Result<std::unique_ptr<SnapshotWriter>> w = SnapshotWriter::create(c);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  return w.ok() ? std::move(w).value() : nullptr;
}

TEST(ShmWriter, DefaultNames) {
  EXPECT_EQ(default_segment_name(18), "pylon-18");
  EXPECT_EQ(queue_segment_name("pylon-18"), "pylon-18-weights");
}

TEST(ShmWriter, PublishedDataReadsBackExactly) {
  std::string name = test::unique_name("w");
  auto w = make_writer(name);
  ASSERT_TRUE(w);
  SnapshotData d = test::snapshot_data(324, 200);
  d.hyperparams.rho = 10;
  d.hyperparams.kappa = 32767;
  d.hyperparams.liquid_alpha_enabled = 1;
  d.hyperparams.commit_reveal_period = 3;
  ASSERT_TRUE(w->publish(d).ok());
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(test::check_snapshot(s, 200), "");  // byte-exact against the generator + checksum
  EXPECT_EQ(s.hyperparams().rho, 10);
  EXPECT_EQ(s.hyperparams().kappa, 32767);
  EXPECT_EQ(s.hyperparams().liquid_alpha_enabled, 1);
  EXPECT_EQ(s.hyperparams().commit_reveal_period, 3u);
  EXPECT_EQ(s.generation(), w->generation());
  EXPECT_EQ(r->geometry().netuid, 7);
  const NeuronRecord* n = s.find(d.neurons[42].hotkey);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->uid, 42);
  EXPECT_EQ(s.commitment(2).size, 6u);
  EXPECT_EQ(std::memcmp(s.commitment(2).hotkey, d.commitments[2].hotkey.data(), 32), 0);
}

// A subnet with three mechanisms: more than the writer's default room for two, so the segment
// regrows; every mechanism reads back exactly, and mechanism 0 is the rows as before.
TEST(ShmWriter, MechanismsReadBackExactly) {
  std::string name = test::unique_name("wmech");
  auto w = make_writer(name);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->geometry().mechanism_capacity, 2u);
  SnapshotData d = test::snapshot_data(325, 200);
  test::add_mechanisms(d);
  const std::uint64_t first_generation = w->generation();
  ASSERT_TRUE(w->publish(d).ok());
  EXPECT_NE(w->generation(), first_generation);
  EXPECT_EQ(w->geometry().mechanism_capacity, 4u);
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(test::check_snapshot(s, 200), "");
  const std::size_t n = s.neuron_count();
  ASSERT_EQ(s.mechanism_count(), 3u);
  MechanismView m0 = s.mechanism(0), m1 = s.mechanism(1), m2 = s.mechanism(2);
  EXPECT_TRUE(m0.exists() && m1.exists() && m2.exists());
  EXPECT_FALSE(s.mechanism(3).exists());
  EXPECT_EQ(m0.emission_share(), 30000);
  EXPECT_EQ(m1.emission_share(), 20000);
  EXPECT_EQ(m2.emission_share(), 15535);
  EXPECT_TRUE(m0.has_fields() && m1.has_fields());
  EXPECT_FALSE(m2.has_fields());
  EXPECT_EQ(m2.incentives(), nullptr);
  for (std::size_t uid = 0; uid < n; ++uid) {
    EXPECT_EQ(s.incentive(uid), s.neuron(uid).incentive);
    EXPECT_EQ(s.last_update(uid, 0), s.neuron(uid).last_update);
    const bool listed = uid + 1 < n;
    EXPECT_EQ(s.incentive(uid, 1), listed ? uid * 3 + 1 : 0u) << uid;
    EXPECT_EQ(s.last_update(uid, 1), listed ? 325 * 10 + uid : 0u) << uid;
    EXPECT_EQ(m1.incentives()[uid], s.incentive(uid, 1));
  }
  EXPECT_EQ(s.incentive(n, 1), 0u);  // beyond the neurons
  // A later snapshot with one mechanism (the runtime dropped them): count 1, no columns.
  SnapshotData one = test::snapshot_data(326, 200);
  ASSERT_TRUE(w->publish(one).ok());
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 326u);
  EXPECT_EQ(s.mechanism_count(), 1u);
  EXPECT_TRUE(s.mechanism(0).has_fields());
  EXPECT_FALSE(s.mechanism(0).has_emission_share());
  EXPECT_FALSE(s.mechanism(1).exists());
  EXPECT_EQ(s.incentive(5, 1), 0u);
}

TEST(ShmWriter, BadMechanismsAreRefusedAndChangeNothing) {
  std::string name = test::unique_name("wmechbad");
  auto w = make_writer(name);
  ASSERT_TRUE(w);
  SnapshotData good = test::snapshot_data(40, 50);
  test::add_mechanisms(good);
  ASSERT_TRUE(w->publish(good).ok());
  auto refused = [&](const char* why, auto&& spoil) {
    SnapshotData d = test::snapshot_data(41, 50);
    test::add_mechanisms(d);
    spoil(d);
    EXPECT_FALSE(w->publish(d).ok()) << why;
  };
  refused("column longer than the neurons",
          [](SnapshotData& d) { d.mechanisms[1].incentives.resize(60, 1); });
  refused("more described than counted", [](SnapshotData& d) { d.mechanism_count = 2; });
  refused("count beyond the ids", [](SnapshotData& d) { d.mechanism_count = kMaxMechanisms + 1; });
  refused("columns for mechanism 0", [](SnapshotData& d) { d.mechanisms[0].incentives = {1}; });
  refused("columns without fields", [](SnapshotData& d) { d.mechanisms[1].has_fields = false; });
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 40u);
  EXPECT_EQ(s.mechanism_count(), 3u);
  EXPECT_EQ(s.incentive(7, 1), 7 * 3 + 1);
}

// Callers hand the writer whole NeuronRecords; the bytes the layout reserves reach readers as zero
// whatever the caller left in them.
TEST(ShmWriter, ReservedNeuronBytesArePublishedAsZero) {
  std::string name = test::unique_name("wres");
  auto w = make_writer(name);
  ASSERT_TRUE(w);
  SnapshotData d = test::snapshot_data(12, 100);
  for (auto& n : d.neurons) std::memset(n.reserved, 0xa5, sizeof n.reserved);
  ASSERT_TRUE(w->publish(d).ok());
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok()) << r.message();
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(test::check_snapshot(s, 100), "");  // byte-exact against the generator's zeroed rows
}

TEST(ShmWriter, BadDataIsRefusedAndChangesNothing) {
  std::string name = test::unique_name("wbad");
  auto w = make_writer(name);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->publish(test::snapshot_data(10, 100)).ok());
  auto expect_refused = [&](SnapshotData d, const char* what) {
    Status st = w->publish(d);
    ASSERT_FALSE(st.ok()) << what;
    EXPECT_NE(st.error().message.find(what), std::string::npos) << st.error().message;
  };
  SnapshotData d = test::snapshot_data(11, 100);
  d.neurons[3].uid = 9;
  expect_refused(d, "ordered by uid");
  d = test::snapshot_data(11, 100);
  std::memcpy(d.neurons[4].hotkey, d.neurons[7].hotkey, 32);
  expect_refused(d, "share a hotkey");
  d = test::snapshot_data(11, 100);
  d.commitments[0].data.assign(kMaxCommitmentBytes + 1, 0);
  expect_refused(d, "more than");
  d = test::snapshot_data(11, 100);
  d.neurons[0].axon_ip_type = 5;
  expect_refused(d, "ip type");
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok());
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 10u);
  EXPECT_EQ(test::check_snapshot(s, 100), "");
}

TEST(ShmWriter, BiggerSubnetRegeneratesAndReadersFollow) {
  std::string name = test::unique_name("wgrow");
  auto w = make_writer(name, 64);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->publish(test::snapshot_data(1, 60)).ok());
  std::uint64_t gen1 = w->generation();
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok());
  Snapshot s;
  ASSERT_TRUE(r->copy(s).ok());
  ASSERT_TRUE(w->publish(test::snapshot_data(2, 300)).ok());  // 300 > 64: new, bigger generation
  EXPECT_GT(w->generation(), gen1);
  EXPECT_GE(w->geometry().neuron_capacity, 300u);
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.generation(), w->generation());
  EXPECT_EQ(r->reattach_count(), 1u);
  EXPECT_EQ(test::check_snapshot(s, 300), "");
}

TEST(ShmWriter, RestartedDaemonIsFollowedAndClosedOneIsReported) {
  std::string name = test::unique_name("wrestart");
  auto w1 = make_writer(name);
  ASSERT_TRUE(w1->publish(test::snapshot_data(5, 100)).ok());
  ShmResult<SnapshotReader> r = SnapshotReader::open(name.c_str());
  ASSERT_TRUE(r.ok());
  w1.reset();  // clean shutdown: retired and unlinked
  Snapshot s;
  EXPECT_EQ(r->copy(s).code(), Errc::not_found);
  auto w2 = make_writer(name);
  ASSERT_TRUE(w2->publish(test::snapshot_data(6, 100)).ok());
  ASSERT_TRUE(r->copy(s).ok());
  EXPECT_EQ(s.block_number(), 6u);
  EXPECT_EQ(s.generation(), w2->generation());
}

TEST(ShmWriter, SegmentIsOwnerOnlyUnlessAGroupIsLetIn) {
  std::string name = test::unique_name("wperm");
  {
    auto w = make_writer(name);
    struct stat st {};
    ASSERT_EQ(::stat(("/dev/shm/" + name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  {
    auto w = make_writer(name, 256, ::getegid());
    struct stat st {};
    ASSERT_EQ(::stat(("/dev/shm/" + name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(st.st_gid, ::getegid());
  }
}

TEST(ShmWriter, BadConfigIsRefused) {
  SnapshotWriterConfig c;
  c.name = "a/b";
  EXPECT_FALSE(SnapshotWriter::create(c).ok());
  c.name = test::unique_name("cfg");
  c.slots = 0;
  EXPECT_FALSE(SnapshotWriter::create(c).ok());
  c.slots = 2;
  c.neuron_capacity = 70000;
  EXPECT_FALSE(SnapshotWriter::create(c).ok());
}

}  // namespace
}  // namespace pylon::shm

// The follower's mechanisms through the daemon's side of the segment and back out of the client:
// to_snapshot_data, SnapshotWriter::publish, SnapshotReader::copy. The mechanisms are decoded from
// values Pylon's encoder built with the runtime's own types, as the follower's and codec's
// mechanism tests build them: the devnet runtime (spec 381: MechanismCountCurrent,
// MechanismEmissionSplit, get_selective_mechagraph) and the local one (spec 293, none of them).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "../codec/mechanism_answers.hpp"
#include "codec/metadata.hpp"
#include "codec/views/mechanisms.hpp"
#include "daemon_test_util.hpp"
#include "shm/from_snapshot.hpp"
#include "shm/snapshot_writer.hpp"

namespace pylon::shm {
namespace {

using pylon::test::load_shared_metadata;
using pylon::test::subtensor_value;

constexpr const char* kDevnet = pylon::test::kDevnetMetadata;
constexpr const char* kLocal = pylon::test::kLocalMetadata;
constexpr std::uint16_t kNetuid = 3;
constexpr std::size_t kNeurons = 4;

// get_selective_mechagraph's answer for kNetuid.
Bytes mechagraph_answer(const codec::Metadata& md, const std::string& incentives,
                        const std::string& last_update) {
  return pylon::test::mechagraph_answer(md, kNetuid, incentives, last_update);
}

// A subnet of kNeurons neurons at block 500: uid u's own (mechanism 0) incentive is 1000 + u and
// its last_update 400 + u.
follower::Snapshot subnet() {
  follower::Snapshot s;
  s.netuid = kNetuid;
  s.block = 500;
  for (std::uint16_t uid = 0; uid < kNeurons; ++uid) {
    codec::views::NeuronLite n;
    AccountId::Array key{};
    key.fill(static_cast<std::uint8_t>(uid + 1));
    n.hotkey = AccountId(key);
    n.uid = uid;
    n.netuid = kNetuid;
    n.incentive = static_cast<std::uint16_t>(1000 + uid);
    n.last_update = 400 + uid;
    s.neurons.push_back(n);
  }
  return s;
}

// Publishes `s` through the daemon's writer and copies it back with the client.
Snapshot round_trip(const follower::Snapshot& s, std::uint32_t* capacity = nullptr) {
  Snapshot out;
  auto d = to_snapshot_data(s);
  EXPECT_TRUE(d.ok()) << d.error().message;
  if (!d.ok()) return out;
  SnapshotWriterConfig c;
  c.name = test::unique_name("mechpub");
  c.netuid = kNetuid;
  c.neuron_capacity = 16;
  auto w = SnapshotWriter::create(c);
  EXPECT_TRUE(w.ok()) << w.error().message;
  if (!w.ok()) return out;
  EXPECT_TRUE((*w)->publish(*d).ok());
  if (capacity != nullptr) *capacity = (*w)->geometry().mechanism_capacity;
  ShmResult<SnapshotReader> r = SnapshotReader::open(c.name.c_str());
  EXPECT_TRUE(r.ok()) << r.message();
  if (r.ok()) {
    EXPECT_TRUE(r->copy(out).ok());
  }
  return out;
}

TEST(MechanismPublish, DevnetMechanismsReadBackExactly) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  follower::Snapshot s = subnet();
  auto mechanisms =
      codec::views::decode_mechanisms(*md, subtensor_value(*md, "MechanismCountCurrent", "2"),
                                      subtensor_value(*md, "MechanismEmissionSplit", "[40000, 25535]"));
  ASSERT_TRUE(mechanisms.ok()) << mechanisms.error().message;
  auto view = codec::views::MechagraphView::resolve(md);
  ASSERT_TRUE(view.ok() && view->has_value());
  // Mechanism 1's columns as the runtime answers them: its last_update one entry short (a uid
  // registered after its last epoch), which subtensor, and so the segment, reads as 0.
  auto columns =
      (*view)->decode(mechagraph_answer(*md, "[10, 65535, 0, 7]", "[90, 91, 92]"), kNetuid, 1, kNeurons);
  ASSERT_TRUE(columns.ok()) << columns.error().message;
  s.mechanisms = *mechanisms;
  s.mechanism_neurons.push_back(
      {1, mechanisms->emission_split[1], columns->incentives, columns->last_update});

  std::uint32_t capacity = 0;
  Snapshot r = round_trip(s, &capacity);
  EXPECT_EQ(capacity, 2u);
  ASSERT_EQ(r.block_number(), 500u);
  ASSERT_EQ(r.neuron_count(), kNeurons);
  ASSERT_EQ(r.mechanism_count(), 2u);
  EXPECT_EQ(r.mechanism(0).emission_share(), 40000);
  EXPECT_EQ(r.mechanism(1).emission_share(), 25535);
  EXPECT_TRUE(r.mechanism(1).has_fields());
  EXPECT_FALSE(r.mechanism(2).exists());
  const std::vector<std::uint16_t> incentives(r.mechanism(1).incentives(),
                                              r.mechanism(1).incentives() + kNeurons);
  const std::vector<std::uint64_t> last_update(r.mechanism(1).last_updates(),
                                               r.mechanism(1).last_updates() + kNeurons);
  EXPECT_EQ(incentives, (std::vector<std::uint16_t>{10, 65535, 0, 7}));
  EXPECT_EQ(last_update, (std::vector<std::uint64_t>{90, 91, 92, 0}));
  for (std::uint16_t uid = 0; uid < kNeurons; ++uid) {  // mechanism 0: the rows, as before
    EXPECT_EQ(r.incentive(uid), 1000 + uid);
    EXPECT_EQ(r.last_update(uid, 0), 400u + uid);
    EXPECT_EQ(r.neuron(uid).incentive, 1000 + uid);
  }
}

TEST(MechanismPublish, ACountWithoutFieldsSaysSo) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  follower::Snapshot s = subnet();
  // Count 3 and no split stored: the segment regrows to hold it; the fields were not read.
  auto mechanisms =
      codec::views::decode_mechanisms(*md, subtensor_value(*md, "MechanismCountCurrent", "3"), std::nullopt);
  ASSERT_TRUE(mechanisms.ok()) << mechanisms.error().message;
  s.mechanisms = *mechanisms;
  std::uint32_t capacity = 0;
  Snapshot r = round_trip(s, &capacity);
  EXPECT_EQ(capacity, 4u);
  ASSERT_EQ(r.mechanism_count(), 3u);
  for (std::uint32_t m = 1; m < 3; ++m) {
    EXPECT_TRUE(r.mechanism(m).exists());
    EXPECT_FALSE(r.mechanism(m).has_fields());
    EXPECT_FALSE(r.mechanism(m).has_emission_share());
    EXPECT_EQ(r.mechanism(m).incentives(), nullptr);
  }
  EXPECT_TRUE(r.mechanism(0).has_fields());
  EXPECT_EQ(r.incentive(2), 1002);
}

TEST(MechanismPublish, ALocalRuntimeWritesCountOneAndNoColumns) {
  PYLON_REQUIRE_SHARED(kLocal);
  auto md = load_shared_metadata(kLocal);
  ASSERT_TRUE(md);
  ASSERT_FALSE(codec::views::has_mechanisms(*md));
  auto mechanisms = codec::views::decode_mechanisms(*md, std::nullopt, std::nullopt);
  ASSERT_TRUE(mechanisms.ok()) << mechanisms.error().message;
  follower::Snapshot s = subnet();
  s.mechanisms = *mechanisms;
  auto d = to_snapshot_data(s);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->mechanism_count, 1u);
  ASSERT_EQ(d->mechanisms.size(), 1u);
  EXPECT_TRUE(d->mechanisms[0].incentives.empty());
  Snapshot r = round_trip(s);
  EXPECT_EQ(r.mechanism_count(), 1u);
  EXPECT_FALSE(r.mechanism(0).has_emission_share());
  EXPECT_FALSE(r.mechanism(1).exists());
  EXPECT_EQ(r.incentive(3), 1003);
}

TEST(MechanismPublish, UnreadMechanismsAreCountZeroAndInconsistentOnesRefused) {
  follower::Snapshot s = subnet();  // mechanisms nullopt: the node refused the read
  Snapshot r = round_trip(s);
  EXPECT_EQ(r.mechanism_count(), 0u);
  EXPECT_TRUE(r.mechanism(0).has_fields());
  EXPECT_EQ(r.last_update(1), 401u);
  EXPECT_FALSE(r.mechanism(1).exists());
  // Fields of a mechanism the count does not have: a follower bug, refused rather than dropped.
  s.mechanisms = codec::views::Mechanisms{2, {}};
  s.mechanism_neurons.push_back({2, std::nullopt, {1}, {2}});
  EXPECT_FALSE(to_snapshot_data(s).ok());
}

}  // namespace
}  // namespace pylon::shm

// GET /metagraph?mechanism=N: mechanism N's incentive and last_update, from the snapshot's own
// per-mechanism fields, in place of the subnet's (mechanism 0's) and every other field unchanged;
// ?mechanism=0 and no parameter are the same body. A mechanism the subnet does not have at the
// snapshot's block, or a parameter that is not an integer 0..255, is a 400 (as on the weights
// endpoints); a snapshot that could not read the mechanisms (or that one's fields) is a 503.
#include <memory>
#include <string>

#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

std::string minified(simdjson::dom::element e) {
  return simdjson::minify(e);
}

// The recorded snapshot with two mechanisms: mechanism 1 has its fields, its columns one entry
// short of the neurons (the last uid reads 0, as subtensor reads it).
std::shared_ptr<follower::Snapshot> with_two_mechanisms() {
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  s->mechanisms = codec::views::Mechanisms{2, {40000, 25535}};
  follower::MechanismNeurons one;
  one.mechanism = 1;
  one.emission_share = 25535;
  for (std::size_t uid = 0; uid + 1 < s->neurons.size(); ++uid) {
    one.incentives.push_back(static_cast<std::uint16_t>(uid * 61 + 1));
    one.last_update.push_back(6852000 + uid);
  }
  s->mechanism_neurons = {one};
  return s;
}

TEST(RestMetagraphMechanism, ServesTheMechanismsFieldsInPlaceOfTheSubnets) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false, /*publish=*/false);
  auto s = with_two_mechanisms();
  h.snapshots.publish(s);
  const HttpAnswer zero = h.get("/metagraph");
  ASSERT_EQ(zero.status, 200u) << zero.body;
  EXPECT_EQ(h.get("/metagraph?mechanism=0").body, zero.body);
  const HttpAnswer one = h.get("/metagraph?mechanism=1");
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(h.get("/metagraph/" + std::to_string(kRecordedBlock) + "?mechanism=1").body, one.body);
  Json j0(zero.body), j1(one.body);
  ASSERT_TRUE(j0.ok && j1.ok);
  EXPECT_EQ(minified(j0.root["block"]), minified(j1.root["block"]));
  EXPECT_EQ(minified(j0.root["block_hash"]), minified(j1.root["block_hash"]));
  const auto& cols = s->mechanism_neurons[0];
  std::size_t seen = 0, changed = 0;
  for (auto [hotkey, n1] : j1.root["neurons"].get_object()) {
    simdjson::dom::element n0 = j0.root["neurons"][hotkey];
    const std::uint64_t uid = n1["uid"].get_uint64();
    for (auto [field, v1] : n1.get_object()) {
      if (field == "incentive" || field == "last_update") continue;
      EXPECT_EQ(minified(v1), minified(n0[field])) << "uid " << uid << " " << field;
    }
    const bool listed = uid < cols.incentives.size();
    EXPECT_EQ(n1["incentive"].get_double().value(), listed ? cols.incentives[uid] / 65535.0 : 0.0) << uid;
    EXPECT_EQ(n1["last_update"].get_uint64().value(), listed ? cols.last_update[uid] : 0u) << uid;
    changed += minified(n1["last_update"]) != minified(n0["last_update"]);
    ++seen;
  }
  EXPECT_EQ(seen, s->neurons.size());
  EXPECT_GT(changed, seen / 2);  // the columns differ from the subnet's own
}

TEST(RestMetagraphMechanism, MechanismsTheSubnetLacksAndBadParametersAre400) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false, /*publish=*/false);
  h.snapshots.publish(with_two_mechanisms());
  for (const char* target : {"/metagraph?mechanism=2", "/metagraph?mechanism=255", "/metagraph?mechanism=256",
                             "/metagraph?mechanism=-1", "/metagraph?mechanism=x",
                             "/metagraph?mechanism=", "/metagraph/6852690?mechanism=2"}) {
    const HttpAnswer a = h.get(target);
    EXPECT_EQ(a.status, 400u) << target << " " << a.body;
    EXPECT_NE(a.body.find("mechanism"), std::string::npos) << target << " " << a.body;
  }
}

TEST(RestMetagraphMechanism, MechanismsNotReadAre503AndMechanism0IsServedAsEver) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false, /*publish=*/false);
  auto s = with_two_mechanisms();
  s->mechanism_neurons.clear();  // the count was read, the mechagraph call was refused
  s->mechanisms_unavailable = "get_selective_mechagraph at #6852690: refused";
  h.snapshots.publish(s);
  HttpAnswer a = h.get("/metagraph?mechanism=1");
  EXPECT_EQ(a.status, 503u) << a.body;
  EXPECT_NE(a.body.find("refused"), std::string::npos) << a.body;
  auto unread = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock + 1));
  unread->mechanisms.reset();
  unread->mechanisms_unavailable = "MechanismCountCurrent at #6852691: refused";
  h.snapshots.publish(unread);
  a = h.get("/metagraph?mechanism=1");
  EXPECT_EQ(a.status, 503u) << a.body;
  EXPECT_EQ(h.get("/metagraph?mechanism=0").status, 200u);
}

}  // namespace
}  // namespace pylon::rest::test

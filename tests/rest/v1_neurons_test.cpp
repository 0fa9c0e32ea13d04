// The /api/v1 neurons and validators (pylon-v1.md §2-3, §6.4) over HTTP on the recorded finney
// snapshot (netuid 1, 1024 neurons). The recording holds no get_subnet_state answer, so the tests
// give the snapshot test-made stakes (the local chain pins the real ones: v1_localnet_test.cpp)
// and check: the Neuron object field by field against the legacy /metagraph neuron, uid order,
// validators by total stake with ties in uid order, both prefixes, {block} from the kept
// snapshots, the contract's 404, the 503 without stakes, and the recent rules.
#include <algorithm>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kOpenPrefix = "/api/v1/subnet/1";
const std::string kIdPrefix = "/api/v1/identity/sn1/subnet/1";

// Test-made stakes: total in whole TAO falls to uid % 7 (so many validators tie), alpha and tao
// split it unevenly with fractions that must survive the rao/1e9 conversion.
follower::NeuronStakes stakes_of(std::uint16_t uid) {
  const std::uint64_t total = static_cast<std::uint64_t>(uid % 7) * 1'000'000'000ull + 123'456'789ull;
  const std::uint64_t tao = total / 3;
  return {total - tao, tao, total};
}

std::shared_ptr<follower::Snapshot> with_stakes(std::uint64_t block) {
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), block));
  s->stakes.emplace();
  for (const auto& n : s->neurons) s->stakes->push_back(stakes_of(n.uid));
  s->stakes_unavailable.clear();
  return s;
}

std::string block_json(const follower::Snapshot& s) {
  return "{\"number\":" + std::to_string(s.block) + ",\"hash\":\"" + to_hex(s.block_hash) + "\"}";
}

std::string text_of(simdjson::dom::element e) {
  return std::string(simdjson::minify(e));
}

double f(simdjson::dom::element e) {
  return e.get_double().value_unsafe();
}

TEST(RestV1Neurons, ASnapshotBuiltWithoutTheSubnetStateIsWholeButHasNoStakes) {
  PYLON_REST_REQUIRE_SHARED();
  // recorded() is built with the default options, stakes included: the replay node answers
  // get_subnet_state with an error (not recorded), and the snapshot is still built and whole.
  ASSERT_NE(recorded(), nullptr);
  EXPECT_EQ(recorded()->neurons.size(), 1024u);
  EXPECT_FALSE(recorded()->stakes.has_value());
  EXPECT_NE(recorded()->stakes_unavailable.find("SubnetInfoRuntimeApi_get_subnet_state"), std::string::npos)
      << recorded()->stakes_unavailable;
}

TEST(RestV1Neurons, NeuronsAreTheLegacyNeuronsWithStakesInUidOrder) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), false, false);
  auto s = with_stakes(kRecordedBlock);
  h.snapshots.publish(s);
  auto legacy = h.get("/metagraph");
  ASSERT_EQ(legacy.status, 200u);
  Json lj(legacy.body);
  ASSERT_TRUE(lj.ok);
  for (const std::string& prefix : {kOpenPrefix, kIdPrefix}) {
    SCOPED_TRACE(prefix);
    const std::string& auth = prefix == kIdPrefix ? kSn1Auth : kOpenAuth;
    auto a = h.get(prefix + "/block/latest/neurons", auth);
    ASSERT_EQ(a.status, 200u) << a.body.substr(0, 300);
    EXPECT_EQ(a.content_type, "application/json");
    Json j(a.body);
    ASSERT_TRUE(j.ok);
    EXPECT_EQ(text_of(j.root["block"]), block_json(*s));
    simdjson::dom::object neurons;
    ASSERT_FALSE(j.root["neurons"].get(neurons));
    std::size_t i = 0;
    for (auto [hotkey, n] : neurons) {
      const auto& want = s->neurons.at(i);
      ASSERT_EQ(hotkey, codec::ss58_encode(want.hotkey)) << "not in uid order at " << i;
      EXPECT_EQ(std::uint64_t(n["uid"]), want.uid);
      // Every field of the legacy neuron, with the same value...
      simdjson::dom::object legacy_n = lj.root["neurons"][hotkey];
      std::size_t fields = 0;
      for (auto [k, v] : legacy_n) {
        EXPECT_EQ(text_of(n[k]), text_of(v)) << hotkey << "." << k;
        ++fields;
      }
      // ...and the stakes, rao/1e9.
      const auto st = stakes_of(want.uid);
      EXPECT_EQ(f(n["stakes"]["alpha"]), static_cast<double>(st.alpha) / 1e9);
      EXPECT_EQ(f(n["stakes"]["tao"]), static_cast<double>(st.tao) / 1e9);
      EXPECT_EQ(f(n["stakes"]["total"]), static_cast<double>(st.total) / 1e9);
      EXPECT_EQ(simdjson::dom::object(n).size(), fields + 1);
      ++i;
    }
    EXPECT_EQ(i, s->neurons.size());
  }
  // The contract's Neuron fields, each present (the 2.x client requires every one).
  Json j(h.get(kOpenPrefix + "/block/latest/neurons", kOpenAuth).body);
  simdjson::dom::object first = j.root["neurons"][codec::ss58_encode(s->neurons.at(0).hotkey)];
  for (const char* k : {"uid", "coldkey", "hotkey", "active", "validator_permit", "axon_info", "stake",
                        "emission", "rank", "incentive", "consensus", "trust", "validator_trust", "dividends",
                        "last_update", "pruning_score", "stakes"})
    EXPECT_FALSE(first[k].error()) << k;
  EXPECT_EQ(text_of(first["stakes"]), "{\"alpha\":0.082304526,\"tao\":0.041152263,\"total\":0.123456789}");
  // The legacy /metagraph is byte-identical with or without stakes in the snapshot.
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 1));
  auto without = h.get("/metagraph");
  h.snapshots.publish(with_stakes(kRecordedBlock + 1));
  EXPECT_EQ(h.get("/metagraph").body, without.body);
}

TEST(RestV1Neurons, ValidatorsArePermittedNeuronsByTotalStakeTiesInUidOrder) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), false, false);
  auto s = with_stakes(kRecordedBlock);
  h.snapshots.publish(s);
  std::vector<std::uint16_t> want;
  for (const auto& n : s->neurons)
    if (n.validator_permit) want.push_back(n.uid);
  ASSERT_GT(want.size(), 7u);  // finney's subnet 1 has its 64 permits: ties are certain
  std::stable_sort(want.begin(), want.end(),
                   [](std::uint16_t a, std::uint16_t b) { return stakes_of(a).total > stakes_of(b).total; });
  auto neurons = h.get(kOpenPrefix + "/block/latest/neurons", kOpenAuth);
  Json nj(neurons.body);
  ASSERT_TRUE(nj.ok);
  std::string body;
  for (const std::string& prefix : {kOpenPrefix, kIdPrefix}) {
    SCOPED_TRACE(prefix);
    auto a = h.get(prefix + "/block/latest/validators", prefix == kIdPrefix ? kSn1Auth : kOpenAuth);
    ASSERT_EQ(a.status, 200u) << a.body.substr(0, 300);
    Json j(a.body);
    ASSERT_TRUE(j.ok);
    EXPECT_EQ(text_of(j.root["block"]), block_json(*s));
    simdjson::dom::array list;
    ASSERT_FALSE(j.root["validators"].get(list));
    std::vector<std::uint16_t> got;
    for (auto v : list) {
      got.push_back(static_cast<std::uint16_t>(std::uint64_t(v["uid"])));
      // Each is the same Neuron object the neurons map holds.
      EXPECT_EQ(text_of(v), text_of(nj.root["neurons"][std::string_view(v["hotkey"])]));
    }
    EXPECT_EQ(got, want);
    if (body.empty()) body = a.body;
    EXPECT_EQ(a.body, body);  // the same bytes under either prefix
  }
}

TEST(RestV1Neurons, AtABlockFromTheKeptSnapshotsElseTheContracts404) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), false, false);
  auto older = with_stakes(kRecordedBlock);
  auto newer = with_stakes(kRecordedBlock + 1);
  h.snapshots.publish(older);
  h.snapshots.publish(newer);
  for (const std::string& prefix : {kOpenPrefix, kIdPrefix}) {
    SCOPED_TRACE(prefix);
    const std::string& auth = prefix == kIdPrefix ? kSn1Auth : kOpenAuth;
    for (const char* what : {"neurons", "validators"}) {
      auto at = h.get(prefix + "/block/" + std::to_string(kRecordedBlock) + "/" + what, auth);
      ASSERT_EQ(at.status, 200u) << at.body.substr(0, 300);
      Json j(at.body);
      EXPECT_EQ(text_of(j.root["block"]), block_json(*older));
      auto latest = h.get(prefix + "/block/latest/" + what, auth);
      EXPECT_EQ(text_of(Json(latest.body).root["block"]), block_json(*newer));
      // Past the head: the contract's 404.
      const std::uint64_t past = kRecordedBlock + 2;
      auto none = h.get(prefix + "/block/" + std::to_string(past) + "/" + what, auth);
      EXPECT_EQ(none.status, 404u);
      EXPECT_EQ(none.body, v1_error(404, "Block " + std::to_string(past) + " not found."));
      // Not kept: read from the node, which here (the replay node knows one block) fails: 502 in
      // the v1 shape.
      auto failed = h.get(prefix + "/block/" + std::to_string(kRecordedBlock - 5) + "/" + what, auth);
      EXPECT_EQ(failed.status, 502u);
      EXPECT_TRUE(failed.body.starts_with("{\"status_code\":502,\"detail\":\"reading block 6852685: "))
          << failed.body;
      // Not an integer: no route.
      EXPECT_EQ(h.get(prefix + "/block/1.5/" + what, auth).body, v1_error(404, "Not Found"));
    }
  }
}

TEST(RestV1Neurons, WithoutStakesTheAnswerIs503SayingWhy) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), false, false);
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  s->stakes.reset();
  s->stakes_unavailable = "the runtime at #6852690 has no SubnetInfoRuntimeApi_get_subnet_state";
  h.snapshots.publish(s);
  const std::string why =
      v1_error(503,
               "Neuron stakes are not known at block 6852690: the runtime at #6852690 has no "
               "SubnetInfoRuntimeApi_get_subnet_state");
  for (const char* path : {"/block/latest/neurons", "/block/latest/validators", "/block/6852690/neurons",
                           "/block/6852690/validators"}) {
    auto a = h.get(kOpenPrefix + path, kOpenAuth);
    EXPECT_EQ(a.status, 503u) << path;
    EXPECT_EQ(a.body, why) << path;
  }
  // The legacy surface does not need them.
  EXPECT_EQ(h.get("/metagraph").status, 200u);
  // Another subnet is read from the chain on request; the recording has nothing of subnet 2.
  EXPECT_EQ(h.get("/api/v1/subnet/2/block/latest/neurons", kOpenAuth).status, 502u);
}

TEST(RestV1Neurons, RecentServesTheLatestSnapshotUntilItIsPastTheHardLimit) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o = v1_options();
  o.v1.recent_soft_limit_blocks = 100;
  o.v1.recent_hard_limit_blocks = 150;
  o.v1.block_duration_seconds = 12;
  const std::string missing = v1_error(
      503,
      "Recent neurons data is not available. Cache update may not have finished yet or subnet may not be "
      "configured for caching recent objects.");
  const std::string stale = v1_error(503, "Recent neurons data is stale. Cache update may be failing.");
  Harness h(o, false, false);
  // Nothing yet.
  EXPECT_EQ(h.get(kOpenPrefix + "/block/recent/neurons", kOpenAuth).body, missing);
  // A snapshot without stakes holds no neuron data the contract can serve.
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock));
  EXPECT_EQ(h.get(kOpenPrefix + "/block/recent/neurons", kOpenAuth).body, missing);
  // Fresh, then past the soft limit (still served), then past the hard one. Ages are set on the
  // snapshot (built_at), not waited for.
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [age_blocks, served] :
       std::vector<std::pair<int, bool>>{{0, true}, {120, true}, {151, false}}) {
    SCOPED_TRACE(age_blocks);
    auto s = with_stakes(kRecordedBlock + 1 + static_cast<std::uint64_t>(age_blocks));
    s->built_at = now - std::chrono::seconds(12 * age_blocks + 1);
    h.snapshots.publish(s);
    const std::string latest = h.get(kOpenPrefix + "/block/latest/neurons", kOpenAuth).body;
    for (const std::string& prefix : {kOpenPrefix, kIdPrefix}) {
      auto a = h.get(prefix + "/block/recent/neurons", prefix == kIdPrefix ? kSn1Auth : kOpenAuth);
      EXPECT_EQ(a.status, served ? 200u : 503u) << prefix;
      EXPECT_EQ(a.body, served ? latest : stale) << prefix;
    }
  }
  // A subnet this Pylon does not follow is a subnet it does not cache.
  EXPECT_EQ(h.get("/api/v1/subnet/2/block/recent/neurons", kOpenAuth).body, missing);
}

}  // namespace
}  // namespace pylon::rest::test

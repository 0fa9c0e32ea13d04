// Real mainnet data through the whole client: the recorded finney block 6852690 (netuid 1, 1024
// neurons, spec 343) replayed over a loopback WebSocket, read by ChainClient + build_snapshot and
// by the Follower, must give exactly what polkadot-js decoded from the same bytes (the golden).
#include <simdjson.h>

#include "codec/ss58.hpp"
#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

std::string u128_text(codec::u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}

// A golden integer as decimal text (numbers above 2^53 are strings there).
std::string golden_int(simdjson::dom::element e) {
  std::uint64_t u;
  if (!e.get_uint64().get(u)) return std::to_string(u);
  std::string_view s;
  if (!e.get_string().get(s)) return std::string(s);
  return "<not an integer: " + simdjson::minify(e) + ">";
}

// Every field of one neuron against the golden; returns the first difference ("" when equal).
std::string diff(const codec::views::NeuronLite& n, simdjson::dom::element g) {
  auto str = [&](std::string_view key) { return std::string(g[key].get_string().value_unsafe()); };
  auto num = [&](simdjson::dom::element e) { return golden_int(e); };
  auto check = [](std::string what, const std::string& got, const std::string& want) -> std::string {
    return got == want ? "" : what + ": got " + got + ", golden " + want;
  };
  std::vector<std::string> d;
  d.push_back(check("hotkey", codec::ss58_encode(n.hotkey), str("hotkey")));
  d.push_back(check("coldkey", codec::ss58_encode(n.coldkey), str("coldkey")));
  d.push_back(check("uid", std::to_string(n.uid), num(g["uid"])));
  d.push_back(check("netuid", std::to_string(n.netuid), num(g["netuid"])));
  d.push_back(check("active", n.active ? "true" : "false", simdjson::minify(g["active"])));
  // The fields axon_info and prometheus_info share; the axon alone has a protocol.
  auto served = [&](const std::string& what, const auto& info, simdjson::dom::element j) {
    d.push_back(check(what + ".block", std::to_string(info.block), num(j["block"])));
    d.push_back(check(what + ".version", std::to_string(info.version), num(j["version"])));
    d.push_back(check(what + ".ip", u128_text(info.ip), num(j["ip"])));
    d.push_back(check(what + ".port", std::to_string(info.port), num(j["port"])));
    d.push_back(check(what + ".ip_type", std::to_string(info.ip_type), num(j["ip_type"])));
  };
  served("axon", n.axon, g["axon_info"]);
  d.push_back(check("axon.protocol", std::to_string(n.axon.protocol), num(g["axon_info"]["protocol"])));
  served("prometheus", n.prometheus, g["prometheus_info"]);
  simdjson::dom::array stake = g["stake"].get_array().value_unsafe();
  d.push_back(check("stake entries", std::to_string(n.stake.size()), std::to_string(stake.size())));
  if (stake.size() == n.stake.size()) {
    std::size_t i = 0;
    for (auto e : stake) {
      const auto& s = n.stake[i];
      d.push_back(check("stake[" + std::to_string(i) + "].coldkey", codec::ss58_encode(s.coldkey),
                        std::string(e.at(0).get_string().value_unsafe())));
      d.push_back(check("stake[" + std::to_string(i) + "].amount", std::to_string(s.amount),
                        num(e.at(1).value_unsafe())));
      ++i;
    }
  }
  d.push_back(check("rank", std::to_string(n.rank), num(g["rank"])));
  d.push_back(check("emission", std::to_string(n.emission), num(g["emission"])));
  d.push_back(check("incentive", std::to_string(n.incentive), num(g["incentive"])));
  d.push_back(check("consensus", std::to_string(n.consensus), num(g["consensus"])));
  d.push_back(check("trust", std::to_string(n.trust), num(g["trust"])));
  d.push_back(check("validator_trust", std::to_string(n.validator_trust), num(g["validator_trust"])));
  d.push_back(check("dividends", std::to_string(n.dividends), num(g["dividends"])));
  d.push_back(check("last_update", std::to_string(n.last_update), num(g["last_update"])));
  d.push_back(check("validator_permit", n.validator_permit ? "true" : "false",
                    simdjson::minify(g["validator_permit"])));
  d.push_back(check("pruning_score", std::to_string(n.pruning_score), num(g["pruning_score"])));
  for (auto& s : d)
    if (!s.empty()) return s;
  return "";
}

void expect_golden_neurons(const follower::Snapshot& s) {
  simdjson::dom::parser p;
  simdjson::dom::element golden;
  const std::string path =
      shared_dir() + "/chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json";
  ASSERT_EQ(p.load(path).get(golden), simdjson::SUCCESS) << path;
  simdjson::dom::array decoded = golden["decoded"].get_array().value_unsafe();
  ASSERT_EQ(decoded.size(), 1024u);
  ASSERT_EQ(s.neurons.size(), decoded.size());
  std::size_t i = 0, checked_stake = 0;
  for (auto g : decoded) {
    const std::string d = diff(s.neurons[i], g);
    ASSERT_EQ(d, "") << "neuron " << i;
    checked_stake += s.neurons[i].stake.size();
    ++i;
  }
  EXPECT_GT(checked_stake, 0u);
}

TEST(ReplaySnapshot, RecordedMetagraphDecodesLikePolkadotJs) {
  PYLON_REPLAY_REQUIRE_SHARED();
  ReplayedNode node;
  ASSERT_TRUE(node.up());
  ClientStack& c = *node.stack;
  auto s = build_recorded(c);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->spec_version, 343u);
  EXPECT_EQ(s->block, 6852690u);
  EXPECT_EQ(s->netuid, 1);
  EXPECT_EQ(chain::hash_hex(s->block_hash), node.server->recorded_hash());
  EXPECT_FALSE(s->hyperparams.has_value());
  EXPECT_FALSE(s->commitments.has_value());
  EXPECT_EQ(s->timestamp_ms, 0u);
  EXPECT_TRUE(contains(s->unavailable_reason, "hyperparameters")) << s->unavailable_reason;
  EXPECT_TRUE(contains(s->unavailable_reason, "commitments")) << s->unavailable_reason;
  EXPECT_TRUE(contains(s->unavailable_reason, "timestamp")) << s->unavailable_reason;
  expect_golden_neurons(*s);
  ASSERT_NE(s->neuron_by_uid(1023), nullptr);
  EXPECT_EQ(s->neuron_by_hotkey(s->neurons[5].hotkey), &s->neurons[5]);
}

TEST(ReplaySnapshot, AskingForWhatWasNotRecordedFailsInsteadOfInventing) {
  PYLON_REPLAY_REQUIRE_SHARED();
  ReplayedNode node;
  ASSERT_TRUE(node.up());
  ClientStack& c = *node.stack;
  // The recording holds no hyperparameters call for this block: a real error, no snapshot.
  follower::BuildOptions with_hyperparams = neurons_only();
  with_hyperparams.hyperparams = true;
  auto s = build_recorded(c, 1, with_hyperparams);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.error().message, "state_call")) << s.error().message;
  // Another subnet was not recorded either.
  auto other = build_recorded(c, 2);
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(contains(other.error().message, "NeuronInfoRuntimeApi_get_neurons_lite"))
      << other.error().message;
}

TEST(ReplayFollower, PublishesTheRecordedBlockEndToEnd) {
  PYLON_REPLAY_REQUIRE_SHARED();
  FollowerRig rig;
  follower::SnapshotPtr s = rig.first();
  ASSERT_TRUE(s) << rig.store.staleness().reason;
  EXPECT_EQ(s->block, 6852690u);
  EXPECT_EQ(s->spec_version, 343u);
  EXPECT_FALSE(rig.store.staleness().stale);
  expect_golden_neurons(*s);
  EXPECT_EQ(rig.store.at_block(6852690), s);
}

}  // namespace
}  // namespace pylon::replay

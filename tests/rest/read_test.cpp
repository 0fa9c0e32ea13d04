// The read endpoints against the recorded finney snapshot (1024 neurons at block 6852690).
#include <cmath>

#include "codec/ss58.hpp"
#include "common/utf8.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) ? "<not a string>" : std::string(s);
}
double num(simdjson::dom::element e) {
  double d = NAN;
  if (e.is_double()) return e.get_double().value_unsafe();
  if (e.is_uint64()) return static_cast<double>(e.get_uint64().value_unsafe());
  if (e.is_int64()) return static_cast<double>(e.get_int64().value_unsafe());
  return d;
}

// GETs each target and checks the status listed beside it.
void expect_statuses(Harness& h, std::initializer_list<std::pair<std::string, unsigned>> table) {
  for (const auto& [target, status] : table) EXPECT_EQ(h.get(target).status, status) << target;
}

TEST(RestRead, HealthIsLoadingBeforeTheFirstSnapshotAndOkAfter) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false, /*publish=*/false);
  auto a = h.get("/health");
  EXPECT_EQ(a.status, 503u);
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(str(j.root["status"]), "loading");
  EXPECT_EQ(str(j.root["error"]), "not_ready");
  expect_statuses(h, {{"/latest_block", 503}, {"/metagraph", 503}, {"/live", 200}});

  h.snapshots.publish(at_block(*recorded(), kRecordedBlock));
  a = h.get("/health");
  EXPECT_EQ(a.status, 200u) << a.body;
  Json ok(a.body);
  EXPECT_EQ(str(ok.root["status"]), "ok");
  EXPECT_EQ(num(ok.root["block"]), kRecordedBlock);
}

TEST(RestRead, HealthIsStaleWhenTheSnapshotIsOld) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.fresh_within = std::chrono::seconds(30);
  Harness h(o, false, false);
  // A snapshot built a minute ago, as one left by a follower that cannot read newer blocks.
  auto old = std::make_shared<follower::Snapshot>(*recorded());
  old->built_at = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  h.snapshots.publish(std::move(old));
  h.snapshots.mark_stale("node unreachable");
  auto a = h.get("/health");
  EXPECT_EQ(a.status, 503u);
  Json j(a.body);
  EXPECT_EQ(str(j.root["status"]), "stale");
  EXPECT_EQ(str(j.root["stale_reason"]), "node unreachable");
  EXPECT_EQ(h.get("/live").status, 200u);
}

TEST(RestRead, LatestBlock) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/latest_block");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"block\":6852690}");
  EXPECT_EQ(a.content_type, "application/json");
}

TEST(RestRead, MetagraphHasEveryNeuronInTheContractShape) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/metagraph");
  ASSERT_EQ(a.status, 200u);
  EXPECT_GT(a.body.size(), 400'000u);  // about 458 KB for 1024 neurons
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  const auto& snap = *recorded();
  EXPECT_EQ(num(j.root["block"]), kRecordedBlock);
  EXPECT_EQ(str(j.root["block_hash"]), chain::hash_hex(snap.block_hash));
  simdjson::dom::object neurons;
  ASSERT_FALSE(j.root["neurons"].get(neurons));
  EXPECT_EQ(neurons.size(), 1024u);
  // Every neuron against the decoded snapshot, with the contract's units.
  for (const auto& n : snap.neurons) {
    const std::string hk = codec::ss58_encode(n.hotkey);
    simdjson::dom::element e;
    ASSERT_FALSE(neurons[hk].get(e)) << hk;
    ASSERT_EQ(num(e["uid"]), n.uid);
    ASSERT_EQ(str(e["hotkey"]), hk);
    ASSERT_EQ(str(e["coldkey"]), codec::ss58_encode(n.coldkey));
    ASSERT_DOUBLE_EQ(num(e["stake"]), static_cast<double>(n.total_stake()) / 1e9);
    ASSERT_DOUBLE_EQ(num(e["emission"]), static_cast<double>(n.emission) / 1e9);
    ASSERT_DOUBLE_EQ(num(e["rank"]), n.rank / 65535.0);
    ASSERT_DOUBLE_EQ(num(e["incentive"]), n.incentive / 65535.0);
    ASSERT_DOUBLE_EQ(num(e["consensus"]), n.consensus / 65535.0);
    ASSERT_DOUBLE_EQ(num(e["trust"]), n.trust / 65535.0);
    ASSERT_DOUBLE_EQ(num(e["validator_trust"]), n.validator_trust / 65535.0);
    ASSERT_DOUBLE_EQ(num(e["dividends"]), n.dividends / 65535.0);
    ASSERT_EQ(num(e["last_update"]), n.last_update);
    ASSERT_EQ(num(e["pruning_score"]), n.pruning_score);
    ASSERT_EQ(e["validator_permit"].get_bool().value_unsafe(), n.validator_permit);
    ASSERT_EQ(e["active"].get_bool().value_unsafe(), n.active);
    ASSERT_EQ(num(e["axon_info"]["port"]), n.axon.port);
    const auto ip = static_cast<std::uint32_t>(n.axon.ip);
    if (n.axon.ip_type == 4) {
      ASSERT_EQ(str(e["axon_info"]["ip"]), std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) +
                                               "." + std::to_string((ip >> 8) & 255) + "." +
                                               std::to_string(ip & 255));
    }
  }
  // The same bytes every time (rendered once per snapshot).
  EXPECT_EQ(h.get("/metagraph").body, a.body);
  EXPECT_EQ(h.get("/metagraph/6852690").body, a.body);
}

TEST(RestRead, MetagraphAtABlockNotKeptIsReadFromTheChain) {
  PYLON_REST_REQUIRE_SHARED();
  auto& node = replay_node();
  Harness h({}, false, false);
  // The follower moved on: the next block is the latest and the store keeps only... it. The
  // recorded block must then come from the chain (the replay node answers it from the recording).
  follower::SnapshotStore& store = h.snapshots;
  for (std::uint64_t b = kRecordedBlock + 1; b <= kRecordedBlock + 5; ++b)
    store.publish(at_block(*recorded(), b));
  ASSERT_EQ(store.at_block(kRecordedBlock), nullptr);
  const auto before = node.server->answered();
  auto a = h.get("/metagraph/6852690");
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_GT(node.server->answered(), before);  // it did ask the node
  Json j(a.body);
  EXPECT_EQ(num(j.root["block"]), kRecordedBlock);
  EXPECT_EQ(str(j.root["block_hash"]), node.server->recorded_hash());
  simdjson::dom::object neurons;
  ASSERT_FALSE(j.root["neurons"].get(neurons));
  EXPECT_EQ(neurons.size(), 1024u);
  // Asked again: from the cache, the node is not asked.
  const auto after = node.server->answered();
  EXPECT_EQ(h.get("/metagraph/6852690").status, 200u);
  EXPECT_EQ(node.server->answered(), after);
  // A block the node has no record of: the node's refusal is a 502 in the error shape.
  auto bad = h.get("/metagraph/6852600");
  EXPECT_EQ(bad.status, 502u) << bad.body;
  Json e(bad.body);
  EXPECT_EQ(str(e.root["error"]), "chain_error");
  expect_statuses(h, {{"/metagraph/6852696", 404},  // past the latest block
                      {"/metagraph/abc", 400},
                      {"/metagraph/-1", 400},
                      {"/metagraph/99999999999999999999", 400}});
}

TEST(RestRead, BlockHash) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/block_hash/6852690");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"block_hash\":\"" + replay_node().server->recorded_hash() + "\"}");
  expect_statuses(h, {{"/block_hash/6852691", 404}, {"/block_hash/x1", 400}, {"/block_hash/", 404}});
}

TEST(RestRead, EpochByTheFormula) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  // netuid 1, tempo 360: next = b + 360 - (b + 2) % 361 = 6852860 for b = 6852690.
  auto a = h.get("/epoch");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"epoch_start\":6852499,\"epoch_end\":6852860}");
  EXPECT_EQ(h.get("/epoch/6852860").body, "{\"epoch_start\":6852860,\"epoch_end\":6853221}");
  EXPECT_EQ(h.get("/epoch/6852859").body, "{\"epoch_start\":6852499,\"epoch_end\":6852860}");
  EXPECT_EQ(h.get("/epoch/zz").status, 400u);
}

TEST(RestRead, EpochFromTheInjectedRule) {
  PYLON_REST_REQUIRE_SHARED();
  follower::SnapshotStore snapshots;
  snapshots.publish(at_block(*recorded(), kRecordedBlock));
  RestDeps deps(snapshots, kNetuid);
  int calls = 0;
  BlockHash seen{};
  deps.epoch_at = [&](const chain::BlockRef& at) -> Result<EpochAnswer> {
    ++calls;
    seen = at.hash;
    return EpochAnswer{at.number - 7, at.number + 3};
  };
  auto s = Server::start(loopback_options(), std::move(deps));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(http((*s)->port(), "GET", "/epoch").body, "{\"epoch_start\":6852683,\"epoch_end\":6852693}");
  EXPECT_EQ(http((*s)->port(), "GET", "/epoch").status, 200u);
  EXPECT_EQ(calls, 1);  // cached per block
  EXPECT_EQ(seen, recorded()->block_hash);
}

TEST(RestRead, Hyperparams) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/hyperparams");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"tempo\":360,\"max_weights_limit\":65535,\"commit_reveal_weights_enabled\":false}");

  auto bare = std::make_shared<follower::Snapshot>(*recorded());
  bare->hyperparams.reset();
  bare->unavailable_reason = "hyperparams not read";
  bare->block += 1;
  h.snapshots.publish(bare);
  a = h.get("/hyperparams");
  EXPECT_EQ(a.status, 503u);
  EXPECT_NE(a.body.find("hyperparams not read"), std::string::npos) << a.body;
}

// Strings decoded from SCALE (hyperparameter names from the metadata, reasons quoting chain
// errors) reach the JSON as they came; every body Pylon writes is valid UTF-8 all the same.
TEST(RestRead, SnapshotStringsWithIllFormedUtf8GiveValidJson) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto odd = std::make_shared<follower::Snapshot>(*recorded());
  codec::views::Scalar one;
  one.uint = 1;
  odd->hyperparams->fields.emplace_back("name\xC3", one);
  odd->hyperparams->fields.emplace_back("\xED\xA0\x80surrogate", one);
  odd->commitments.reset();
  odd->unavailable_reason = "chain said \xF0\x9F\x98 and \xFF";
  odd->block += 1;
  h.snapshots.publish(odd);
  auto a = h.get("/hyperparams");
  EXPECT_EQ(a.status, 200u);
  EXPECT_TRUE(utf8::valid(a.body)) << a.body;
  EXPECT_NE(a.body.find("\"name\xEF\xBF\xBD\":1"), std::string::npos) << a.body;
  EXPECT_TRUE(Json(a.body).ok) << a.body;
  a = h.get("/get_commitments");
  EXPECT_EQ(a.status, 503u);
  EXPECT_TRUE(utf8::valid(a.body)) << a.body;
  EXPECT_TRUE(Json(a.body).ok) << a.body;
}

TEST(RestRead, Commitments) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  const std::string hk = first_hotkey();
  auto a = h.get("/get_commitment/" + hk);
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + hk + "\",\"commitment\":\"0xdeadbeef\"}");
  const std::string other = codec::ss58_encode(recorded()->neurons.at(1).hotkey);
  expect_statuses(h, {{"/get_commitment/" + hk + "?block=6852690", 200},
                      {"/get_commitment/" + other, 404},
                      {"/get_commitment/notanaddress", 400},
                      {"/get_commitment/" + hk + "?block=x", 400}});
  EXPECT_EQ(h.get("/get_commitments").body, "{\"" + hk + "\":\"0xdeadbeef\"}");
  expect_statuses(h, {{"/get_commitments?block=6852690", 200}, {"/get_commitments?block=6852699", 404}});
}

}  // namespace
}  // namespace pylon::rest::test

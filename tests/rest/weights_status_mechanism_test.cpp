// /weights_status per mechanism, against a real Store and the replay node: every attempt and reveal
// names its mechanism; without ?mechanism= the legacy members (weights, reveal) stay mechanism 0's
// and every mechanism's attempts and reveals are listed; ?mechanism=N shows that one only, with the
// weights endpoints' 400 rules (the subnet's MechanismCountCurrent, answered here as 2 by the replay
// node, which holds no such read). The committer's per-mechanism state and a timelocked commit's
// chain reveal are rendered by committer_json.hpp, checked here on exact text.
#include "chain/storage_key.hpp"
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "common/hex.hpp"
#include "rest/committer_json.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360)

std::string hotkey(std::size_t i) {
  return codec::ss58_encode(recorded()->neurons.at(i).hotkey);
}

// The replay node answers SubtensorModule.MechanismCountCurrent(kNetuid) with `count` (SCALE u8)
// while this lives.
class MechanismCountAnswer {
 public:
  explicit MechanismCountAnswer(std::uint8_t count) {
    auto& node = replay_node();
    if (!node.stack || !node.server) return;
    auto md = node.stack->chain->metadata(recorded()->block_hash);
    if (!md.ok()) return;
    auto key = chain::storage_key(**md, "SubtensorModule", "MechanismCountCurrent",
                                  {committer::netuid_key(kNetuid)});
    if (!key.ok()) return;
    const std::string hex = to_hex(*key).substr(2);
    const std::string value = "\"" + to_hex(Bytes{count}) + "\"";
    node.server->set_override(
        [hex, value](std::string_view method, std::string_view params) -> std::optional<std::string> {
          if (method.rfind("state_getStorage", 0) == 0 && params.find(hex) != std::string_view::npos)
            return value;
          return std::nullopt;
        });
    armed_ = true;
  }
  ~MechanismCountAnswer() {
    if (replay_node().server) replay_node().server->set_override({});
  }
  MechanismCountAnswer(const MechanismCountAnswer&) = delete;
  MechanismCountAnswer& operator=(const MechanismCountAnswer&) = delete;
  bool armed() const { return armed_; }

 private:
  bool armed_ = false;
};

// Mechanism 0 and 1 each hold weights, an attempt and a reveal for the epoch.
void fill(Harness& h) {
  for (std::uint8_t m : {std::uint8_t{0}, std::uint8_t{1}}) {
    weights::WeightUpdate u;
    u.netuid = kNetuid;
    u.epoch = kEpoch;
    u.hotkey = recorded()->neurons.at(m + 1).hotkey;
    u.value = m == 0 ? 1.0 : 0.5;
    u.mechanism = m;
    const weights::WeightUpdate batch[] = {u};
    ASSERT_TRUE(h.store->apply(batch).ok());

    weights::CommitAttempt a;
    a.netuid = kNetuid;
    a.epoch = kEpoch;
    a.block = kRecordedBlock;
    a.call = weights::CallKind::kCommitWeights;
    a.nonce = 10 + m;
    a.mechanism = m;
    a.weights_json = R"({"uids":[1],"values":[65535]})";
    ASSERT_TRUE(h.store->record_attempt(a).ok());

    weights::PendingReveal r;
    r.netuid = kNetuid;
    r.epoch = kEpoch;
    r.commit_hash.fill(static_cast<std::uint8_t>(0xa0 + m));
    r.uids = {static_cast<std::uint16_t>(m + 1)};
    r.values = {65535};
    r.status = weights::RevealStatus::kCommitted;
    r.mechanism = m;
    ASSERT_TRUE(h.store->save_reveal(r).ok());
  }
}

TEST(WeightsStatusMechanism, EveryMechanismIsListedAndTheLegacyMembersStayMechanismZeros) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  fill(h);
  auto a = h.get("/weights_status");
  ASSERT_EQ(a.status, 200u) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_TRUE(j.root["mechanism"].is_null());
  // Legacy members: mechanism 0's, as before mechanisms.
  EXPECT_EQ(j.root["weights"].get_object().value_unsafe().size(), 1u);
  EXPECT_EQ(j.root["weights"][hotkey(1)].get_double().value_unsafe(), 1.0);
  EXPECT_EQ(j.root["reveal"]["mechanism"].get_uint64().value_unsafe(), 0u);
  EXPECT_EQ(j.root["reveal"]["status"].get_string().value_unsafe(), "committed");
  // Every mechanism's, each named.
  auto attempts = j.root["attempts"].get_array().value_unsafe();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts.at(0)["mechanism"].get_uint64().value_unsafe(), 0u);
  EXPECT_EQ(attempts.at(1)["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(attempts.at(1)["nonce"].get_uint64().value_unsafe(), 11u);
  EXPECT_TRUE(attempts.at(1)["revealed"].error());  // a hash commit: the chain reveals nothing
  auto reveals = j.root["reveals"].get_array().value_unsafe();
  ASSERT_EQ(reveals.size(), 2u);
  EXPECT_EQ(reveals.at(1)["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(reveals.at(1)["uids"].at(0).get_uint64().value_unsafe(), 2u);
  auto mechanisms = j.root["mechanisms"].get_array().value_unsafe();
  ASSERT_EQ(mechanisms.size(), 2u);
  EXPECT_EQ(mechanisms.at(1)["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(mechanisms.at(1)["weights"][hotkey(2)].get_double().value_unsafe(), 0.5);
  EXPECT_FALSE(j.root["chain"]["unavailable"].error());
}

TEST(WeightsStatusMechanism, TheParameterKeepsOneMechanism) {
  PYLON_REST_REQUIRE_SHARED();
  MechanismCountAnswer two(2);
  ASSERT_TRUE(two.armed());
  Harness h;
  fill(h);
  auto a = h.get("/weights_status?mechanism=1&epoch=" + std::to_string(kRecordedBlock));
  ASSERT_EQ(a.status, 200u) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(j.root["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(j.root["epoch"].get_uint64().value_unsafe(), kEpoch);
  EXPECT_EQ(j.root["weights"][hotkey(2)].get_double().value_unsafe(), 0.5);
  EXPECT_TRUE(j.root["weights"][hotkey(1)].error());
  auto attempts = j.root["attempts"].get_array().value_unsafe();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts.at(0)["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(j.root["reveal"]["mechanism"].get_uint64().value_unsafe(), 1u);
  EXPECT_EQ(j.root["reveals"].get_array().value_unsafe().size(), 1u);
  EXPECT_EQ(j.root["mechanisms"].get_array().value_unsafe().size(), 1u);

  // ?mechanism=0 is mechanism 0 alone (no chain read needed for it).
  a = h.get("/weights_status?mechanism=0");
  ASSERT_EQ(a.status, 200u) << a.body;
  Json z(a.body);
  ASSERT_TRUE(z.ok) << a.body;
  EXPECT_EQ(z.root["mechanism"].get_uint64().value_unsafe(), 0u);
  ASSERT_EQ(z.root["attempts"].get_array().value_unsafe().size(), 1u);
  EXPECT_EQ(z.root["attempts"].at(0)["mechanism"].get_uint64().value_unsafe(), 0u);
}

TEST(WeightsStatusMechanism, BadParametersAre400AsOnTheWeightsEndpoints) {
  PYLON_REST_REQUIRE_SHARED();
  MechanismCountAnswer two(2);
  ASSERT_TRUE(two.armed());
  Harness h;
  fill(h);
  for (const char* q : {"?mechanism=2", "?mechanism=256", "?mechanism=abc", "?mechanism=-1",
                        "?mechanism=", "?mechanism=1&epoch=x"}) {
    auto a = h.get(std::string("/weights_status") + q);
    EXPECT_EQ(a.status, 400u) << q << " -> " << a.body;
    // The same answer as the weights endpoints give for the same parameter.
    auto w = h.get(std::string("/raw_weights") + q);
    EXPECT_EQ(w.status, 400u) << q;
    EXPECT_EQ(a.body, w.body) << q;
  }
}

TEST(WeightsStatusMechanism, CommitterStatePerMechanism) {
  committer::CommitterState st;
  st.last_epoch_by_mechanism = {{0, 6852139}, {1, 6852499}};
  st.outcomes_by_mechanism[1][weights::AttemptStatus::kIncluded] = 3;
  st.outcomes_by_mechanism[2][weights::AttemptStatus::kMissed] = 1;
  std::string all;
  append_committer_mechanisms(all, st, std::nullopt);
  EXPECT_EQ(
      all,
      R"([{"mechanism":0,"last_epoch_committed":6852139,"outcomes":{"included":0,"finalized":0,"failed":0,)"
      R"("expired":0,"missed":0}},{"mechanism":1,"last_epoch_committed":6852499,"outcomes":{"included":3,)"
      R"("finalized":0,"failed":0,"expired":0,"missed":0}},{"mechanism":2,"last_epoch_committed":null,)"
      R"("outcomes":{"included":0,"finalized":0,"failed":0,"expired":0,"missed":1}}])");
  std::string one;
  append_committer_mechanisms(one, st, std::uint8_t{3});  // none yet: named, nothing done
  EXPECT_EQ(
      one, R"([{"mechanism":3,"last_epoch_committed":null,"outcomes":{"included":0,"finalized":0,"failed":0,)"
           R"("expired":0,"missed":0}}])");
}

TEST(WeightsStatusMechanism, ATimelockedCommitsRevealShowsTheWeightsReadBack) {
  committer::ChainReveal r;
  r.state = committer::ChainRevealState::kRevealed;
  r.block = 6853000;
  r.last_stored_round = 20851736;
  r.last_update = 6852862;
  r.weights = {{0, 65535}, {3, 1000}};
  EXPECT_EQ(chain_reveal_json(r, 6852691),
            R"({"state":"revealed","block":6853000,"commit_block":6852691,"last_stored_round":20851736,)"
            R"("last_update":6852862,"weights":[[0,65535],[3,1000]]})");
  r.state = committer::ChainRevealState::kAwaiting;
  EXPECT_EQ(chain_reveal_json(r, 6852691),
            R"({"state":"awaiting","block":6853000,"commit_block":6852691,"last_stored_round":20851736,)"
            R"("last_update":6852862,"weights":null})");
}

}  // namespace
}  // namespace pylon::rest::test

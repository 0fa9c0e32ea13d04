// /weights_status per mechanism, against a real Store and the replay node: every attempt and reveal
// names its mechanism; without ?mechanism= the legacy members (weights, reveal) stay mechanism 0's
// and every mechanism's attempts and reveals are listed; ?mechanism=N shows that one only, with the
// weights endpoints' 400 rules (the subnet's MechanismCountCurrent, answered here as 2 by the replay
// node, which holds no such read). The committer's per-mechanism state and a timelocked commit's
// chain reveal are rendered by committer_json.hpp, checked here on exact text.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "committer/submitter.hpp"
#include "keys/sr25519.hpp"
#include "mechanism_count_answer.hpp"
#include "rest/committer_json.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

// Mechanism 0 and 1 each hold weights, an attempt and a reveal for the epoch.
void fill(Harness& h) {
  for (std::uint8_t m : {std::uint8_t{0}, std::uint8_t{1}}) {
    weights::WeightUpdate u;
    u.netuid = kNetuid;
    u.epoch = kRecordedEpoch;
    u.hotkey = recorded()->neurons.at(m + 1).hotkey;
    u.value = m == 0 ? 1.0 : 0.5;
    u.mechanism = m;
    const weights::WeightUpdate batch[] = {u};
    ASSERT_TRUE(h.store->apply(batch).ok());

    weights::CommitAttempt a;
    a.netuid = kNetuid;
    a.epoch = kRecordedEpoch;
    a.block = kRecordedBlock;
    a.call = weights::CallKind::kCommitWeights;
    a.nonce = 10 + m;
    a.mechanism = m;
    a.weights_json = R"({"uids":[1],"values":[65535]})";
    ASSERT_TRUE(h.store->record_attempt(a).ok());

    weights::PendingReveal r;
    r.netuid = kNetuid;
    r.epoch = kRecordedEpoch;
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
  EXPECT_EQ(j.root["weights"][recorded_hotkey(1)].get_double().value_unsafe(), 1.0);
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
  EXPECT_EQ(mechanisms.at(1)["weights"][recorded_hotkey(2)].get_double().value_unsafe(), 0.5);
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
  EXPECT_EQ(j.root["epoch"].get_uint64().value_unsafe(), kRecordedEpoch);
  EXPECT_EQ(j.root["weights"][recorded_hotkey(2)].get_double().value_unsafe(), 0.5);
  EXPECT_TRUE(j.root["weights"][recorded_hotkey(1)].error());
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

// The whole path of a timelocked commit's "revealed": a daemon whose hotkey is uid 2 of the recorded
// snapshot (a test key put there in a copy), a landed commit_timelocked_weights in the store
// (included in the recorded block), and the storage the recording lacks served under the keys the
// recorded block's metadata gives for mechanism 0 (storage index = netuid 1).
class RevealStorage {
 public:
  explicit RevealStorage(const codec::Metadata& md) {
    auto key = [&](std::string_view pallet, std::string_view item, std::vector<Bytes> keys) {
      auto k = chain::storage_key(md, pallet, item, keys);
      EXPECT_TRUE(k.ok()) << item;
      return k.ok() ? to_hex(*k).substr(2) : std::string("-");
    };
    prefix_ = key("SubtensorModule", "TimelockedWeightCommits", {committer::netuid_key(kNetuid)});
    Bytes epoch{0x26, 0x4a, 0, 0, 0, 0, 0, 0};  // 18982
    queued_ = key("SubtensorModule", "TimelockedWeightCommits", {committer::netuid_key(kNetuid), epoch});
    values_[key("Drand", "LastStoredRound", {})] = "0x302b3e0100000000";  // 20851504
    // LastUpdate(1): uid 2 at 6852700, after the commit's block.
    values_[key("SubtensorModule", "LastUpdate", {committer::netuid_key(kNetuid)})] =
        "0x0c"
        "0000000000000000"
        "0000000000000000"
        "5c90680000000000";
    // Weights(1, 2): [(1, 9), (5, 65535)].
    values_[key("SubtensorModule", "Weights", {committer::netuid_key(kNetuid), committer::netuid_key(2)})] =
        "0x08"
        "0100"
        "0900"
        "0500"
        "ffff";
    replay_node().server->set_override(
        [this](std::string_view method, std::string_view params) -> std::optional<std::string> {
          if (method == "state_getKeysPaged") {
            ++key_reads_;
            if (queue_.empty() || params.find(prefix_) == std::string_view::npos ||
                params.find("null") == std::string_view::npos)
              return std::string("[]");
            return "[\"0x" + queued_ + "\"]";
          }
          if (method == "state_queryStorageAt")
            return "[{\"block\":null,\"changes\":[[\"0x" + queued_ + "\",\"" + queue_ + "\"]]}]";
          if (method.rfind("state_getStorage", 0) != 0) return std::nullopt;
          for (const auto& [k, v] : values_)
            if (params.find(k) != std::string_view::npos) return "\"" + v + "\"";
          return std::nullopt;
        });
  }
  ~RevealStorage() { replay_node().server->set_override({}); }
  RevealStorage(const RevealStorage&) = delete;
  RevealStorage& operator=(const RevealStorage&) = delete;
  // TimelockedWeightCommits(1, 18982) holds `hex` (empty: nothing queued).
  void queue(std::string hex) { queue_ = std::move(hex); }
  // How many times the queue's keys were listed: one per reveal decided.
  int key_reads() const { return key_reads_.load(); }

 private:
  std::string prefix_, queued_, queue_;
  std::map<std::string, std::string> values_;
  std::atomic<int> key_reads_{0};
};

TEST(WeightsStatusMechanism, ALandedTimelockedCommitShowsWhatTheChainRevealed) {
  PYLON_REST_REQUIRE_SHARED();
  auto& node = replay_node();
  ASSERT_TRUE(node.stack && node.server);
  auto md = node.stack->chain->metadata(recorded()->block_hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  const Bytes seed(32, 0x07);
  auto kp = keys::keypair_from_mini_secret(seed);
  ASSERT_TRUE(kp.ok());
  committer::Submitter submitter(*node.stack->chain, std::move(kp).value());
  const AccountId me = submitter.account();

  char tmpl[] = "/tmp/pylon-rest-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  auto store = weights::Store::open(dir + "/weights.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  weights::CommitAttempt a;
  a.netuid = kNetuid;
  a.epoch = kRecordedEpoch;
  a.block = kRecordedBlock - 1;
  a.call = weights::CallKind::kCommitTimelockedWeights;
  a.status = weights::AttemptStatus::kIncluded;
  a.included_in = recorded()->block_hash;
  a.reveal_round = 20851500;
  ASSERT_TRUE((*store)->record_attempt(a).ok());
  a.call = weights::CallKind::kSetWeights;  // not timelocked: nothing to reveal
  a.reveal_round.reset();
  ASSERT_TRUE((*store)->record_attempt(a).ok());

  follower::SnapshotStore snapshots{4};
  auto copy = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  copy->neurons.at(2).hotkey = me;
  snapshots.publish(copy);
  RestDeps deps(snapshots, kNetuid);
  deps.chain = node.stack->chain.get();
  deps.hotkey_submitter = &submitter;
  deps.store = store->get();
  deps.build_hyperparams = false;
  deps.build_commitments = false;
  auto server = Server::start(loopback_options(), std::move(deps));
  ASSERT_TRUE(server.ok()) << server.error().message;

  RevealStorage storage(**md);
  // Queued: this hotkey's entry for the round (AccountId, commit block, ciphertext, round).
  std::string entry =
      "0x04" + to_hex(Bytes(me.begin(), me.end())).substr(2) + "52906800000000000c aabbcc2c2b3e0100000000";
  entry.erase(std::remove(entry.begin(), entry.end(), ' '), entry.end());
  storage.queue(entry);
  auto r = http((*server)->port(), "GET", "/weights_status");
  ASSERT_EQ(r.status, 200u) << r.body;
  Json waiting(r.body);
  ASSERT_TRUE(waiting.ok) << r.body;
  auto attempts = waiting.root["attempts"].get_array().value_unsafe();
  ASSERT_EQ(attempts.size(), 2u) << r.body;
  EXPECT_EQ(attempts.at(0)["revealed"]["state"].get_string().value_unsafe(), "awaiting") << r.body;
  EXPECT_TRUE(attempts.at(0)["revealed"]["weights"].is_null());
  EXPECT_TRUE(attempts.at(1)["revealed"].error()) << r.body;
  EXPECT_EQ(storage.key_reads(), 1);

  // Asked again at the same snapshot: the same answer, without reading the reveal or the commit's
  // block again (the epoch and the legacy "chain" member are read per request, as before).
  const auto headers = node.server->requests("chain_getHeader");
  auto again = http((*server)->port(), "GET", "/weights_status");
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(again.body, r.body);
  EXPECT_EQ(storage.key_reads(), 1);
  EXPECT_EQ(node.server->requests("chain_getHeader"), headers);

  // The chain took it out of the queue and applied it: the Weights row beside the round, at the
  // next snapshot (storage at one block never changes).
  storage.queue("");
  snapshots.publish(std::make_shared<follower::Snapshot>(*copy));
  r = http((*server)->port(), "GET", "/weights_status");
  ASSERT_EQ(r.status, 200u) << r.body;
  Json done(r.body);
  ASSERT_TRUE(done.ok) << r.body;
  auto revealed = done.root["attempts"].at(0)["revealed"];
  EXPECT_EQ(revealed["state"].get_string().value_unsafe(), "revealed") << r.body;
  EXPECT_EQ(revealed["commit_block"].get_uint64().value_unsafe(), kRecordedBlock);
  EXPECT_EQ(revealed["last_update"].get_uint64().value_unsafe(), 6852700u);
  EXPECT_EQ(revealed["last_stored_round"].get_uint64().value_unsafe(), 20851504u);
  EXPECT_EQ(done.root["attempts"].at(0)["reveal_round"].get_uint64().value_unsafe(), 20851500u);
  auto row = revealed["weights"].get_array().value_unsafe();
  ASSERT_EQ(row.size(), 2u) << r.body;
  EXPECT_EQ(row.at(1).at(0).get_uint64().value_unsafe(), 5u);
  EXPECT_EQ(row.at(1).at(1).get_uint64().value_unsafe(), 65535u);
  // The chain member reads the same row for this hotkey.
  EXPECT_EQ(done.root["chain"]["uid"].get_uint64().value_unsafe(), 2u) << r.body;
  EXPECT_EQ(done.root["chain"]["weights"].get_array().value_unsafe().size(), 2u);

  server->reset();
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace pylon::rest::test

// Weights -> call on real data: the 1024-neuron finney metagraph golden (decoded with finney's
// metadata) and that subnet's hyperparameters golden, with the limits varied.
#include "committer/weights_call.hpp"

#include <simdjson.h>

#include <cmath>
#include <cstdio>

#include "codec/ss58.hpp"
#include "codec/views/neuron_lite.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/weights_hash.hpp"
#include "test_support.hpp"
#include "timelock/timelock.hpp"

namespace pylon::committer {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";
constexpr const char* kNeurons = "chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json";
constexpr const char* kHyper =
    "chain/golden/SubnetInfoRuntimeApi_get_subnet_hyperparams.get_subnet_hyperparameters.json";

class WeightsCallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* rel : {kFinney, kNeurons, kHyper})
      if (!test::have_shared(rel))
        GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
    auto md = codec::load_metadata_file(test::shared_path(kFinney));
    ASSERT_TRUE(md.ok());
    auto view = codec::views::NeuronLiteView::resolve(*md);
    ASSERT_TRUE(view.ok());
    simdjson::dom::parser p;
    auto doc = p.load(test::shared_path(kNeurons));
    auto rows = view->decode_all(*from_hex(std::string_view(doc["result_hex"])));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    snap.netuid = 1;
    snap.block = 6852690;
    snap.neurons = std::move(rows).value();
    // The hyperparameters golden's decoded fields as a Record (integers and flags by name).
    simdjson::dom::parser p2;
    codec::views::Record r;
    for (auto [k, v] : simdjson::dom::object(p2.load(test::shared_path(kHyper))["decoded"])) {
      codec::views::Scalar s;
      if (v.is_bool()) {
        s.kind = codec::views::Scalar::Kind::Bool;
        s.flag = bool(v);
      } else if (v.is_string()) {
        s.uint = std::stoull(std::string(std::string_view(v)));
      } else {
        s.uint = uint64_t(v);
      }
      r.fields.emplace_back(std::string(k), s);
    }
    snap.hyperparams = r;
    ASSERT_EQ(snap.neurons.size(), 1024u);
    ASSERT_EQ(snap.hyperparams->u64("max_weights_limit"), 65535u);
    ASSERT_EQ(snap.hyperparams->u64("min_allowed_weights"), 1u);
  }

  void set_param(const std::string& name, std::uint64_t v) {
    for (auto& [k, s] : snap.hyperparams->fields)
      if (k == name) s.uint = v;
  }
  const AccountId& hotkey(std::uint16_t uid) { return snap.neuron_by_uid(uid)->hotkey; }

  follower::Snapshot snap;
};

TEST_F(WeightsCallTest, MapsHotkeysToUidsAndMaxNormalises) {
  std::map<AccountId, double> w{{hotkey(700), 4.0}, {hotkey(3), 1.0}, {hotkey(42), 2.0}};
  auto c = build_weights_call(snap, w);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->uids, (std::vector<std::uint16_t>{3, 42, 700}));
  // 1/4 and 2/4 of 65535, rounded: 16383.75 -> 16384, 32767.5 -> 32768.
  EXPECT_EQ(c->values, (std::vector<std::uint16_t>{16384, 32768, 65535}));
  EXPECT_EQ(c->version_key, 0u);
  EXPECT_TRUE(c->unknown_hotkeys.empty());
  EXPECT_FALSE(c->capped);
  EXPECT_EQ(c->set_weights_args(1),
            R"({"netuid":1,"dests":[3,42,700],"weights":[16384,32768,65535],"version_key":0})");
  set_param("weights_version", 1234);
  EXPECT_EQ(build_weights_call(snap, w)->version_key, 1234u);
}

TEST_F(WeightsCallTest, ReportsUnknownHotkeysAndDropsZeros) {
  AccountId stranger{};
  stranger.bytes().fill(7);
  std::map<AccountId, double> w{{hotkey(5), 0.5}, {hotkey(6), 0.0}, {stranger, 3.0}};
  auto c = build_weights_call(snap, w);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->uids, (std::vector<std::uint16_t>{5}));
  EXPECT_EQ(c->values, (std::vector<std::uint16_t>{65535}));
  ASSERT_EQ(c->unknown_hotkeys.size(), 1u);
  EXPECT_EQ(c->unknown_hotkeys[0], codec::ss58_encode(stranger));
  EXPECT_NE(c->json().find(codec::ss58_encode(stranger)), std::string::npos);
  // Only unknown hotkeys: an error naming one, not an empty call.
  auto none = build_weights_call(snap, {{stranger, 1.0}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find(codec::ss58_encode(stranger)), std::string::npos);
  auto zeros = build_weights_call(snap, {{hotkey(1), 0.0}});
  ASSERT_FALSE(zeros.ok());
  EXPECT_NE(zeros.error().message.find("zero"), std::string::npos);
  // A weight too small to show in u16 next to the largest is a zero weight.
  auto tiny = build_weights_call(snap, {{hotkey(1), 1.0}, {hotkey(2), 1e-9}});
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->uids, (std::vector<std::uint16_t>{1}));
  EXPECT_FALSE(build_weights_call(snap, {{hotkey(1), std::nan("")}}).ok());
  EXPECT_FALSE(build_weights_call(snap, {{hotkey(1), -1.0}}).ok());
}

TEST_F(WeightsCallTest, MinAllowedWeightsRefusedWithTheReason) {
  set_param("min_allowed_weights", 5);
  std::map<AccountId, double> w{{hotkey(1), 1.0}, {hotkey(2), 1.0}, {hotkey(3), 1.0}};
  auto c = build_weights_call(snap, w);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("requires at least 5"), std::string::npos) << c.error().message;
  w[hotkey(4)] = 1.0;
  w[hotkey(9)] = 2.0;
  EXPECT_TRUE(build_weights_call(snap, w).ok());
  // Capped by the subnet's size, as subtensor's check_length does.
  snap.neurons.resize(3);
  EXPECT_TRUE(build_weights_call(snap, {{hotkey(0), 1.0}, {hotkey(1), 1.0}, {hotkey(2), 1.0}}).ok());
}

TEST_F(WeightsCallTest, MaxWeightsLimitCapsTheLargestShare) {
  set_param("max_weights_limit", 32768);  // no weight above ~half of the sum
  auto c = build_weights_call(snap, {{hotkey(1), 1.0}, {hotkey(2), 1.0}, {hotkey(3), 10.0}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->capped);
  // The 10 is cut to share 32768/65535 (a hair over a half): 2 * f / (1 - f) = 2.00006 against the
  // others' 1 and 1; max-normalised 1 / 2.00006 * 65535 = 32766.5, rounded up.
  EXPECT_EQ(c->values, (std::vector<std::uint16_t>{32767, 32767, 65535}));
  std::uint64_t sum = 0;
  for (auto v : c->values) sum += v;
  EXPECT_LE(65535ull * 65535ull, 32768ull * sum);  // subtensor's check, in integers
  // Three weights can never keep each under 1000/65535 of the sum.
  set_param("max_weights_limit", 1000);
  auto no = build_weights_call(snap, {{hotkey(1), 1.0}, {hotkey(2), 1.0}, {hotkey(3), 10.0}});
  ASSERT_FALSE(no.ok());
  EXPECT_NE(no.error().message.find("max_weights_limit 1000"), std::string::npos) << no.error().message;
}

TEST(CapShares, WaterFillingKeepsEveryShareWithinTheLimit) {
  const std::uint16_t limit = 13107;  // a fifth
  std::vector<double> w{100, 50, 1, 1, 1, 1, 1, 1, 1, 1};
  auto c = cap_shares(w, limit);
  ASSERT_TRUE(c.ok());
  double sum = 0;
  for (double x : *c) sum += x;
  for (double x : *c) EXPECT_LE(x / sum, limit / 65535.0 + 1e-12);
  EXPECT_DOUBLE_EQ((*c)[0], (*c)[1]);  // both capped
  EXPECT_DOUBLE_EQ((*c)[2], 1.0);      // the rest keep their proportions
  EXPECT_NEAR((*c)[0] / sum, limit / 65535.0, 1e-12);
  EXPECT_EQ(*cap_shares(w, 65535), w);                 // no limit: unchanged
  EXPECT_FALSE(cap_shares({1, 1, 1, 1}, 13107).ok());  // 4 * 1/5 < 1
}

TEST(WeightsCall, NeedsTheHyperparameters) {
  follower::Snapshot s;
  s.unavailable_reason = "hyperparameters: not recorded";
  auto c = build_weights_call(s, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("not recorded"), std::string::npos);
}

}  // namespace
}  // namespace pylon::committer

namespace pylon::committer {
namespace {

// The timelocked commit's arguments encode with the devnet metadata (the runtime that has the
// calls) into commit_timelocked_weights / commit_timelocked_mechanism_weights, field for field in
// the order §1.2 of ../shared/crv4/README.md gives, and the sealed commit opens to the payload.
TEST(TimelockedCommitArgs, EncodeAsTheRuntimesCallsWithASealedCommit) {
  const char* rel = "chain/devnet-metadata-v16.scale";
  if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
  auto md = codec::load_metadata_file(test::shared_path(rel));
  ASSERT_TRUE(md.ok()) << md.error().message;
  WeightsCall call;
  call.uids = {1, 2};
  call.values = {65535, 7};
  call.version_key = 3;
  AccountId hotkey;
  hotkey.bytes().fill(0xab);
  auto sealed = call.seal(hotkey, 1000);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  const std::string sig1000 =
      "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";
  auto opened = timelock::decrypt(*from_hex(sig1000), *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::string hotkey_hex;
  for (int i = 0; i < 32; ++i) hotkey_hex += "ab";
  // compact(32) hotkey, compact(2) uids 1 2, compact(2) values 65535 7, version_key 3.
  EXPECT_EQ(to_hex(*opened), "0x80" + hotkey_hex +
                                 "0801000200"
                                 "08ffff0700"
                                 "0300000000000000");
  auto plain = extrinsic::encode_call_json(**md, "SubtensorModule.commit_timelocked_weights",
                                           timelocked_commit_args(7, std::nullopt, *sealed, 1000, 4));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  auto mech = extrinsic::encode_call_json(**md, "SubtensorModule.commit_timelocked_mechanism_weights",
                                          timelocked_commit_args(7, 1, *sealed, 1000, 4));
  ASSERT_TRUE(mech.ok()) << mech.error().message;
  // pallet 7, call 113 / 118 (§1.2), netuid 7 (u16), [mecid 1 (u8)], compact(len) commit, round, version.
  const std::string tail = to_hex(*sealed).substr(2) +
                           "e803000000000000"
                           "0400";
  ASSERT_GE(sealed->size(), 64u);
  ASSERT_LT(sealed->size(), 16384u);  // a two-byte compact length
  const auto n = static_cast<std::uint32_t>(sealed->size() << 2 | 1);
  char compact[8];
  std::snprintf(compact, sizeof compact, "%02x%02x", n & 0xff, (n >> 8) & 0xff);
  EXPECT_EQ(to_hex(*plain),
            "0x07"
            "71"
            "0700" +
                std::string(compact) + tail);
  EXPECT_EQ(to_hex(*mech),
            "0x07"
            "76"
            "0700"
            "01" +
                std::string(compact) + tail);
}

// Mechanism 0 keeps the plain calls and their arguments (what the local spec 293 runtime takes);
// a mechanism >= 1 takes the *_mechanism_* calls with `mecid` after `netuid`, and each encodes with
// the devnet metadata (spec 381) at the call index that metadata gives: pallet 7, calls 119
// (set_mechanism_weights), 115 (commit_mechanism_weights), 116 (reveal_mechanism_weights).
TEST(MechanismCalls, MechanismZeroIsThePlainCallAndOthersCarryTheMecid) {
  const char* devnet = "chain/devnet-metadata-v16.scale";
  const char* local = "chain/localnet/spec293-metadata-v15.option.hex";
  for (const char* rel : {devnet, local})
    if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
  auto dev = codec::load_metadata_file(test::shared_path(devnet));
  auto loc = codec::load_metadata_file(test::shared_path(local));
  ASSERT_TRUE(dev.ok() && loc.ok());
  using weights::CallKind;
  EXPECT_EQ(weights_call_name(CallKind::kSetWeights, 0), "SubtensorModule.set_weights");
  EXPECT_EQ(weights_call_name(CallKind::kCommitWeights, 0), "SubtensorModule.commit_weights");
  EXPECT_EQ(weights_call_name(CallKind::kRevealWeights, 0), "SubtensorModule.reveal_weights");
  EXPECT_EQ(weights_call_name(CallKind::kCommitTimelockedWeights, 0),
            "SubtensorModule.commit_timelocked_weights");
  EXPECT_EQ(weights_call_name(CallKind::kSetWeights, 1), "SubtensorModule.set_mechanism_weights");
  EXPECT_EQ(weights_call_name(CallKind::kCommitWeights, 1), "SubtensorModule.commit_mechanism_weights");
  EXPECT_EQ(weights_call_name(CallKind::kRevealWeights, 1), "SubtensorModule.reveal_mechanism_weights");
  EXPECT_EQ(weights_call_name(CallKind::kCommitTimelockedWeights, 1),
            "SubtensorModule.commit_timelocked_mechanism_weights");

  WeightsCall call;
  call.uids = {0, 5};
  call.values = {65535, 1};
  call.version_key = 7;
  std::array<std::uint8_t, 32> hash{};
  hash.fill(0x11);
  const std::vector<std::uint16_t> salt{9, 8};
  const std::string h32 = "1111111111111111111111111111111111111111111111111111111111111111";
  // Mechanism 0: the same arguments as before mechanisms, accepted by the local runtime.
  EXPECT_EQ(call.set_weights_args(3), R"({"netuid":3,"dests":[0,5],"weights":[65535,1],"version_key":7})");
  EXPECT_EQ(commit_hash_args(3, 0, hash), R"({"netuid":3,"commit_hash":"0x)" + h32 + "\"}");
  EXPECT_EQ(reveal_weights_args(3, 0, call.uids, call.values, salt, 7),
            R"({"netuid":3,"uids":[0,5],"values":[65535,1],"salt":[9,8],"version_key":7})");
  for (auto kind : {CallKind::kSetWeights, CallKind::kCommitWeights, CallKind::kRevealWeights})
    EXPECT_TRUE(extrinsic::find_call(**loc, weights_call_name(kind, 0)).ok());
  EXPECT_FALSE(extrinsic::find_call(**loc, weights_call_name(CallKind::kSetWeights, 1)).ok());

  // Mechanism 1 with devnet's metadata, byte for byte.
  // The call's hex, or the reason it did not encode (which then fails the comparison).
  auto on_devnet = [&](CallKind kind, const std::string& args) -> std::string {
    auto c = extrinsic::encode_call_json(**dev, weights_call_name(kind, 1), args);
    return c.ok() ? to_hex(*c) : "not encoded: " + c.error().message;
  };
  EXPECT_EQ(on_devnet(CallKind::kSetWeights, call.set_weights_args(3, 1)),
            "0x07770300"
            "01"
            "0800000500"
            "08ffff0100"
            "0700000000000000");
  EXPECT_EQ(on_devnet(CallKind::kCommitWeights, commit_hash_args(3, 1, hash)),
            "0x07730300"
            "01" +
                h32);
  EXPECT_EQ(on_devnet(CallKind::kRevealWeights, reveal_weights_args(3, 1, call.uids, call.values, salt, 7)),
            "0x07740300"
            "01"
            "0800000500"
            "08ffff0100"
            "0809000800"
            "0700000000000000");
}

// subtensor's get_mechanism_storage_index (u16 arithmetic: mecid * 4096 + netuid, saturating), and
// the commit hash over it: mechanism 0's is the plain commit's, mechanism 1's is the plain hash
// with the netuid replaced by 4096 + netuid.
TEST(MechanismCalls, TheCommitHashIsOverTheMechanismsStorageIndex) {
  EXPECT_EQ(extrinsic::mechanism_storage_index(7, 0), 7);
  EXPECT_EQ(extrinsic::mechanism_storage_index(7, 1), 4103);
  EXPECT_EQ(extrinsic::mechanism_storage_index(4095, 15), 65535);
  EXPECT_EQ(extrinsic::mechanism_storage_index(1, 16), 65535);  // saturates as subtensor's does
  AccountId hotkey;
  hotkey.bytes().fill(0xab);
  const std::vector<std::uint16_t> uids{0, 5}, values{65535, 1}, salt{9, 8, 7};
  EXPECT_EQ(mechanism_commit_hash(hotkey, 7, 0, uids, values, salt, 3),
            extrinsic::weights_commit_hash(hotkey, 7, uids, values, salt, 3));
  EXPECT_EQ(mechanism_commit_hash(hotkey, 7, 1, uids, values, salt, 3),
            extrinsic::weights_commit_hash(hotkey, 4103, uids, values, salt, 3));
  EXPECT_NE(mechanism_commit_hash(hotkey, 7, 1, uids, values, salt, 3),
            mechanism_commit_hash(hotkey, 7, 0, uids, values, salt, 3));
}

TEST(MechanismCalls, WeightsForAMechanismTheSubnetLacksAreRefused) {
  Mechanisms one;
  Mechanisms two;
  two.count = 2;
  EXPECT_TRUE(check_mechanism(0, one, 7).ok());
  auto refused = check_mechanism(1, one, 7);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "subnet 7 has 1 mechanism (0..0): no weights for mechanism 1");
  EXPECT_TRUE(check_mechanism(1, two, 7).ok());
  EXPECT_FALSE(check_mechanism(2, two, 7).ok());
  EXPECT_FALSE(check_mechanism(255, two, 7).ok());
}

}  // namespace
}  // namespace pylon::committer

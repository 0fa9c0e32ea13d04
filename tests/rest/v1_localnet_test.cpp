// The /api/v1 neurons and validators on the real local chain (spec 293): a subnet with a staked,
// permitted validator, the follower's snapshot of it, and the answers of the REST server pinned
// against the chain's own subnet state as polkadot-js decodes it at the same block:
//   - Snapshot::stakes[i] is (alpha_stake, tao_stake, total_stake)[uid] of get_subnet_state, in rao;
//   - the v1 Neuron's stakes are those divided by 1e9, validators sorted by stakes.total;
//   - a block the server does not keep is read from the chain, stakes included.
#include <simdjson.h>

#include "chain/storage_key.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest_test_support.hpp"
#include "test_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;
using net::testing::finalized_block;

constexpr std::uint64_t kTao = 1'000'000'000;
const std::string kOpen = "open-access-token-v1-localnet";

// A JSON integer the oracle printed as a number, or as a string above 2^53.
std::uint64_t u64_of(simdjson::dom::element e) {
  std::uint64_t v = 0;
  if (!e.get_uint64().get(v)) return v;
  std::string_view s;
  if (!e.get_string().get(s)) return std::stoull(std::string(s));
  ADD_FAILURE() << "not an integer: " << simdjson::minify(e);
  return 0;
}

TEST(RestV1Localnet, NeuronStakesAreTheSubnetStatesAtTheSameBlock) {
  PYLON_REQUIRE_LOCALNET();
  PYLON_REQUIRE_ORACLE();
  net::RpcClientOptions ro;
  ro.request_timeout = 60s;
  auto chain = net::testing::connect_localnet(ro);
  ASSERT_NE(chain, nullptr);
  auto& c = *chain->chain;
  auto alice = keys::key_from_uri("//Alice");
  auto owner_hot = keys::key_from_uri("//V1OwnerHot");
  auto validator = keys::key_from_uri("//V1Validator");
  ASSERT_TRUE(alice.ok() && owner_hot.ok() && validator.ok());
  const auto& a = alice->keypair;
  const std::string validator_ss58 = codec::ss58_encode(validator->keypair.public_key);

  // A subnet owned by //Alice (its owner hotkey is uid 0), a validator registered, tempo 1 so each
  // block is an epoch (permits come at once), staking opened, 1000 TAO on the validator.
  ASSERT_TRUE(net::testing::new_blocks(*chain->rpc, 1).ok());
  auto subnet = net::testing::register_subnet(c, a, codec::ss58_encode(owner_hot->keypair.public_key));
  ASSERT_TRUE(subnet.ok()) << subnet.error().message;
  const std::uint16_t netuid = *subnet;
  const std::string nu = std::to_string(netuid);
  auto vr = net::testing::sign_and_seal(c, a, "SubtensorModule.burned_register",
                                        R"({"netuid":)" + nu + R"(,"hotkey":")" + validator_ss58 + R"("})");
  ASSERT_TRUE(vr.ok()) << vr.error().message;
  auto tempo = net::testing::sign_and_seal(
      c, a, "Sudo.sudo", R"({"call":{"AdminUtils":{"sudo_set_tempo":{"netuid":)" + nu + R"(,"tempo":1}}}})");
  ASSERT_TRUE(tempo.ok()) << tempo.error().message;
  // start_call opens staking DurationOfStartCall (10) blocks after NetworkRegisteredAt. Rather than
  // make those blocks (most of this test's time), the registration is dated back to genesis with
  // dev_setStorage, so the real start_call below passes its own check at once.
  {
    auto head = finalized_block(c);
    ASSERT_TRUE(head.ok()) << head.error().message;
    if (head->number < 11) {
      ASSERT_TRUE(net::testing::new_blocks(*chain->rpc, static_cast<std::uint32_t>(11 - head->number)).ok());
    }
    auto md = c.metadata(head->hash);
    ASSERT_TRUE(md.ok()) << md.error().message;
    auto key = chain::storage_key(
        **md, "SubtensorModule", "NetworkRegisteredAt",
        {Bytes{static_cast<std::uint8_t>(netuid & 0xff), static_cast<std::uint8_t>(netuid >> 8)}});
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto set =
        chain->rpc->call("dev_setStorage",
                         "[[[\"" + to_hex(*key) + "\",\"0x0000000000000000\"]]]");  // u64 0, not deleted
    ASSERT_TRUE(set.ok()) << set.error().message;
  }
  auto sc = net::testing::sign_and_seal(c, a, "SubtensorModule.start_call", R"({"netuid":)" + nu + "}");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  auto pre_stake = finalized_block(c);  // every neuron registered, none staked
  ASSERT_TRUE(pre_stake.ok()) << pre_stake.error().message;
  auto st = net::testing::sign_and_seal(c, a, "SubtensorModule.add_stake",
                                        R"({"hotkey":")" + validator_ss58 + R"(","netuid":)" + nu +
                                            R"(,"amount_staked":)" + std::to_string(1000 * kTao) + "}");
  ASSERT_TRUE(st.ok()) << st.error().message;
  // Permits come with an epoch.
  follower::SnapshotPtr snap;
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(net::testing::new_blocks(*chain->rpc, 1).ok());
    auto at = finalized_block(c);
    ASSERT_TRUE(at.ok()) << at.error().message;
    auto s = follower::build_snapshot(c, netuid, *at);
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_TRUE(s->stakes.has_value()) << s->stakes_unavailable;
    auto v = s->neuron_by_hotkey(AccountId(validator->keypair.public_key));
    ASSERT_NE(v, nullptr);
    s->built_at = std::chrono::steady_clock::now();
    snap = std::make_shared<const follower::Snapshot>(std::move(s).value());
    if (v->validator_permit) break;
  }
  ASSERT_NE(snap, nullptr);
  const auto* vn = snap->neuron_by_hotkey(AccountId(validator->keypair.public_key));
  ASSERT_TRUE(vn->validator_permit) << "no permit after 8 epochs";
  ASSERT_EQ(snap->neurons.size(), 2u);

  // The oracle's decode of the same call at the same block.
  auto raw =
      c.state_call("SubnetInfoRuntimeApi_get_subnet_state",
                   Bytes{static_cast<std::uint8_t>(netuid & 0xff), static_cast<std::uint8_t>(netuid >> 8)},
                   chain::BlockRef{snap->block_hash, snap->block});
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  const std::string meta = keys::test::shared_dir() + "/chain/localnet/spec293-metadata-v15.option.hex";
  auto o =
      keys::test::run_oracle({"decode-api", meta, "SubnetInfoRuntimeApi_get_subnet_state", to_hex(*raw)});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  simdjson::dom::parser p;
  simdjson::dom::element state = p.parse(o.out)["decoded"];
  simdjson::dom::array hotkeys = state["hotkeys"];
  ASSERT_EQ(hotkeys.size(), snap->neurons.size());
  for (std::size_t i = 0; i < snap->neurons.size(); ++i) {
    const auto uid = snap->neurons[i].uid;
    SCOPED_TRACE(uid);
    EXPECT_EQ(std::string_view(hotkeys.at(uid)), codec::ss58_encode(snap->neurons[i].hotkey));
    EXPECT_EQ((*snap->stakes)[i].alpha, u64_of(state["alpha_stake"].at(uid)));
    EXPECT_EQ((*snap->stakes)[i].tao, u64_of(state["tao_stake"].at(uid)));
    EXPECT_EQ((*snap->stakes)[i].total, u64_of(state["total_stake"].at(uid)));
  }
  const auto& vs = (*snap->stakes)[static_cast<std::size_t>(vn - snap->neurons.data())];
  EXPECT_GT(vs.alpha, 0u);  // the 1000 TAO became alpha on the validator
  EXPECT_GE(vs.total, vs.alpha);

  // The REST answers, with a chain behind them for blocks not kept.
  follower::SnapshotStore snapshots(2);
  snapshots.publish(snap);
  RestDeps deps(snapshots, netuid);
  deps.chain = &c;
  RestOptions ro2 = loopback_options();
  ro2.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  auto server = Server::start(ro2, std::move(deps));
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();
  const std::string auth = "Bearer " + kOpen;
  auto neurons = http(port, "GET", "/api/v1/subnet/" + nu + "/block/latest/neurons", "", auth);
  ASSERT_EQ(neurons.status, 200u) << neurons.body;
  Json nj(neurons.body);
  ASSERT_TRUE(nj.ok);
  for (std::size_t i = 0; i < snap->neurons.size(); ++i) {
    const auto uid = snap->neurons[i].uid;
    simdjson::dom::element n = nj.root["neurons"][codec::ss58_encode(snap->neurons[i].hotkey)];
    EXPECT_EQ(n["stakes"]["alpha"].get_double().value_unsafe(),
              static_cast<double>(u64_of(state["alpha_stake"].at(uid))) / 1e9);
    EXPECT_EQ(n["stakes"]["tao"].get_double().value_unsafe(),
              static_cast<double>(u64_of(state["tao_stake"].at(uid))) / 1e9);
    EXPECT_EQ(n["stakes"]["total"].get_double().value_unsafe(),
              static_cast<double>(u64_of(state["total_stake"].at(uid))) / 1e9);
  }
  auto validators = http(port, "GET", "/api/v1/subnet/" + nu + "/block/latest/validators", "", auth);
  ASSERT_EQ(validators.status, 200u) << validators.body;
  Json vj(validators.body);
  ASSERT_TRUE(vj.ok);
  simdjson::dom::array list = vj.root["validators"];
  ASSERT_GE(list.size(), 1u);
  EXPECT_EQ(std::string_view(list.at(0)["hotkey"]), validator_ss58);  // the staked one leads
  double last = 1e300;
  for (auto v : list) {
    EXPECT_TRUE(bool(v["validator_permit"]));
    EXPECT_LE(v["stakes"]["total"].get_double().value_unsafe(), last);
    last = v["stakes"]["total"].get_double().value_unsafe();
  }
  // A block before the stake, not kept: read from the chain, with that block's (zero) stakes.
  const std::uint64_t before = pre_stake->number;
  auto old =
      http(port, "GET", "/api/v1/subnet/" + nu + "/block/" + std::to_string(before) + "/neurons", "", auth);
  ASSERT_EQ(old.status, 200u) << old.body;
  Json oj(old.body);
  ASSERT_TRUE(oj.ok);
  EXPECT_EQ(std::uint64_t(oj.root["block"]["number"]), before);
  simdjson::dom::element ov = oj.root["neurons"][validator_ss58];
  EXPECT_EQ(ov["stakes"]["alpha"].get_double().value_unsafe(), 0.0) << old.body;
}

}  // namespace
}  // namespace pylon::rest::test

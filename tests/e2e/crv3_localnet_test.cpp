// Commit-reveal v3 on the local chain's runtime (spec 293): a drand-timelocked weights commit
// encrypted by Pylon (sidecar/timelock) is accepted by commit_crv3_weights and revealed by the
// runtime itself at the subnet's next epoch, with the beacon signature of its round read from
// Drand.Pulses. chopsticks runs no offchain worker, so no pulse arrives by itself: the test writes
// drand quicknet's real pulse of round 1000 there with dev_setStorage.
//
// What spec 293 does (opentensor/subtensor dc5c11b55, "Bump spec version 292->293"):
// - coinbase/reveal_commits.rs: the plaintext is the SCALE WeightsTlockPayload {uids: Vec<u16>,
//   values: Vec<u16>, version_key: u64}, with no hotkey (the v4 payload of later runtimes starts
//   with the hotkey: it does not decode here and that commit is dropped without an event);
// - subnets/weights.rs do_commit_crv3_weights: CRV3WeightCommits[netuid][epoch] gets
//   (who, commit, reveal_round), epoch = (block + netuid + 1) / (tempo + 1), one more in the block
//   an epoch runs in; reveal_round is not checked against Drand.LastStoredRound;
// - coinbase/run_coinbase.rs: reveal_crv3_commits runs in the block whose epoch runs
//   ((block + netuid + 1) % (tempo + 1) == tempo), before its extrinsics, and takes the commits of
//   epoch `current - (RevealPeriodEpochs - 1)`: with the default period 1, a commit is revealed at
//   the end of the epoch it was made in. One whose round has no pulse then is dropped. Each one
//   revealed goes through do_set_weights (max-upscaled to u16) and emits CRV3WeightsRevealed;
// - pallets/drand: Pulses is Blake2_128Concat u64 -> Pulse {round: u64, randomness:
//   BoundedVec<u8, 32>, signature: BoundedVec<u8, 144>} (the 48-byte compressed G1 signature).
#include "chain/storage_key.hpp"
#include "codec/scale_writer.hpp"
#include "codec/storage_value.hpp"
#include "commit_bootstrap.hpp"
#include "follower/snapshot.hpp"
#include "keys/derive.hpp"
#include "keys/wallet.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "test_support.hpp"
#include "timelock/timelock.hpp"
#include "weights_storage.hpp"

namespace pylon::committer {
namespace {

using net::testing::WeightsRow;

// drand quicknet's round 1000 (../shared/crv4/README.md §3; subtensor pallets/drand/src/tests.rs):
// its signature and randomness = sha256(signature).
constexpr std::uint64_t kRound = 1000;
constexpr const char* kSignature =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";
constexpr const char* kRandomness = "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd";

Bytes u64_key(std::uint64_t v) {
  codec::ScaleWriter w;
  w.fixed_le(v);
  return w.take();
}

// Spec 293's WeightsTlockPayload.
Bytes crv3_payload(const std::vector<std::uint16_t>& uids, const std::vector<std::uint16_t>& values,
                   std::uint64_t version_key) {
  codec::ScaleWriter w;
  for (const auto* v : {&uids, &values}) {
    w.compact(v->size());
    for (std::uint16_t x : *v) w.fixed_le(x);
  }
  w.fixed_le(version_key);
  return w.take();
}

TEST(Crv3Localnet, ATimelockedCommitIsRevealedByTheRuntimeWithItsRoundsPulse) {
  PYLON_REQUIRE_LOCALNET();
  PYLON_REQUIRE_SHARED();
  const auto& boot = e2e::bootstrapped();
  ASSERT_TRUE(boot.ok()) << boot.error().message;
  const std::uint16_t netuid = boot->reveal;
  net::RpcClientOptions o;
  o.request_timeout = std::chrono::seconds(60);
  auto c = net::testing::connect_localnet(o);
  ASSERT_NE(c, nullptr);
  chain::ChainClient& chain = *c->chain;
  auto signer = keys::load_hotkey({boot->wallets, "pylon"}, "pylon");
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  auto miner1 = keys::key_from_uri("//PylonMiner1");
  auto miner2 = keys::key_from_uri("//PylonMiner2");
  ASSERT_TRUE(miner1.ok() && miner2.ok());

  auto head = net::testing::finalized_block(chain);
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto snap = follower::build_snapshot(chain, netuid, *head);
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  const std::uint64_t tempo = snap->hyperparams->u64("tempo").value_or(0);
  ASSERT_GT(tempo, 0u);
  const auto* me = snap->neuron_by_hotkey(AccountId(signer->public_key));
  const auto* n1 = snap->neuron_by_hotkey(AccountId(miner1->keypair.public_key));
  const auto* n2 = snap->neuron_by_hotkey(AccountId(miner2->keypair.public_key));
  ASSERT_TRUE(me && n1 && n2);
  const std::uint16_t my_uid = me->uid;

  // The pulse of round 1000, keyed and checked through the metadata.
  auto md = chain.metadata(head->hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto key = chain::storage_key(**md, "Drand", "Pulses", {u64_key(kRound)});
  ASSERT_TRUE(key.ok()) << key.error().message;
  codec::ScaleWriter pulse;
  pulse.fixed_le(kRound);
  pulse.byte_vec(*from_hex(kRandomness));
  pulse.byte_vec(*from_hex(kSignature));
  auto set = c->rpc->call("dev_setStorage", "[[[\"" + to_hex(*key) + "\",\"" + to_hex(pulse.out()) + "\"]]]");
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto stored = net::testing::read_storage(chain, "Drand", "Pulses", {u64_key(kRound)}, *head);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto decoded = codec::decode_storage_value(**md, "Drand", "Pulses", *stored);
  ASSERT_TRUE(decoded.ok() && decoded->has_value()) << (decoded.ok() ? "" : decoded.error().message);
  ASSERT_NE((*decoded)->field("round"), nullptr);
  EXPECT_EQ((*decoded)->field("round")->uint, kRound);

  // The epoch runs (and commits are revealed) in the block where this holds.
  auto epoch_runs = [&](std::uint64_t b) { return (b + netuid + 1) % (tempo + 1) == tempo; };
  // Both commits (one block each) before that block, in the same epoch.
  for (int i = 0; i < 4 && (epoch_runs(head->number + 1) || epoch_runs(head->number + 2)); ++i) {
    ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 1).ok());
    head = net::testing::finalized_block(chain);
    ASSERT_TRUE(head.ok());
  }
  // Weights 3 : 1 to the two miners, to round 1000; then 1 : 1 to round 1001, which has no pulse.
  auto commit = [&](std::uint64_t round, std::vector<std::uint16_t> values) -> std::uint64_t {
    auto sealed = timelock::encrypt(round, crv3_payload({n1->uid, n2->uid}, values, 0));
    EXPECT_TRUE(sealed.ok()) << sealed.error().message;
    if (!sealed.ok()) return 0;
    auto out = net::testing::sign_and_seal(chain, *signer, "SubtensorModule.commit_crv3_weights",
                                           "{\"netuid\":" + std::to_string(netuid) + ",\"commit\":\"" +
                                               to_hex(*sealed) +
                                               "\",\"reveal_round\":" + std::to_string(round) + "}");
    EXPECT_TRUE(out.ok()) << out.error().message;
    if (!out.ok()) return 0;
    bool committed = false;
    for (const auto& e : out->events)
      committed |= e.pallet == "SubtensorModule" && e.name == "CRV3WeightsCommitted";
    EXPECT_TRUE(committed);
    auto h = chain.header(out->block);
    return h.ok() ? h->number : 0;
  };
  const std::uint64_t at = commit(kRound, {3, 1});
  ASSERT_GT(at, 0u);
  ASSERT_GT(commit(kRound + 1, {1, 1}), at);

  // CRV3WeightCommits holds both under the commit's epoch, with their rounds (kUnread: an entry or
  // the whole value that does not read as spec 293's (AccountId, BoundedVec<u8>, u64) of ours).
  constexpr std::uint64_t kUnread = ~std::uint64_t{0};
  const Bytes epoch_key = u64_key((at + netuid + 1) / (tempo + 1));
  auto queue = [&](const chain::BlockRef& b) -> std::vector<std::uint64_t> {
    auto raw = net::testing::read_storage(chain, "SubtensorModule", "CRV3WeightCommits",
                                          {net::testing::u16_key(netuid), epoch_key}, b);
    if (!raw.ok()) return {kUnread};
    auto v = codec::decode_storage_value(**md, "SubtensorModule", "CRV3WeightCommits", *raw);
    if (!v.ok() || !v->has_value()) return {kUnread};
    std::vector<std::uint64_t> rounds;
    for (const auto& entry : (*v)->items)
      rounds.push_back(entry.items.size() == 3 &&
                               entry.items[0].bytes == Bytes(me->hotkey.begin(), me->hotkey.end())
                           ? entry.items[2].uint
                           : kUnread);
    return rounds;
  };
  head = net::testing::finalized_block(chain);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(queue(*head), (std::vector<std::uint64_t>{kRound, kRound + 1}));

  // Nothing is revealed before the epoch's block; in it, the chain holds round 1000's weights,
  // max-upscaled, and the queue is gone.
  const WeightsRow expected{{n1->uid, 65535}, {n2->uid, 21845}};
  std::uint64_t reveal = at + 1;
  while (!epoch_runs(reveal)) ++reveal;
  while (head->number + 1 < reveal) {
    ASSERT_NE(net::testing::chain_weights(chain, netuid, my_uid, *head), expected)
        << "block " << head->number;
    ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 1).ok());
    head = net::testing::finalized_block(chain);
    ASSERT_TRUE(head.ok());
  }
  EXPECT_NE(net::testing::chain_weights(chain, netuid, my_uid, *head), expected);
  ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 1).ok());
  head = net::testing::finalized_block(chain);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head->number, reveal);
  EXPECT_EQ(net::testing::chain_weights(chain, netuid, my_uid, *head), expected);
  EXPECT_TRUE(queue(*head).empty());
}

}  // namespace
}  // namespace pylon::committer

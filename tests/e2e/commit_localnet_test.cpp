// The commit loop in-process on the real local chain: a bootstrapped chain (two subnets,
// commit-reveal off and on, the shared `pylon` hotkey permitted on both), a real ChainClient,
// Follower, SnapshotStore, weights Store, Submitter and Committer per subnet. Weights put in the
// store for the current epochs end up in the chain's SubtensorModule.Weights for the pylon hotkey's
// uid: through set_weights on the plain subnet, and through commit_weights (seen in WeightCommits)
// then reveal_weights on the other. Storage is read and decoded here, not by the committer.
#include "commit_bootstrap.hpp"
#include "committer/committer.hpp"
#include "e2e_support.hpp"
#include "follower/follower.hpp"
#include "keys/derive.hpp"
#include "keys/wallet.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "test_support.hpp"
#include "weights_storage.hpp"

namespace pylon::committer {
namespace {

using namespace std::chrono_literals;

using net::testing::BlockMaker;
using net::testing::LocalnetChain;
using e2e::Bootstrap;
using e2e::bootstrapped;

std::unique_ptr<LocalnetChain> connect() {
  net::RpcClientOptions o;
  o.request_timeout = std::chrono::seconds(60);
  return net::testing::connect_localnet(o);
}

chain::BlockRef best(chain::ChainClient& c) {
  auto at = net::testing::finalized_block(c);
  return at.ok() ? *at : chain::BlockRef{};
}

// Weights and commits at the finalized head, the block the committer works from.
std::vector<std::pair<std::uint16_t, std::uint16_t>> chain_weights(chain::ChainClient& c,
                                                                   std::uint16_t netuid, std::uint16_t uid) {
  return net::testing::chain_weights(c, netuid, uid, best(c));
}

std::size_t chain_commit_count(chain::ChainClient& c, std::uint16_t netuid, const AccountId& hotkey) {
  return net::testing::chain_commit_count(c, netuid, hotkey, best(c));
}

// One subnet's loop: follower, snapshots and committer.
struct Loop {
  Loop(LocalnetChain& c, weights::Store& store, Submitter& sub, std::uint16_t netuid)
      : follower(*c.chain, *c.rpc, snapshots, options(netuid), [](std::string_view, std::string_view) {}),
        committer(*c.chain, snapshots, store, sub, committer_options(netuid)) {}
  static follower::FollowerOptions options(std::uint16_t netuid) {
    follower::FollowerOptions o;
    o.netuid = netuid;
    o.build.commitments = false;
    // One subnet's snapshots carry their epoch (as the daemon wires it), the other's do not: the
    // committer then computes it itself. Both paths are exercised.
    if (netuid % 2 == 0) o.build.epoch = snapshot_epoch;
    return o;
  }
  static CommitterOptions committer_options(std::uint16_t netuid) {
    CommitterOptions o;
    o.netuid = netuid;
    o.window.start_offset = 0;  // tempo 10: the whole epoch but its last block
    o.window.end_buffer = 1;
    return o;
  }
  follower::SnapshotStore snapshots{8};
  follower::Follower follower;
  Committer committer;
};

// Weights for every epoch the next ~80 blocks touch, so whichever epoch the loop is in has them.
void put_weights(weights::Store& store, chain::ChainClient& c, std::uint16_t netuid, const AccountId& signer,
                 const std::map<AccountId, double>& w) {
  const std::uint64_t head = best(c).number;
  std::set<std::uint64_t> epochs;
  for (std::uint64_t b = head; b < head + 80; ++b) epochs.insert(epoch_by_formula(netuid, 10, b)->start);
  std::vector<weights::WeightUpdate> ups;
  for (std::uint64_t e : epochs)
    for (const auto& [hk, v] : w) ups.push_back({netuid, e, hk, weights::Op::set, v, 0, signer});
  auto r = store.apply(ups);
  ASSERT_TRUE(r.ok()) << r.error().message;
}

// Every test: the bootstrapped chain, a connection to it and a fresh weights store.
class CommitLocalnet : public ::testing::Test {
 protected:
  void SetUp() override {
    PYLON_REQUIRE_LOCALNET();
    PYLON_REQUIRE_SHARED();
    const auto& b = bootstrapped();
    ASSERT_TRUE(b.ok()) << b.error().message;
    boot = &*b;
    c = connect();
    ASSERT_NE(c, nullptr);
    auto s = weights::Store::open(dir.path() + "/pylon.db");
    ASSERT_TRUE(s.ok()) << s.error().message;
    store = std::move(s).value();
  }

  keys::test::TempDir dir;
  const Bootstrap* boot = nullptr;
  std::unique_ptr<LocalnetChain> c;
  std::unique_ptr<weights::Store> store;
};

TEST_F(CommitLocalnet, WeightsLandInChainStorageWithSetWeightsAndWithCommitReveal) {
  auto signer = keys::load_hotkey({boot->wallets, "pylon"}, "pylon");
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  const AccountId me = AccountId(signer->public_key);
  Submitter sub(*c->chain, std::move(signer).value(), SubmitterOptions{.mortal_period = 64, .timeout = 60s});

  // Epochs (tempo 10) as the committer will see them, and uids from the chain's metagraph.
  auto snap = follower::build_snapshot(*c->chain, boot->plain, best(*c->chain));
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  ASSERT_EQ(snap->hyperparams->u64("tempo"), 10u);
  auto miner1 = keys::key_from_uri("//PylonMiner1");
  auto miner2 = keys::key_from_uri("//PylonMiner2");
  ASSERT_TRUE(miner1.ok() && miner2.ok());
  const std::map<AccountId, double> w{{AccountId(miner1->keypair.public_key), 1.0},
                                             {AccountId(miner2->keypair.public_key), 3.0}};
  Loop plain(*c, *store, sub, boot->plain);
  Loop reveal(*c, *store, sub, boot->reveal);
  std::uint16_t uid[2], my_uid[2], m1[2], m2[2];
  for (int k = 0; k < 2; ++k) {
    auto s = follower::build_snapshot(*c->chain, k == 0 ? boot->plain : boot->reveal, best(*c->chain));
    ASSERT_TRUE(s.ok());
    ASSERT_NE(s->neuron_by_hotkey(me), nullptr);
    my_uid[k] = s->neuron_by_hotkey(me)->uid;
    m1[k] = s->neuron_by_hotkey(AccountId(miner1->keypair.public_key))->uid;
    m2[k] = s->neuron_by_hotkey(AccountId(miner2->keypair.public_key))->uid;
    uid[k] = k == 0 ? boot->plain : boot->reveal;
    put_weights(*store, *c->chain, uid[k], me, w);
  }
  ASSERT_TRUE(chain_weights(*c->chain, boot->plain, my_uid[0]).empty());
  ASSERT_TRUE(chain_weights(*c->chain, boot->reveal, my_uid[1]).empty());

  ASSERT_TRUE(plain.follower.start().ok());
  ASSERT_TRUE(reveal.follower.start().ok());
  ASSERT_TRUE(plain.committer.start().ok());
  ASSERT_TRUE(reveal.committer.start().ok());
  BlockMaker blocks(*c->rpc);

  // 1 : 3 max-normalised: 21845 (65535 / 3) and 65535, by uid.
  auto expected = [&](int k) {
    std::vector<std::pair<std::uint16_t, std::uint16_t>> e{{m1[k], 21845}, {m2[k], 65535}};
    std::sort(e.begin(), e.end());
    return e;
  };
  EXPECT_TRUE(
      test::eventually([&] { return chain_weights(*c->chain, boot->plain, my_uid[0]) == expected(0); }, 90s))
      << "phase " << to_string(plain.committer.state().phase) << ": " << plain.committer.state().blocked_reason;
  // Commit-reveal: the commit shows in WeightCommits first, then the reveal sets Weights.
  EXPECT_TRUE(test::eventually([&] { return chain_commit_count(*c->chain, boot->reveal, me) > 0; }, 90s))
      << "phase " << to_string(reveal.committer.state().phase) << ": " << reveal.committer.state().blocked_reason;
  EXPECT_TRUE(chain_weights(*c->chain, boot->reveal, my_uid[1]).empty());  // nothing before the reveal
  EXPECT_TRUE(
      test::eventually([&] { return chain_weights(*c->chain, boot->reveal, my_uid[1]) == expected(1); }, 90s))
      << "phase " << to_string(reveal.committer.state().phase) << ": " << reveal.committer.state().blocked_reason;

  // The store's record agrees: an included set_weights, an included commit and reveal.
  auto counted = [&](std::uint16_t netuid, weights::CallKind call) {
    int n = 0;
    for (weights::AttemptStatus st : {weights::AttemptStatus::kIncluded, weights::AttemptStatus::kFinalized}) {
      auto a = store->attempts_with_status({netuid, me}, st);
      if (a.ok())
        for (const auto& x : *a) n += x.call == call;
    }
    return n;
  };
  // The chain can show an extrinsic's effect a moment before the submitter has read its outcome
  // and recorded it: wait for the record.
  EXPECT_TRUE(test::eventually([&] { return counted(boot->plain, weights::CallKind::kSetWeights) >= 1; }, 30s));
  EXPECT_TRUE(test::eventually([&] { return counted(boot->reveal, weights::CallKind::kCommitWeights) >= 1; }, 30s));
  EXPECT_TRUE(test::eventually([&] { return counted(boot->reveal, weights::CallKind::kRevealWeights) >= 1; }, 30s));
  EXPECT_GE(plain.committer.state().outcomes[weights::AttemptStatus::kIncluded], 1u);
  plain.committer.stop();
  reveal.committer.stop();
  plain.follower.stop();
  reveal.follower.stop();
}

// A previous run persisted and sent a set_weights, then died before it learnt the outcome: the new
// committer finds that extrinsic on chain, records it included, and does not commit the epoch again
// although the store holds other weights for it.
TEST_F(CommitLocalnet, FindsAPendingAttemptOnChainAndNeverCommitsTheEpochTwice) {
  auto signer = keys::load_hotkey({boot->wallets, "pylon"}, "pylon");
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  const AccountId me = AccountId(signer->public_key);
  Submitter sub(*c->chain, std::move(signer).value(), SubmitterOptions{.mortal_period = 64, .timeout = 60s});
  auto miner1 = keys::key_from_uri("//PylonMiner1");
  auto miner2 = keys::key_from_uri("//PylonMiner2");
  ASSERT_TRUE(miner1.ok() && miner2.ok());
  const std::uint16_t netuid = boot->plain;

  // Start near the beginning of an epoch, so the whole window is still ahead.
  chain::BlockRef at = best(*c->chain);
  for (int i = 0; i < 12 && at.number - epoch_by_formula(netuid, 10, at.number)->start > 1; ++i) {
    ASSERT_TRUE(net::testing::new_blocks(*c->rpc, 1).ok());
    at = best(*c->chain);
  }
  const std::uint64_t epoch = epoch_by_formula(netuid, 10, at.number)->start;
  auto snap = follower::build_snapshot(*c->chain, netuid, at);
  ASSERT_TRUE(snap.ok());
  const std::uint16_t my_uid = snap->neuron_by_hotkey(me)->uid;
  const std::uint16_t m1 = snap->neuron_by_hotkey(AccountId(miner1->keypair.public_key))->uid;
  ASSERT_TRUE(store
                  ->apply(std::vector<weights::WeightUpdate>{
                      {netuid, epoch, AccountId(miner1->keypair.public_key), weights::Op::set, 1.0, 0, me},
                      {netuid, epoch, AccountId(miner2->keypair.public_key), weights::Op::set, 3.0, 0, me}})
                  .ok());

  BlockMaker blocks(*c->rpc);
  // The "previous run": persisted before sending, sent, and never told.
  std::int64_t id = 0;
  auto sent = sub.submit("SubtensorModule.set_weights",
                         R"({"netuid":)" + std::to_string(netuid) + R"(,"dests":[)" + std::to_string(m1) +
                             R"(],"weights":[65535],"version_key":0})",
                         at, [&](const Prepared& p) -> Status {
                           weights::CommitAttempt a;
                           a.netuid = netuid;
                           a.signer = me;
                           a.epoch = epoch;
                           a.block = p.block;
                           a.call = weights::CallKind::kSetWeights;
                           a.extrinsic_hash = p.signed_tx.hash;
                           a.extrinsic = p.signed_tx.bytes;
                           a.nonce = p.nonce;
                           a.mortal_until = p.mortal_until;
                           PYLON_ASSIGN(id, store->record_attempt(a));
                           return {};
                         });
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(sent->outcome.success) << sent->outcome.error;
  const std::vector<std::pair<std::uint16_t, std::uint16_t>> manual{{m1, 65535}};
  ASSERT_EQ(chain_weights(*c->chain, netuid, my_uid), manual);

  Loop loop(*c, *store, sub, netuid);
  ASSERT_TRUE(loop.follower.start().ok());
  ASSERT_TRUE(loop.committer.start().ok());
  auto status = [&] {
    auto a = store->attempts({netuid, me}, epoch);
    for (const auto& x : a.ok() ? *a : std::vector<weights::CommitAttempt>{})
      if (x.id == id) return std::string(weights::to_text(x.status));
    return std::string();
  };
  EXPECT_TRUE(test::eventually([&] { return status() == "included"; }, 60s)) << status();
  // Let the epoch (and its window) pass: still the one attempt, and the chain holds its weights.
  EXPECT_TRUE(test::eventually([&] { return best(*c->chain).number > epoch + 12; }, 60s));
  loop.committer.stop();
  loop.follower.stop();
  auto all = store->attempts({netuid, me}, epoch);
  ASSERT_TRUE(all.ok());
  int commits = 0;
  for (const auto& x : *all) commits += x.call == weights::CallKind::kSetWeights && x.status != weights::AttemptStatus::kMissed;
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(chain_weights(*c->chain, netuid, my_uid), manual);
}

// A hotkey that is not registered: the state says so, and nothing is sent or recorded.
TEST_F(CommitLocalnet, AnUnregisteredHotkeyIsBlockedWithTheReason) {
  auto bob = keys::key_from_uri("//Bob");
  auto miner1 = keys::key_from_uri("//PylonMiner1");
  ASSERT_TRUE(bob.ok() && miner1.ok());
  Submitter sub(*c->chain, std::move(bob->keypair));
  put_weights(*store, *c->chain, boot->plain, sub.account(), {{AccountId(miner1->keypair.public_key), 1.0}});
  Loop loop(*c, *store, sub, boot->plain);
  ASSERT_TRUE(loop.follower.start().ok());
  ASSERT_TRUE(loop.committer.start().ok());
  BlockMaker blocks(*c->rpc);
  EXPECT_TRUE(test::eventually([&] { return loop.committer.state().phase == Phase::kBlocked; }, 30s));
  const CommitterState st = loop.committer.state();
  EXPECT_NE(st.blocked_reason.find("is not registered on subnet " + std::to_string(boot->plain)),
            std::string::npos)
      << st.blocked_reason;
  EXPECT_NE(st.blocked_reason.find(codec::ss58_encode(sub.account())), std::string::npos);
  loop.committer.stop();
  loop.follower.stop();
  for (weights::AttemptStatus s : {weights::AttemptStatus::kPending, weights::AttemptStatus::kIncluded,
                                   weights::AttemptStatus::kFailed, weights::AttemptStatus::kMissed}) {
    auto a = store->attempts_with_status({boot->plain, sub.account()}, s);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a->empty()) << weights::to_text(s);
  }
}

}  // namespace
}  // namespace pylon::committer

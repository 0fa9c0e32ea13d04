// Two committers on one subnet, one per signing hotkey (issue 15), over one real weights store:
// each reads, resumes and commits only its own lane's rows (weights::Lane: subnet + its
// Submitter's hotkey). Neither hotkey is in the snapshot, so neither loop needs the chain (the
// chain client points at a port nobody listens on): what they decide from the store alone is what
// is checked. force_commit reads the lane's weights before anything else: "no weights" for the
// hotkey without any, "not registered" (past the weights) for the one with some. A pending attempt
// left unsigned by a previous run is closed by its own lane's committer only, at its restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "codec/ss58.hpp"
#include "committer/committer.hpp"
#include "keys/derive.hpp"
#include "net/net_context.hpp"
#include "net/rpc_client.hpp"

namespace pylon::committer {
namespace {

using namespace std::chrono_literals;

constexpr std::uint16_t kNetuid = 1;
constexpr std::uint64_t kEpoch = 1000;

follower::SnapshotPtr snapshot_at(std::uint64_t block) {
  auto s = std::make_shared<follower::Snapshot>();
  s->netuid = kNetuid;
  s->block = block;
  s->epoch = follower::SnapshotEpoch{kEpoch, kEpoch + 100};
  return s;
}

weights::CommitAttempt unsigned_attempt(const AccountId& signer) {
  weights::CommitAttempt a;
  a.netuid = kNetuid;
  a.signer = signer;
  a.epoch = kEpoch;
  a.block = kEpoch + 1;
  a.call = weights::CallKind::kSetWeights;
  a.status = weights::AttemptStatus::kPending;  // extrinsic empty: the run died before signing
  return a;
}

std::string status_of(weights::Store& store, const AccountId& signer) {
  auto a = store.attempts({kNetuid, signer}, kEpoch);
  if (!a.ok() || a->size() != 1) return "?";
  return std::string(weights::to_text((*a)[0].status));
}

TEST(CommitterLanes, EachHotkeysCommitterReadsAndResumesOnlyItsOwnLane) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("pylon-lanes-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  net::NetContext net;
  net::RpcClientOptions o;
  o.endpoints = {"ws://127.0.0.1:1"};  // nothing listens: nothing may need the chain here
  auto rpc = net::RpcClient::create(net, std::move(o));
  ASSERT_TRUE(rpc.ok()) << rpc.error().message;
  chain::ChainClient chain(**rpc);
  auto alice = keys::key_from_uri("//Alice");
  auto bob = keys::key_from_uri("//Bob");
  ASSERT_TRUE(alice.ok() && bob.ok());
  Submitter sub_a(chain, std::move(alice->keypair));
  Submitter sub_b(chain, std::move(bob->keypair));
  const AccountId a = sub_a.account(), b = sub_b.account();
  CommitterOptions opts;
  opts.netuid = kNetuid;
  AccountId target{};
  target[0] = 7;
  {
    auto store = weights::Store::open(dir + "/weights.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    // B holds weights for the epoch, A none (the zero signer's row, as a test's single lane or a
    // row from before lanes would be, is neither's); both left an unsigned pending attempt behind.
    ASSERT_TRUE((*store)->apply(weights::replacing(kNetuid, kEpoch, 0, {{target, 1.0}})).ok());
    std::vector<weights::WeightUpdate> of_b = weights::replacing(kNetuid, kEpoch, 0, {{target, 2.0}});
    for (auto& u : of_b) u.signer = b;
    ASSERT_TRUE((*store)->apply(of_b).ok());
    ASSERT_TRUE((*store)->record_attempt(unsigned_attempt(a)).ok());
    ASSERT_TRUE((*store)->record_attempt(unsigned_attempt(b)).ok());

    follower::SnapshotStore snapshots;
    snapshots.publish(snapshot_at(kEpoch + 10));
    Committer ca(chain, snapshots, **store, sub_a, opts);
    ASSERT_TRUE(ca.start().ok());
    EXPECT_EQ(ca.wait_ticked(kEpoch + 10, 60s), kEpoch + 10);
    // A's restart closed A's attempt; B's is B's committer's to look at.
    EXPECT_EQ(status_of(**store, a), "failed");
    EXPECT_EQ(status_of(**store, b), "pending");
    // A's lane has no weights (the zero signer's and B's rows of the same epoch are not A's).
    auto fa = ca.force_commit();
    ASSERT_FALSE(fa.ok());
    EXPECT_TRUE(fa.error().is(weights::StoreErrc::kNotFound)) << fa.error().message;
    ca.stop();

    Committer cb(chain, snapshots, **store, sub_b, opts);
    ASSERT_TRUE(cb.start().ok());
    EXPECT_EQ(cb.wait_ticked(kEpoch + 10, 60s), kEpoch + 10);
    EXPECT_EQ(status_of(**store, b), "failed");
    // B's lane has weights: B's force gets past them, to B's own registration.
    auto fb = cb.force_commit();
    ASSERT_FALSE(fb.ok());
    EXPECT_FALSE(fb.error().is(weights::StoreErrc::kNotFound)) << fb.error().message;
    EXPECT_NE(fb.error().message.find("hotkey " + codec::ss58_encode(b) + " is not registered on subnet 1"),
              std::string::npos)
        << fb.error().message;
    cb.stop();
    // Nothing was signed for either lane: still one attempt each.
    EXPECT_EQ((*store)->attempts({kNetuid, a}, kEpoch)->size(), 1u);
    EXPECT_EQ((*store)->attempts({kNetuid, b}, kEpoch)->size(), 1u);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pylon::committer

// The chain-backed endpoints on the real local chain (chopsticks with the subtensor runtime):
// //Alice registers a subnet with //RestOwnerHot as its owner hotkey, then the REST server, with
// a real ChainClient, Submitter (the hotkey), the coldkey loader and committer::epoch_at, must
//   - store POST /set_commitment's bytes as the hotkey's Raw commitment (read back through a
//     snapshot built from the chain, and through /get_commitment);
//   - apply PUT /set_hyperparam through AdminUtils (read back from chain storage), refusing an
//     unknown name (400) and a coldkey that does not own the subnet (403);
//   - answer POST /force_commit_weights through a real Committer (404 without weights, then the
//     stored weights with the attempt's extrinsic hash, recorded in the weights store) as soon as
//     the node holds the extrinsic in its pool, before any block includes it;
//   - answer reads at blocks it does not keep from the chain (/metagraph, /block_hash, /epoch).
#include <atomic>
#include <filesystem>
#include <thread>

#include "../common/poll_until.hpp"
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer.hpp"
#include "committer/epoch.hpp"
#include "committer/submitter.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<net::testing::LocalnetChain> connect() {
  net::RpcClientOptions o;
  o.request_timeout = 60s;
  return net::testing::connect_localnet(o);
}

// The Submitter waits for inclusion: BlockMaker makes the blocks it waits for.
using net::testing::BlockMaker;
using net::testing::finalized_block;

Result<follower::SnapshotPtr> snapshot_at_head(chain::ChainClient& c, std::uint16_t netuid) {
  PYLON_ASSIGN(chain::BlockRef at, finalized_block(c));
  follower::BuildOptions o;
  o.epoch = [](chain::ChainClient& cc, std::uint16_t n,
               const chain::BlockRef& b) -> Result<follower::SnapshotEpoch> {
    PYLON_ASSIGN(committer::EpochSpan e, committer::epoch_at(cc, n, b));
    return follower::SnapshotEpoch{e.start, e.end};
  };
  PYLON_ASSIGN(follower::Snapshot s, follower::build_snapshot(c, netuid, at, o));
  s.seen_at = s.built_at = std::chrono::steady_clock::now();
  return follower::SnapshotPtr(std::make_shared<const follower::Snapshot>(std::move(s)));
}

TEST(RestLocalnet, ChainBackedEndpoints) {
  PYLON_REQUIRE_LOCALNET();
  auto chain = connect();
  ASSERT_NE(chain, nullptr);
  auto& c = *chain->chain;
  auto alice = keys::key_from_uri("//Alice");
  auto bob = keys::key_from_uri("//Bob");
  auto hot = keys::key_from_uri("//RestOwnerHot");
  ASSERT_TRUE(alice.ok() && bob.ok() && hot.ok());
  const std::string hot_ss58 = codec::ss58_encode(hot->keypair.public_key);

  // Setup: no network rate limit, fees for the hotkey, a subnet owned by //Alice.
  auto before = finalized_block(c);
  ASSERT_TRUE(before.ok()) << before.error().message;
  auto subnet = net::testing::register_subnet(c, alice->keypair, hot_ss58, 100000000000);
  ASSERT_TRUE(subnet.ok()) << subnet.error().message;
  const std::uint16_t netuid = *subnet;
  // The owner hotkey registered at this very block: without lifting the weights rate limit a
  // set_weights now is refused as SettingWeightsTooFast.
  auto wrl =
      net::testing::sign_and_seal(c, alice->keypair, "Sudo.sudo",
                                  R"({"call":{"AdminUtils":{"sudo_set_weights_set_rate_limit":{"netuid":)" +
                                      std::to_string(netuid) + R"(,"weights_set_rate_limit":0}}}})");
  ASSERT_TRUE(wrl.ok()) << wrl.error().message;

  follower::SnapshotStore snapshots(2);
  auto first = snapshot_at_head(c, netuid);
  ASSERT_TRUE(first.ok()) << first.error().message;
  snapshots.publish(*first);

  committer::Submitter hotkey_submitter(c, hot->keypair.clone());
  // The weights path: a real store and writer in a temp dir, and the commit loop on them.
  char tmpl[] = "/tmp/pylon-rest-localnet-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  auto store = weights::Store::open(dir + "/weights.db");
  ASSERT_TRUE(store.ok()) << store.error().message;
  // The writer of the hotkey's lane: what the legacy routes write, its committer commits.
  weights::WriterOptions wo;
  wo.signer = hotkey_submitter.account();
  weights::Writer writer(
      **store, nullptr, [] { return std::optional<weights::DrainContext>(); }, wo);
  committer::CommitterOptions co;
  co.netuid = netuid;
  committer::Committer commit_loop(c, snapshots, **store, hotkey_submitter, co);
  ASSERT_TRUE(commit_loop.start().ok());
  std::atomic<bool> coldkey_is_bob{false};
  RestDeps deps(snapshots, netuid);
  deps.chain = &c;
  deps.hotkey_submitter = &hotkey_submitter;
  deps.store = store->get();
  deps.writer = &writer;
  deps.committer = &commit_loop;
  deps.load_coldkey = [&]() -> Result<keys::Keypair> {
    return coldkey_is_bob ? bob->keypair.clone() : alice->keypair.clone();
  };
  deps.epoch_at = [&c, netuid](const chain::BlockRef& at) -> Result<EpochAnswer> {
    PYLON_ASSIGN(committer::EpochSpan e, committer::epoch_at(c, netuid, at));
    return EpochAnswer{e.start, e.end};
  };
  auto server = Server::start(loopback_options(), std::move(deps));
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();

  {
    BlockMaker blocks(*chain->rpc);
    // set_commitment: included, then visible in a snapshot built from the chain.
    auto a = http(port, "POST", "/set_commitment", R"({"data_hex":"0xc0ffee42"})");
    ASSERT_EQ(a.status, 200u) << a.body;
    EXPECT_NE(a.body.find("\"extrinsic_hash\":\"0x"), std::string::npos) << a.body;

    // set_hyperparam as the owner: the storage item changes.
    a = http(port, "PUT", "/set_hyperparam", R"({"name":"max_weight_limit","value":40000})");
    ASSERT_EQ(a.status, 200u) << a.body;
    // Unknown names and values of the wrong shape are refused before anything is signed.
    a = http(port, "PUT", "/set_hyperparam", R"({"name":"no_such_knob","value":1})");
    EXPECT_EQ(a.status, 400u) << a.body;
    EXPECT_NE(a.body.find("unknown hyperparameter"), std::string::npos) << a.body;
    a = http(port, "PUT", "/set_hyperparam", R"({"name":"max_weight_limit","value":"lots"})");
    EXPECT_EQ(a.status, 400u) << a.body;
    // Someone else's coldkey: 403, and nothing is submitted.
    coldkey_is_bob = true;
    a = http(port, "PUT", "/set_hyperparam", R"({"name":"max_weight_limit","value":9})");
    EXPECT_EQ(a.status, 403u) << a.body;
    EXPECT_NE(a.body.find("does not own subnet"), std::string::npos) << a.body;
  }

  {
    // force_commit_weights, with no block being made: 404 while the epoch has no weights, then an
    // answer as soon as the node has the extrinsic in its pool, before any block includes it;
    // the attempt is recorded under the answered hash, pending until a block is made.
    auto a = http(port, "POST", "/force_commit_weights");
    EXPECT_EQ(a.status, 404u) << a.body;
    a = http(port, "PUT", "/set_weight", R"({"hotkey":")" + hot_ss58 + R"(","weight":0.75})");
    ASSERT_EQ(a.status, 200u) << a.body;
    a = http(port, "POST", "/force_commit_weights");
    ASSERT_EQ(a.status, 200u) << a.body;
    Json fc(a.body);
    ASSERT_TRUE(fc.ok) << a.body;
    EXPECT_EQ(fc.root["committed_weights"][hot_ss58].get_double().value_unsafe(), 0.75) << a.body;
    std::string_view hash_view;
    ASSERT_FALSE(fc.root["extrinsic_hash"].get_string().get(hash_view)) << a.body;
    const std::string hash(hash_view);
    const auto epoch = (*first)->epoch->start;
    auto attempt_status = [&]() -> std::string {
      auto attempts = (*store)->attempts({netuid, hotkey_submitter.account()}, epoch);
      if (!attempts.ok()) return "unreadable";
      for (const auto& at : *attempts)
        if (to_hex(at.extrinsic_hash) == hash) return std::string(weights::to_text(at.status));
      return "absent";
    };
    EXPECT_EQ(attempt_status(), "pending");
    // The node holds it: its pool lists the signed bytes the store recorded.
    auto pool = chain->rpc->call("author_pendingExtrinsics", "[]");
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    auto attempts = (*store)->attempts({netuid, hotkey_submitter.account()}, epoch);
    ASSERT_TRUE(attempts.ok());
    std::string signed_hex;
    for (const auto& at : *attempts)
      if (to_hex(at.extrinsic_hash) == hash) signed_hex = to_hex(at.extrinsic);
    ASSERT_FALSE(signed_hex.empty());
    EXPECT_NE(pool->find(signed_hex.substr(2)), std::string::npos) << "not in the node's pool";
    a = http(port, "GET", "/weights_status?epoch=" + std::to_string(epoch));
    EXPECT_EQ(a.status, 200u) << a.body;
    EXPECT_NE(a.body.find(hash), std::string::npos) << a.body;
    // One block later it is included, and the store says so.
    ASSERT_TRUE(net::testing::new_blocks(*chain->rpc, 1).ok());
    ::pylon::test::poll_until([&] { return attempt_status() == "included"; }, 30s, 100ms);
    EXPECT_EQ(attempt_status(), "included");
  }

  auto now = finalized_block(c);
  ASSERT_TRUE(now.ok());
  auto md = c.metadata(now->hash);
  ASSERT_TRUE(md.ok());
  auto limit = committer::read_netuid_u64(c, **md, "MaxWeightsLimit", netuid, *now);
  ASSERT_TRUE(limit.ok()) << limit.error().message;
  EXPECT_EQ(*limit, 40000u);

  auto second = snapshot_at_head(c, netuid);
  ASSERT_TRUE(second.ok()) << second.error().message;
  snapshots.publish(*second);
  auto a = http(port, "GET", "/get_commitment/" + hot_ss58);
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + hot_ss58 + "\",\"commitment\":\"0xc0ffee42\"}");
  a = http(port, "GET", "/hyperparams");
  EXPECT_NE(a.body.find("\"max_weights_limit\":40000"), std::string::npos) << a.body;

  // Reads at a block the server no longer keeps (it keeps two; publishing again pushes the first
  // snapshot out): from the chain.
  snapshots.publish(*second);
  const std::uint64_t old_block = (*first)->block;
  a = http(port, "GET", "/metagraph/" + std::to_string(old_block));
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_NE(a.body.find("\"block_hash\":\"" + chain::hash_hex((*first)->block_hash) + "\""),
            std::string::npos);
  EXPECT_NE(a.body.find(hot_ss58), std::string::npos);
  a = http(port, "GET", "/block_hash/" + std::to_string(before->number));
  EXPECT_EQ(a.body, "{\"block_hash\":\"" + chain::hash_hex(before->hash) + "\"}");
  a = http(port, "GET", "/epoch/" + std::to_string(old_block));
  EXPECT_EQ(a.status, 200u) << a.body;
  auto span = committer::epoch_at(c, netuid, {(*first)->block_hash, old_block});
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(a.body, "{\"epoch_start\":" + std::to_string(span->start) +
                        ",\"epoch_end\":" + std::to_string(span->end) + "}");
}

}  // namespace
}  // namespace pylon::rest::test

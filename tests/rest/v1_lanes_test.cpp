// Two /api/v1 identities on ONE subnet with DIFFERENT hotkeys (issue 15), through the real Server,
// the real weights Writers (one per hotkey: its lane) and a real store: a PUT through one identity
// stores that identity's hotkey's weights and never changes the other's; a third identity sharing
// the first one's hotkey shares its lane (latest request wins for the hotkey, as on chain); the
// legacy routes read the default lane; and a restart finds both lanes as they were left.
#include <gtest/gtest.h>

#include <filesystem>

#include "codec/ss58.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360, netuid 1)
const std::string kOther = "other-identity-token-0123";
const std::string kAlias = "alias-identity-token-0123";

std::string hotkey(std::size_t uid) {
  return codec::ss58_encode(recorded()->neurons.at(uid).hotkey);
}
const AccountId& account(std::size_t uid) {
  return recorded()->neurons.at(uid).hotkey;
}

std::unique_ptr<weights::Writer> writer_for(weights::Store& s, const AccountId& signer) {
  weights::WriterOptions o;
  o.signer = signer;
  return std::make_unique<weights::Writer>(
      s, nullptr, [] { return std::optional<weights::DrainContext>(); }, o);
}

TEST(RestV1Lanes, EachIdentityOnOneSubnetWritesOnlyItsOwnHotkeysWeights) {
  PYLON_REST_REQUIRE_SHARED();
  char tmpl[] = "/tmp/pylon-rest-lanes-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  // Identity sn1 signs with neuron 0's hotkey (the subnet's default lane), `other` with neuron 1's
  // (a lane of its own), `alias` with neuron 0's again.
  const AccountId& a = account(0);
  const AccountId& b = account(1);
  std::map<AccountId, double> of_a, of_b;
  {
    auto store = weights::Store::open(dir + "/weights.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto writer_a = writer_for(**store, a);
    auto writer_b = writer_for(**store, b);
    follower::SnapshotStore snapshots{4};
    snapshots.publish(at_block(*recorded(), recorded()->block));
    RestDeps deps(snapshots, kNetuid);
    deps.chain = replay_node().stack ? replay_node().stack->chain.get() : nullptr;
    deps.build_hyperparams = false;
    deps.build_commitments = false;
    deps.store = store->get();
    deps.writer = writer_a.get();
    deps.lanes[b] = LaneDeps{writer_b.get(), nullptr, nullptr};
    RestOptions o = v1_options();
    o.v1.identities.push_back({"other", kNetuid, std::make_shared<const keys::SecretString>(kOther), b});
    o.v1.identities.push_back({"alias", kNetuid, std::make_shared<const keys::SecretString>(kAlias), a});
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    auto server = Server::start(std::move(o), std::move(deps));
    ASSERT_TRUE(server.ok()) << server.error().message;
    const std::uint16_t port = (*server)->port();
    auto put = [&](const std::string& identity, const std::string& token, const std::string& body) {
      auto r =
          http(port, "PUT", "/api/v1/identity/" + identity + "/subnet/1/weights", body, "Bearer " + token);
      EXPECT_EQ(r.status, 200u) << identity << ": " << r.body;
    };
    auto stored = [&](const AccountId& signer) {
      auto w = (*store)->weights({kNetuid, signer}, kEpoch);
      EXPECT_TRUE(w.ok());
      return w.ok() ? *w : std::map<AccountId, double>{};
    };

    put("sn1", kSn1, "{\"weights\":{\"" + hotkey(2) + "\":1,\"" + hotkey(3) + "\":2}}");
    of_a = {{account(2), 1.0}, {account(3), 2.0}};
    EXPECT_EQ(stored(a), of_a);
    EXPECT_TRUE(stored(b).empty());
    // B's PUT: B's lane only; A's weights stay as they were.
    put("other", kOther, "{\"weights\":{\"" + hotkey(2) + "\":5}}");
    of_b = {{account(2), 5.0}};
    EXPECT_EQ(stored(b), of_b);
    EXPECT_EQ(stored(a), of_a);
    // B's latest request replaces B's set, not A's.
    put("other", kOther, "{\"weights\":{\"" + hotkey(4) + "\":1}}");
    of_b = {{account(2), 0.0}, {account(4), 1.0}};
    EXPECT_EQ(stored(b), of_b);
    EXPECT_EQ(stored(a), of_a);
    // `alias` shares A's hotkey: it shares A's lane, and its latest request wins there.
    put("alias", kAlias, "{\"weights\":{\"" + hotkey(5) + "\":3}}");
    of_a = {{account(2), 0.0}, {account(3), 0.0}, {account(5), 3.0}};
    EXPECT_EQ(stored(a), of_a);
    EXPECT_EQ(stored(b), of_b);
    // Nothing went to the zero signer's lane (a writer without a hotkey).
    EXPECT_TRUE((*store)->weights({kNetuid}, kEpoch)->empty());
    // The legacy surface reads the default lane (A's).
    auto raw = http(port, "GET", "/raw_weights?epoch=" + std::to_string(recorded()->block));
    ASSERT_EQ(raw.status, 200u) << raw.body;
    EXPECT_NE(raw.body.find(hotkey(5)), std::string::npos) << raw.body;
    EXPECT_EQ(raw.body.find(hotkey(4)), std::string::npos) << raw.body;
    (*server)->stop();
    writer_a->stop();
    writer_b->stop();
  }
  {
    // A restart: both lanes as they were left.
    auto store = weights::Store::open(dir + "/weights.db");
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ(*(*store)->weights({kNetuid, a}, kEpoch), of_a);
    EXPECT_EQ(*(*store)->weights({kNetuid, b}, kEpoch), of_b);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace pylon::rest::test

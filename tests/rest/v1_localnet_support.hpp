// What the /api/v1 tests on the real local chain share beside the chain's own helpers
// (tests/chain/localnet_chain.hpp): the test fixture holding the chain, the tests' keys, a
// subnet's snapshots built from the chain, and the REST server following that subnet wired as the
// daemon wires it. Header-only; for the test_rest_localnet binary.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "codec/ss58.hpp"
#include "committer/submitter.hpp"
#include "follower/snapshot.hpp"
#include "follower/snapshot_store.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest/server.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {

// A test on the local chain: skipped without one (PYLON_REQUIRE_LOCALNET), else set up with
// localnet_setup()'s chain client and //Alice. Each suite is an alias of it, so the tests keep
// their names.
class LocalnetRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PYLON_REQUIRE_LOCALNET();
    setup_ = net::testing::localnet_setup();
    ASSERT_TRUE(setup_);
  }
  net::testing::LocalnetChain& localnet() { return *setup_->chain; }
  chain::ChainClient& client() { return *setup_->chain->chain; }

  std::optional<net::testing::LocalnetSetup> setup_;
};

// A test's key by its URI ("//Bob"), with the account and the SS58 address the test names it by.
struct LocalnetKey {
  keys::Keypair keypair;
  AccountId id;
  std::string ss58;
};
inline Result<LocalnetKey> localnet_key(std::string_view uri) {
  PYLON_ASSIGN(keys::UriKey k, keys::key_from_uri(uri));
  LocalnetKey out{std::move(k.keypair), AccountId{}, ""};
  out.id = AccountId(out.keypair.public_key);
  out.ss58 = codec::ss58_encode(out.keypair.public_key);
  return out;
}

// `netuid`'s snapshot at `at` (the finalized head when not given), built from the chain without
// stakes, seen and built now, published to `snapshots`.
inline Status publish_localnet_snapshot(follower::SnapshotStore& snapshots, chain::ChainClient& c,
                                        std::uint16_t netuid, std::optional<chain::BlockRef> at = {}) {
  if (!at) {
    PYLON_ASSIGN(at, net::testing::finalized_block(c));
  }
  follower::BuildOptions o;
  o.stakes = false;
  PYLON_ASSIGN(follower::Snapshot s, follower::build_snapshot(c, netuid, *at, o));
  s.seen_at = s.built_at = std::chrono::steady_clock::now();
  snapshots.publish(std::make_shared<const follower::Snapshot>(std::move(s)));
  return {};
}

// The REST server following `netuid`: its `snapshots`, the chain client for reads at blocks not
// kept and for submissions, and `hotkey_submitter`, the identity's hotkey's one signer (null for
// reads only).
inline Result<std::unique_ptr<Server>> start_localnet_rest(RestOptions options,
                                                           follower::SnapshotStore& snapshots,
                                                           std::uint16_t netuid, chain::ChainClient& c,
                                                           committer::Submitter* hotkey_submitter = nullptr) {
  RestDeps deps(snapshots, netuid);
  deps.chain = &c;
  deps.hotkey_submitter = hotkey_submitter;
  return Server::start(std::move(options), std::move(deps));
}

}  // namespace pylon::rest::test

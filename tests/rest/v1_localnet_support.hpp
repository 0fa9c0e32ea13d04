// What the /api/v1 tests on the real local chain share beside the chain's own helpers
// (tests/chain/localnet_chain.hpp): a subnet's snapshots built from the chain, and the REST server
// following that subnet wired as the daemon wires it. Header-only; for the test_rest_localnet
// binary.
#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "committer/submitter.hpp"
#include "follower/snapshot.hpp"
#include "follower/snapshot_store.hpp"
#include "localnet_chain.hpp"
#include "rest/server.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {

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

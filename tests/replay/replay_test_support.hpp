// What the replay tests share: the shared folder (skip without it), a client stack against a
// ReplayServer, a follower rig, and waiting for a condition with a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "../common/poll_until.hpp"
#include "chain/chain_client.hpp"
#include "follower/follower.hpp"
#include "net/rpc_client.hpp"
#include "replay_server.hpp"

namespace pylon::replay::testing {

using namespace std::chrono_literals;

inline std::string shared_dir() {
  return find_shared_dir(PYLON_SHARED_DIR_DEFAULT);
}

#define PYLON_REPLAY_REQUIRE_SHARED()                                                                      \
  if (::pylon::replay::testing::shared_dir().empty())                                                      \
  GTEST_SKIP() << "shared reference files (chain/finney-recordings.json, finney-metadata-v15) not found: " \
                  "set PYLON_SHARED_DIR to the shared folder"

inline bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

// Waits for a condition of the client under test against the replay server (no event to wait on).
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds limit) {
  return ::pylon::test::poll_until(std::forward<Pred>(pred), limit, std::chrono::milliseconds(5));
}

// NetContext + RpcClient + ChainClient against one server, with short timeouts so faults show
// within a test's time.
struct ClientStack {
  explicit ClientStack(const std::string& url, std::chrono::milliseconds request_timeout = 2000ms) {
    net::RpcClientOptions o;
    o.endpoints = {url};
    o.request_timeout = request_timeout;
    o.connect_timeout = 1000ms;
    o.backoff = {20ms, 200ms, 2.0, 0.5};
    auto c = net::RpcClient::create(net, std::move(o));
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (!c.ok()) return;
    rpc = std::move(c).value();
    chain = std::make_unique<chain::ChainClient>(*rpc);
  }
  ~ClientStack() {
    chain.reset();
    rpc.reset();
  }
  net::NetContext net;
  std::unique_ptr<net::RpcClient> rpc;
  std::unique_ptr<chain::ChainClient> chain;
};

// The neurons alone: what every recording holds.
inline follower::BuildOptions neurons_only() {
  return {.hyperparams = false, .commitments = false, .timestamp = false, .stakes = false, .epoch = {}};
}

inline follower::FollowerOptions follower_options() {
  follower::FollowerOptions o;
  o.netuid = 1;
  o.build = neurons_only();
  o.retry_after = 100ms;
  o.stale_after = 1000ms;
  return o;
}

// The block every recording is of.
inline constexpr std::uint64_t kRecordedBlock = 6852690;

// build_snapshot of `netuid` at the recorded block, its hash read through `c` first.
inline Result<follower::Snapshot> build_recorded(ClientStack& c, std::uint16_t netuid = 1,
                                                 const follower::BuildOptions& build = neurons_only()) {
  auto hash = c.chain->block_hash(kRecordedBlock);
  if (!hash) return hash.error();
  if (!*hash) return make_error("the recording names no hash for block " + std::to_string(kRecordedBlock));
  return follower::build_snapshot(*c.chain, netuid, {**hash, kRecordedBlock}, build);
}

inline std::unique_ptr<ReplayServer> start_server(const std::string& scenario = "metagraph") {
  auto s = ReplayServer::start({shared_dir(), scenario});
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? std::move(s).value() : nullptr;
}

// A ReplayServer of the metagraph recording and a client stack on it, what most replay tests
// start from; up() when both came up.
struct ReplayedNode {
  ReplayedNode() : server(start_server()) {
    if (server) stack = std::make_unique<ClientStack>(server->url());
  }
  bool up() const { return server && stack && stack->rpc && stack->chain; }
  std::unique_ptr<ReplayServer> server;
  std::unique_ptr<ClientStack> stack;  // destroyed first: it holds connections to the server
};

// A ReplayServer, a client stack and a follower publishing into `store`; first() starts it.
struct FollowerRig {
  FollowerRig() {
    server = start_server();
    if (!server) return;
    client = std::make_unique<ClientStack>(server->url());
    follower = std::make_unique<follower::Follower>(*client->chain, *client->rpc, store, follower_options(),
                                                    follower::LogFn{});
  }
  ~FollowerRig() {
    if (follower) follower->stop();
  }
  // Starts and waits for the recorded block's snapshot.
  follower::SnapshotPtr first() {
    if (!follower || !follower->start().ok()) return nullptr;
    if (!store.wait_until([&] { return store.published_count() >= 1; }, 20s)) return nullptr;
    return store.latest();
  }
  // After the fault clears: the follower publishes `block` and is no longer stale.
  void expect_recovers_to(std::uint64_t block) {
    EXPECT_TRUE(store.wait_until(
        [&] {
          auto l = store.latest();
          return l && l->block == block && !store.staleness().stale;
        },
        20s))
        << "still stale: " << store.staleness().reason;
    auto l = store.latest();
    ASSERT_TRUE(l);
    EXPECT_EQ(l->neurons.size(), 1024u);
    EXPECT_EQ(l->spec_version, 343u);
  }
  // Turns `fault` on, makes a new head and waits until the follower reports itself stale; the
  // new head's number (published once the fault clears) and the staleness reason.
  std::pair<std::uint64_t, std::string> fault_then_stale(Fault fault) {
    server->set_fault(fault);
    const std::uint64_t next = server->advance_head();
    EXPECT_TRUE(store.wait_until([&] { return store.staleness().stale; }, 10s));
    return {next, store.staleness().reason};
  }
  std::unique_ptr<ReplayServer> server;
  std::unique_ptr<ClientStack> client;
  follower::SnapshotStore store;
  std::unique_ptr<follower::Follower> follower;
};

}  // namespace pylon::replay::testing

// Follows finalized heads and turns them into snapshots of one subnet, off the network thread:
// the subscription only records the newest head number; one worker thread builds the snapshot
// for the newest head (skipping heads that arrived meanwhile, and all but every Nth when asked),
// publishes it whole, or marks the last one stale with the reason.
//
// Gaps are not back-filled, by design. After a reconnect (the RPC client resubscribes and the node
// sends its current finalized head first), a node that was down, or a build slower than a block,
// the next snapshot is of the newest finalized head, not of the blocks missed in between: a
// snapshot is the subnet's current state, and building the missed blocks first would only delay
// the current one. A missed block is simply absent from the store, like any block older than it,
// and reads at it go to the chain (the archive endpoint past its cutoff).
#pragma once

#include <condition_variable>
#include <functional>
#include <thread>

#include "common/sync.hpp"
#include "follower/snapshot_store.hpp"
#include "net/rpc_client.hpp"

namespace pylon::follower {

struct FollowerOptions {
  std::uint16_t netuid = 0;
  std::uint32_t every_n_blocks = 1;
  BuildOptions build;
  std::chrono::milliseconds retry_after{2000};  // after a failed build, try the head again
  // With no connection, or no new snapshot for this long, the latest is marked stale.
  std::chrono::milliseconds stale_after{30000};
};

using LogFn = std::function<void(std::string_view level, std::string_view message)>;

class Follower {
 public:
  Follower(chain::ChainClient& chain, net::RpcClient& rpc, SnapshotStore& store, FollowerOptions options,
           LogFn log);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Subscribes to finalized heads and starts the worker (which first builds the current head).
  Status start();
  // Unsubscribes and joins the worker; a build in progress finishes first.
  void stop();

 private:
  void on_head(std::string_view header_json);
  void run();
  Status build(std::uint64_t number);

  chain::ChainClient& chain_;
  net::RpcClient& rpc_;
  SnapshotStore& store_;
  FollowerOptions options_;
  LogFn log_;
  Mutex mu_;
  std::condition_variable cv_;  // with mu_
  std::uint64_t newest_ PYLON_GUARDED_BY(mu_) = 0;
  bool have_head_ PYLON_GUARDED_BY(mu_) = false;
  // The node's finalized head went back (a restarted dev chain, a resync).
  bool rewound_ PYLON_GUARDED_BY(mu_) = false;
  bool stopping_ PYLON_GUARDED_BY(mu_) = false;
  std::optional<net::SubscriptionId> sub_;
  std::thread worker_;
};

}  // namespace pylon::follower

// Follows finalized heads and turns them into snapshots of one or several subnets, off the
// network thread: the subscription only records the newest head number; one worker thread builds
// each followed subnet's snapshot of the newest head in turn (skipping heads that arrived
// meanwhile, and all but every Nth when asked), publishes each whole into that subnet's store, or
// marks that store's last one stale with the reason. One subscription and one worker whatever the
// number of subnets: a block's hash, runtime version, metadata and timestamp are read once
// (read_block) and serve every subnet's build. A subnet whose build fails (absent at that
// block, an answer that does not decode) is retried alone; it never holds back the others.
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
#include <vector>

#include "common/sync.hpp"
#include "follower/snapshot_store.hpp"
#include "net/rpc_client.hpp"

namespace pylon::follower {

struct FollowerOptions {
  std::uint16_t netuid = 0;  // the one subnet of the single-store constructor
  std::uint32_t every_n_blocks = 1;
  BuildOptions build;
  std::chrono::milliseconds retry_after{2000};  // after a failed build, try the head again
  // With no connection, or no new snapshot for this long, the latest is marked stale.
  std::chrono::milliseconds stale_after{30000};
};

using LogFn = std::function<void(std::string_view level, std::string_view message)>;

// One followed subnet and the store its snapshots go to.
struct FollowedSubnet {
  std::uint16_t netuid = 0;
  SnapshotStore* store = nullptr;  // never null; outlives the Follower
};

class Follower {
 public:
  // Follows `options.netuid` into `store`.
  Follower(chain::ChainClient& chain, net::RpcClient& rpc, SnapshotStore& store, FollowerOptions options,
           LogFn log);
  // Follows every subnet of `subnets` (distinct netuids, at least one); `options.netuid` unused.
  Follower(chain::ChainClient& chain, net::RpcClient& rpc, std::vector<FollowedSubnet> subnets,
           FollowerOptions options, LogFn log);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Subscribes to finalized heads and starts the worker (which first builds the current head).
  Status start();
  // Unsubscribes and joins the worker; a build in progress finishes first.
  void stop();

 private:
  // A followed subnet and the worker's progress on it: netuid and store never change after
  // construction (read by any thread); done and have_done belong to the worker thread.
  struct Subnet {
    std::uint16_t netuid = 0;
    SnapshotStore* store = nullptr;
    std::uint64_t done = 0;  // the block of its last published snapshot
    bool have_done = false;
    chain::ReadPattern reads;  // what its last build asked the node (build_snapshots reads it ahead)
    bool behind(std::uint64_t target) const { return !have_done || done < target; }
  };

  void on_head(std::string_view header_json);
  void run();
  // Builds every subnet behind `target`; false when one failed (it stays behind).
  bool build_all(std::uint64_t target);
  void mark_all_stale(const std::string& reason);
  bool any_behind(std::uint64_t target) const;

  chain::ChainClient& chain_;
  net::RpcClient& rpc_;
  std::vector<Subnet> subnets_;
  FollowerOptions options_;
  LogFn log_;
  Mutex mu_;
  std::condition_variable cv_;  // with mu_
  std::uint64_t newest_ PYLON_GUARDED_BY(mu_) = 0;
  bool have_head_ PYLON_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_head_at_ PYLON_GUARDED_BY(mu_){};  // when newest_ last moved
  // The node's finalized head went back (a restarted dev chain, a resync).
  bool rewound_ PYLON_GUARDED_BY(mu_) = false;
  bool stopping_ PYLON_GUARDED_BY(mu_) = false;
  std::optional<net::SubscriptionId> sub_;
  std::thread worker_;
};

}  // namespace pylon::follower

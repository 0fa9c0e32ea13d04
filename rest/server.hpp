// The REST API (../shared/api/seed-rest.md plus Pylon's additions) over HTTP/1.1 with Boost.Beast.
//
// Threads: `io_threads` event loops, each owning the connections dealt to it (parse, route,
// write); they never block.
// Whatever may block (chain reads for blocks the snapshot cache does not hold, the weights store,
// extrinsic submission) runs on a small worker pool and posts its answer back to the I/O thread.
// Read answers for a snapshot (/metagraph, /latest_block, ...) are rendered once per snapshot and
// shared by every response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "chain/chain_client.hpp"
#include "common/result.hpp"
#include "follower/snapshot_store.hpp"
#include "keys/sr25519.hpp"
#include "rest/chain_metrics.hpp"
#include "rest/v1/options.hpp"

namespace pylon::weights {
class Store;
class Writer;
}  // namespace pylon::weights
namespace pylon::committer {
class Committer;
class Submitter;
}  // namespace pylon::committer

namespace pylon::rest {

struct RestOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: an ephemeral port (tests); port() tells which
  // With a token: writes and /metrics need `Authorization: Bearer <token>` (401 otherwise).
  // Without: writes are accepted from loopback peers only (403 otherwise).
  std::optional<std::string> auth_token;
  // With a metrics token, /metrics needs it and only it: a scraper holds a token that cannot
  // write weights, and the write token no longer opens /metrics. It opens nothing else.
  std::optional<std::string> metrics_token;
  bool reads_need_token = false;         // with a token, reads need it too (/live and /health never do)
  std::size_t body_limit = 1024 * 1024;  // bytes; larger get 413 (/set_weights of 1024 hotkeys: ~80 KB)
  std::size_t header_limit = 8 * 1024;   // bytes of request line + headers
  std::chrono::milliseconds read_timeout{10000};   // a whole request must arrive within this
  std::chrono::milliseconds write_timeout{30000};  // a whole response must leave within this
  std::chrono::milliseconds idle_timeout{60000};   // keep-alive connections idle longer are closed
  // Threads serving connections, each with its own event loop; new connections are dealt to them
  // in turn. One is plenty for the protocol; more keep tail latency low when the machine is busy.
  std::size_t io_threads = 1;
  std::size_t workers = 2;                        // threads for blocking work
  std::chrono::milliseconds fresh_within{60000};  // /health: the latest snapshot is at most this old
  std::size_t old_block_cache = 8;                // snapshots built from the chain for old blocks
  v1::Options v1;                                 // the /api/v1 surface (identities, tokens, timeouts)
  // GET /latest_block?after=N requests parked at once (rest/long_poll.hpp); beyond: 503 at once.
  std::size_t max_long_polls = 1024;
};

// The epoch holding a block (committer::epoch_at bound to the chain and netuid).
struct EpochAnswer {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};
using EpochFn = std::function<Result<EpochAnswer>(const chain::BlockRef& at)>;

// A further signing hotkey's parts on a subnet (its lane, weights::Lane): the writer and
// committer of that hotkey's weights and its submitter. A subnet's parts (SubnetDeps, RestDeps)
// are its default lane's; an /api/v1 identity whose hotkey has a lane of its own in `lanes`
// writes through that one.
struct LaneDeps {
  weights::Writer* writer = nullptr;
  committer::Committer* committer = nullptr;
  committer::Submitter* submitter = nullptr;
};

// One followed subnet's parts besides the default one (whose parts are RestDeps' own fields). The
// /api/v1 routes of that netuid (its identities' and the open-access reads) use them; the legacy
// surface serves the default subnet only.
struct SubnetDeps {
  follower::SnapshotStore* snapshots = nullptr;  // never null
  weights::Writer* writer = nullptr;             // its weights writes (null: refused 503)
  committer::Committer* committer = nullptr;     // null when no identity signs on this subnet
  committer::Submitter* hotkey_submitter = nullptr;  // the signer of the identities on this subnet
  EpochFn epoch_at;                                  // as RestDeps::epoch_at, for this netuid
  std::map<AccountId, LaneDeps> lanes;               // the other hotkeys' lanes, by hotkey
};

// Everything the API reads and drives. Only `snapshots` is required; a missing part turns the
// endpoints that need it into 503 answers that say what is missing.
struct RestDeps {
  explicit RestDeps(follower::SnapshotStore& s, std::uint16_t subnet = 0) : snapshots(s), netuid(subnet) {}

  follower::SnapshotStore& snapshots;
  std::uint16_t netuid = 0;
  chain::ChainClient* chain = nullptr;  // reads at blocks not kept, block hashes, submissions
  weights::Store* store = nullptr;      // weights reads, /weights_status
  // The default lane: its writer (group commit), committer and signer; the legacy routes read and
  // write its weights (the writer's lane, weights::Writer::signer).
  weights::Writer* writer = nullptr;
  committer::Committer* committer = nullptr;
  // The committer's own signer for the validator's hotkey (one per key: nonces never race):
  // /set_commitment and POST /api/v1/.../certificates/self.
  committer::Submitter* hotkey_submitter = nullptr;
  // The coldkey, loaded only when a /set_hyperparam needs it (null: no password file configured).
  std::function<Result<keys::Keypair>()> load_coldkey;
  // The epoch of a block; null: subtensor's formula over the snapshot's tempo hyperparameter.
  EpochFn epoch_at;
  // Chain RPC latency, errors and connection events, rendered in /metrics (null: left out).
  const ChainMetrics* chain_metrics = nullptr;
  // The default subnet's other hotkeys' lanes, by hotkey (SubnetDeps::lanes).
  std::map<AccountId, LaneDeps> lanes;
  // What build_snapshot reads for blocks outside the cache (the follower's own options).
  bool build_hyperparams = true;
  bool build_commitments = true;
  // The other followed subnets, by netuid (never the default netuid; an entry without snapshots
  // is left out). They share the chain, the weights store and the options above.
  std::map<std::uint16_t, SubnetDeps> subnets;
};

class Server {
 public:
  // Binds, listens and starts the I/O threads and the worker pool. Fails (never throws) when the
  // address cannot be bound. Sets SIGPIPE to be ignored when it has its default action (file
  // bodies leave with sendfile, which cannot ask for no signal).
  static Result<std::unique_ptr<Server>> start(RestOptions options, RestDeps deps);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  // Long-polls parked now (tests wait on it before they publish).
  std::size_t long_polls_parked() const;
  // Until the bodies of a snapshot of `block` or later are rendered and compressed (they are, on
  // a worker, each time the store publishes one; requests before that get identity bodies), or
  // the timeout passed. Tests wait on it before they ask for compressed answers.
  bool wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout) const;
  // The same for the followed subnet `netuid` (false at once for a subnet not followed).
  bool wait_prepared(std::uint16_t netuid, std::uint64_t block, std::chrono::milliseconds timeout) const;
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pylon::rest

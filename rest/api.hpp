// The endpoints themselves, independent of the sockets: a request in, a Response out through the
// Reply. Called on the I/O threads (any of them, at once); handlers that would block hand their
// work to the worker pool (on_worker) and come back to an I/O thread (on_io). Each followed subnet
// has its context (rest/subnet_context.hpp: its parts and its caches of rendered snapshots and
// epochs, shared by every I/O thread under that subnet's short lock), so a snapshot's bodies are
// rendered once whichever thread asks first. The legacy surface serves the default subnet
// (RestDeps' own fields); /api/v1 serves each followed subnet from its own context, and any
// other subnet's open-access reads from snapshots built on request (rest/on_demand_snapshots.hpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "common/sync.hpp"
#include "rest/http_types.hpp"
#include "rest/long_poll.hpp"
#include "rest/metrics.hpp"
#include "rest/on_demand_snapshots.hpp"
#include "rest/render.hpp"
#include "rest/routes.hpp"
#include "rest/server.hpp"
#include "rest/subnet_context.hpp"
#include "rest/timelocked_reveal_cache.hpp"
#include "rest/v1/certificates.hpp"
#include "rest/v1/deadlines.hpp"
#include "rest/v1/revealed.hpp"
#include "rest/v1/guard.hpp"
#include "rest/v1/routes.hpp"
#include "weights/store.hpp"

namespace pylon::rest {

using Task = std::function<void()>;
struct HotkeyArg;  // rest/body.hpp

class Api {
 public:
  // `long_polls` parks GET /latest_block?after=N (null: such a request is answered at once).
  Api(const RestOptions& options, RestDeps deps, Metrics& metrics, std::function<void(Task)> on_io,
      std::function<void(Task)> on_worker, LongPolls* long_polls = nullptr);

  // Answers one request (exactly one call of reply, maybe later, from any thread).
  void handle(const Request& req, Reply reply);

  // What handle() would refuse from the request line and headers alone (unknown path, wrong
  // method, missing or wrong token): the answer to send instead of `100 Continue`, so a refused
  // client does not upload its body. nullopt: go on. Ignores req.body.
  std::optional<Response> precheck(const Request& req) const;

  Metrics& metrics() { return metrics_; }

  // Wakes work waiting between retries (POST .../commitments) and makes it give up, so
  // Server::stop's join of the workers waits at most for the attempt in flight. Any thread.
  void stop();
  // Every followed subnet, the default one first. The server subscribes to each one's store and
  // runs its prepare_latest() (render and compress the latest snapshot's bodies: blocking, tens
  // of milliseconds for 1024 neurons) on a worker each time it publishes.
  std::vector<SubnetContext*> followed_subnets() const;
  // The followed subnet `netuid`, or null.
  SubnetContext* followed(std::uint16_t netuid) const;
  // The default subnet's prepare_latest / wait_prepared (tests wait on it before they ask for
  // compressed bodies).
  void prepare_latest() { default_->prepare_latest(); }
  bool wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout) {
    return default_->wait_prepared(block, timeout);
  }

 private:
  using Rendered = std::shared_ptr<RenderedSnapshot>;

  // The lane the legacy routes read: the default subnet's writer's (weights::Writer::signer),
  // the zero signer's without a writer.
  weights::Lane default_lane() const;
  // The parts an /api/v1 identity writes through on its subnet: its hotkey's own lane when the
  // subnet has one (SubnetDeps::lanes), else the subnet's default lane.
  static LaneDeps lane_of(const SubnetContext& sub, const v1::Identity& identity);

  // Auth for the route: an error response, or nullopt to go on.
  std::optional<Response> check_auth(Route r, const Request& req) const;
  // 401 unless the request carries `Authorization: Bearer <expected>` (compared in constant time).
  std::optional<Response> check_bearer(const Request& req, std::string_view expected) const;
  // Unknown path (404), wrong method (405) or auth (401/403): the refusal, else nullopt.
  std::optional<Response> refusal(const RouteMatch& m, const Request& req) const;
  void dispatch(const RouteMatch& m, const Request& req, Reply reply);

  // Runs job on the worker pool; its Response goes to reply. Exceptions become 500s.
  void blocking(std::function<Response()> job, Reply reply);

  // --- reads (handlers_read.cpp)
  // The default subnet's latest snapshot, rendered (null before the first).
  Rendered latest() { return default_->latest(); }
  // Builds `netuid`'s snapshot at `block` from the chain (the archive past its cutoff), with the
  // build options of RestDeps; `hash` when known, else read. Blocking: a worker's job.
  Result<follower::SnapshotPtr> build_from_chain(std::uint16_t netuid, std::uint64_t block,
                                                 std::optional<BlockHash> hash);
  // The snapshot of `block` of a followed subnet (kept by the store, cached, or built from the
  // chain), then `then` on an I/O thread; errors are answered directly.
  void with_snapshot_at(SubnetContext& sub, std::uint64_t block, Reply reply,
                        std::function<void(const Rendered&, Reply)> then);
  // The snapshot of a subnet not followed at `block` (absent: the block of the default subnet's
  // latest snapshot, the latest finalized block the follower read), from on_demand_ or built
  // from the chain on a worker, then `then` on an I/O thread; errors are answered directly.
  void with_unfollowed_at(std::uint16_t netuid, std::optional<std::uint64_t> block, Reply reply,
                          std::function<void(const Rendered&, Reply)> then);
  // Same for the request's ?block=N (absent: the latest snapshot); the default subnet.
  void with_block_param(const Request& req, Reply reply, std::function<void(const Rendered&, Reply)> then);
  // The epoch holding `block` in `sub` (cached per block), then `then` on the I/O thread.
  void with_epoch_at(SubnetContext& sub, std::uint64_t block, Reply reply,
                     std::function<void(EpochAnswer, Reply)> then);
  void get_metagraph(const Request& req, std::string_view param, Reply reply);
  void get_latest_block(const Request& req, Reply reply);
  void answer_latest_block(const Reply& reply);
  void get_block_hash(std::string_view param, Reply reply);
  void get_epoch(std::string_view param, Reply reply);
  void get_hyperparams(Reply reply);
  void get_commitment(const Request& req, std::string_view hotkey, Reply reply);
  void get_commitments(const Request& req, Reply reply);

  // --- weights (handlers_weights.cpp)
  // The epoch holding `sub`'s latest snapshot's block.
  void with_current_epoch(SubnetContext& sub, Reply reply, std::function<void(EpochAnswer, Reply)> then);
  // ?epoch=N (a block; absent: the current epoch).
  void with_epoch_param(const Request& req, Reply reply, std::function<void(EpochAnswer, Reply)> then);
  // ?mechanism=N (absent: 0), one the subnet has at the latest snapshot's block.
  void with_mechanism_param(const Request& req, Reply reply, std::function<void(std::uint8_t, Reply)> then);
  // Hands the batch to the Writer; `answer` builds the 200 body from the new weights.
  void submit_weights(std::vector<weights::WeightUpdate> updates, Reply reply,
                      std::function<Response(const std::vector<double>&)> answer);
  void put_set_weight(const Request& req, Reply reply);
  void put_update_weight(const Request& req, Reply reply);
  // The one-hotkey writes after their body is decoded: `op` of `value` on `hotkey`, answered with
  // the hotkey's new weight and the epoch.
  void put_one_weight(const Request& req, const HotkeyArg& hotkey, weights::Op op, double value, Reply reply);
  void put_set_weights(const Request& req, Reply reply);
  void get_raw_weights(const Request& req, Reply reply);
  void post_force_commit(Reply reply);
  Response force_commit();  // blocking
  void get_weights_status(const Request& req, Reply reply);
  // /weights_status (handlers_status.cpp): `filtered` when ?mechanism= named `mechanism`; every
  // mechanism otherwise.
  void weights_status(EpochAnswer e, bool filtered, std::uint8_t mechanism, Reply reply);
  std::string chain_weights(const follower::SnapshotPtr& snap, std::uint8_t mechanism);  // blocking
  std::vector<std::string> timelocked_reveals(const std::vector<weights::CommitAttempt>& attempts,
                                              const follower::SnapshotPtr& snap);  // blocking

  // --- chain writes (handlers_chain.cpp)
  void post_set_commitment(const Request& req, Reply reply);
  void put_set_hyperparam(const Request& req, Reply reply);

  // --- /api/v1 (rest/v1/handlers.cpp), after the guard of rest/v1/guard.hpp admitted the request
  // Identity writes take the followed subnet of the path's netuid (the guard checked it is the
  // identity's); reads take a followed subnet's context or, for any other, on-demand snapshots.
  void dispatch_v1(const RouteMatch& m, const Request& req, const v1::Admitted& admitted, Reply reply);
  // The subnet reads of dispatch_v1 at one snapshot of the path's subnet.
  void answer_v1_read(v1::Read read, const std::string& hotkey_param, const Rendered& l,
                      const v1::Admitted& admitted, Reply reply);
  void put_v1_weights(SubnetContext& sub, const Request& req, const v1::Identity& identity, Reply reply);
  void post_v1_commitment(SubnetContext& sub, const Request& req, const v1::Admitted& admitted, Reply reply);
  // The attempts of one commitment write (blocking, on a worker) until `deadline`: each builds the
  // arguments of Commitments.set_commitment from the metadata of the block at hand, submits them
  // through `signer` (null: the subnet's hotkey Submitter) and, once a block holds it, answers
  // landed().
  using CommitmentArgs = std::function<Result<std::string>(const codec::Metadata&)>;
  Response write_v1_commitment(SubnetContext& sub, const CommitmentArgs& build_args, std::string_view path,
                               std::chrono::steady_clock::time_point deadline,
                               const std::function<Response()>& landed,
                               committer::Submitter* signer = nullptr);
  void post_v1_revealed(SubnetContext& sub, const Request& req, const v1::Admitted& admitted, Reply reply);
  // GET .../commitments/revealed[/{hotkey}|/self] at the latest block of the path's subnet.
  void get_v1_revealed(std::uint64_t netuid, v1::Read read, std::string_view hotkey_param,
                       const v1::Admitted& admitted, Reply reply);
  void get_v1_recent_neurons(std::uint64_t netuid, Reply reply);
  void get_v1_extrinsic(std::uint64_t block, std::uint64_t index, Reply reply);  // rest/v1/extrinsic.cpp
  void post_v1_certificate(SubnetContext& sub, const Request& req, const v1::Admitted& admitted, Reply reply);
  void get_v1_certificates(const follower::Snapshot& s, v1::Read read, std::string_view hotkey_param,
                           const v1::Admitted& admitted, Reply reply);
  // A subnet's item at one block as those two read it, kept per (netuid, block): from `cache`
  // (v1::CertificateCache, v1::RevealedCache), else 503 without a chain, else `read(chain,
  // netuid, at)` (a Result of the block's shared_ptr) on a worker under the request's deadline,
  // kept once read. The reply is `answer(block)`; a failed read is 502 and a warning, both naming
  // `what` ("certificates").
  template <class Cache, class Read, class Answer>
  void read_kept_per_block(Cache& cache, std::uint16_t netuid, const chain::BlockRef& at,
                           std::string_view what, const v1::Admitted& admitted, Read read, Answer answer,
                           Reply reply);
  static Response v1_neurons_response(RenderedSnapshot& r, bool validators);  // 503 without stakes
  static Response v1_accepted(std::size_t count);  // {"detail": "weights update scheduled", "count": N}

  // --- operations (handlers_ops.cpp)
  void get_health(Reply reply);
  void append_subnet_health(std::string& out, SubnetContext& sub) const;
  void get_live(Reply reply);
  void get_metrics(Reply reply);
  void get_openapi(Reply reply);

  const RestOptions& options_;
  RestDeps deps_;
  Metrics& metrics_;
  std::function<void(Task)> on_io_;
  std::function<void(Task)> on_worker_;
  LongPolls* long_polls_ = nullptr;

  // The followed subnets by netuid (made at construction, never changed after: read without a
  // lock); each guards its own caches. default_ is deps_.netuid's.
  std::map<std::uint16_t, std::unique_ptr<SubnetContext>> subnets_;
  SubnetContext* default_ = nullptr;
  OnDemandSnapshots on_demand_;  // other subnets' open-access reads, per (netuid, block)
  const std::shared_ptr<const std::string> live_body_, openapi_body_;        // made once, at construction
  const std::shared_ptr<const CompressedBody> openapi_compressed_;          // made once, at construction
  const std::shared_ptr<const std::string> v1_identities_body_;               // made once, at construction
  TimelockedRevealCache reveals_;      // /weights_status's chain reveals, per snapshot (timelocked_reveal_cache.hpp)
  // Set by stop(); retry waits sleep on stop_cv_.
  Mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ PYLON_GUARDED_BY(stop_mu_) = false;
  v1::CertificateCache certificates_;  // per (netuid, block), read on request (rest/v1/certificates.hpp)
  v1::RevealedCache revealed_;         // per (netuid, block), read on request (rest/v1/revealed.hpp)
  // 504 for v1 reads that wait on the node past the request's deadline (rest/v1/deadlines.hpp).
  // Last: destroyed (its thread joined) first, while everything a Reply may reach still exists.
  v1::Deadlines deadlines_;
};

}  // namespace pylon::rest

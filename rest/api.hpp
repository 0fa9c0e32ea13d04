// The endpoints themselves, independent of the sockets: a request in, a Response out through the
// Reply. Called on the I/O threads (any of them, at once); handlers that would block hand their
// work to the worker pool (on_worker) and come back to an I/O thread (on_io). The caches of
// rendered snapshots and epochs are shared by every I/O thread under one short lock, so a
// snapshot's bodies are rendered once whichever thread asks first.
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
#include "rest/render.hpp"
#include "rest/routes.hpp"
#include "rest/server.hpp"
#include "rest/timelocked_reveal_cache.hpp"
#include "rest/v1/certificates.hpp"
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
  // Renders the latest snapshot's bodies and compresses the large ones (RenderedSnapshot::prepare)
  // so requests find them ready. Blocking (tens of milliseconds for 1024 neurons): the server
  // runs it on a worker each time the follower publishes a snapshot.
  void prepare_latest();
  // Waits until a snapshot of `block` or later was prepared, or the timeout passed (tests wait on
  // it before they ask for compressed bodies).
  bool wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout);

 private:
  using Rendered = std::shared_ptr<RenderedSnapshot>;

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
  Rendered latest();
  void remember(const Rendered& r);
  // The snapshot of `block` when the store or the cache holds it, else null.
  Rendered kept(std::uint64_t block);
  // The same two with cache_mu_ held.
  Rendered latest_locked() PYLON_REQUIRES(cache_mu_);
  void remember_locked(const Rendered& r) PYLON_REQUIRES(cache_mu_);
  std::optional<EpochAnswer> known_epoch(std::uint64_t block);
  // The snapshot of `block` (kept by the store, cached, or built from the chain), then `then` on
  // the I/O thread; errors are answered directly.
  void with_snapshot_at(std::uint64_t block, Reply reply, std::function<void(const Rendered&, Reply)> then);
  // Same for the request's ?block=N (absent: the latest snapshot).
  void with_block_param(const Request& req, Reply reply, std::function<void(const Rendered&, Reply)> then);
  // The epoch holding `block` (cached per block), then `then` on the I/O thread.
  void with_epoch_at(std::uint64_t block, Reply reply, std::function<void(EpochAnswer, Reply)> then);
  void get_metagraph(std::string_view param, Reply reply);
  void get_latest_block(const Request& req, Reply reply);
  void answer_latest_block(const Reply& reply);
  void get_block_hash(std::string_view param, Reply reply);
  void get_epoch(std::string_view param, Reply reply);
  void get_hyperparams(Reply reply);
  void get_commitment(const Request& req, std::string_view hotkey, Reply reply);
  void get_commitments(const Request& req, Reply reply);

  // --- weights (handlers_weights.cpp)
  void with_current_epoch(Reply reply, std::function<void(EpochAnswer, Reply)> then);
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
  void dispatch_v1(const RouteMatch& m, const Request& req, const v1::Admitted& admitted, Reply reply);
  void put_v1_weights(const Request& req, Reply reply);
  void post_v1_commitment(const Request& req, const v1::Admitted& admitted, Reply reply);
  // The attempts of one commitment write (blocking, on a worker) until `deadline`.
  Response set_v1_commitment(const Bytes& data, std::string_view path,
                             std::chrono::steady_clock::time_point deadline);
  void get_v1_recent_neurons(std::uint64_t netuid, Reply reply);
  void get_v1_extrinsic(std::uint64_t block, std::uint64_t index, Reply reply);  // rest/v1/extrinsic.cpp
  void post_v1_certificate(const Request& req, const v1::Admitted& admitted, Reply reply);
  void get_v1_certificates(const follower::Snapshot& s, v1::Read read, std::string_view hotkey_param,
                           const v1::Admitted& admitted, Reply reply);
  static Response v1_neurons_response(RenderedSnapshot& r, bool validators);  // 503 without stakes
  static Response v1_accepted(std::size_t count);  // {"detail": "weights update scheduled", "count": N}

  // --- operations (handlers_ops.cpp)
  void get_health(Reply reply);
  void get_live(Reply reply);
  void get_metrics(Reply reply);
  void get_openapi(Reply reply);

  const RestOptions& options_;
  RestDeps deps_;
  Metrics& metrics_;
  std::function<void(Task)> on_io_;
  std::function<void(Task)> on_worker_;
  LongPolls* long_polls_ = nullptr;

  // Shared by the I/O threads (and the workers' continuations): held only to look up or swap a
  // pointer, never while rendering or waiting.
  Mutex cache_mu_;
  Rendered latest_ PYLON_GUARDED_BY(cache_mu_);
  std::list<Rendered> old_
      PYLON_GUARDED_BY(cache_mu_);  // most recent first, at most options_.old_block_cache
  std::map<std::uint64_t, EpochAnswer> epochs_ PYLON_GUARDED_BY(cache_mu_);  // by block, for blocks asked
  const std::shared_ptr<const std::string> live_body_, openapi_body_;        // made once, at construction
  const std::shared_ptr<const CompressedBody> openapi_compressed_;          // made once, at construction
  const std::shared_ptr<const std::string> v1_identities_body_;               // made once, at construction
  TimelockedRevealCache reveals_;      // /weights_status's chain reveals, per snapshot (timelocked_reveal_cache.hpp)
  // Set by stop(); retry waits sleep on stop_cv_.
  Mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ PYLON_GUARDED_BY(stop_mu_) = false;
  // The block of the last snapshot prepare_latest() finished, for wait_prepared.
  Mutex prepared_mu_;
  std::condition_variable prepared_cv_;
  std::optional<std::uint64_t> prepared_block_ PYLON_GUARDED_BY(prepared_mu_);
  v1::CertificateCache certificates_;  // per (netuid, block), read on request (rest/v1/certificates.hpp)
};

}  // namespace pylon::rest

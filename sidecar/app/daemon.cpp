#include "app/daemon.hpp"

#include <grp.h>
#include <unistd.h>

#include "app/timed_transport.hpp"
#include "chain/chain_client.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer.hpp"
#include "common/log.hpp"
#include "follower/follower.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"
#include "rest/chain_metrics.hpp"
#include "rest/server.hpp"
#include "shm/from_snapshot.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"
#include "weights/writer.hpp"

namespace pylon::app {

namespace {

namespace log = pylon::log;

// Logs a client event and counts it for /metrics. The endpoint is named by scheme, host and port
// only: a provider's URL may carry an API key in its path or credentials in its user-info.
void on_client_event(rest::ChainMetrics& metrics, const net::ClientEvent& e) {
  using K = net::ClientEvent::Kind;
  using E = rest::ConnectionEvent;
  const std::string endpoint = rest::endpoint_label(e.endpoint);
  switch (e.kind) {
    case K::kConnected:
      metrics.record_event(endpoint, e.reconnect ? E::reconnected : E::connected);
      log::info("chain", e.reconnect ? "reconnected" : "connected", {{"endpoint", endpoint}});
      break;
    case K::kConnectFailed:
      metrics.record_event(endpoint, E::connect_failed);
      log::warn("chain", "connect failed", {{"endpoint", endpoint}, {"detail", e.detail}});
      break;
    case K::kDisconnected:
      metrics.record_event(endpoint, E::disconnected);
      log::warn("chain", "disconnected", {{"endpoint", endpoint}, {"detail", e.detail}});
      break;
    case K::kResubscribed:
      log::info("chain", "subscriptions restored", {{"count", std::to_string(e.count)}});
      break;
    case K::kSubscriptionLost:
      metrics.record_event(endpoint, E::subscription_lost);
      log::error("chain", "subscription lost", {{"detail", e.detail}});
      break;
  }
}

Result<std::optional<gid_t>> shm_group(const config::Config& cfg) {
  if (!cfg.shm_group) return std::optional<gid_t>{};
  const struct group* g = ::getgrnam(cfg.shm_group->c_str());
  if (!g) return make_error("PYLON_SHM_GROUP names no group on this machine: " + *cfg.shm_group);
  return std::optional<gid_t>{g->gr_gid};
}

// The subnet's mechanism count at a block, for the queue drain's check of entries naming a
// mechanism above 0. Read from the chain the first time such an entry comes at a new block (two
// storage reads at most, nothing on a runtime without mechanisms) and kept for that block, so a
// stream of mechanism-1 pushes costs one read per block, not one per drain; mechanism-0 entries
// never ask. A failed read is not kept: the next batch asks again.
// Thread contract: only the weights writer thread calls at() (through the DrainContext).
class MechanismCountAt {
 public:
  MechanismCountAt(chain::ChainClient& chain, std::uint16_t netuid) : chain_(chain), netuid_(netuid) {}
  Result<std::uint8_t> at(const chain::BlockRef& block) {
    if (known_ && known_->first == block.hash) return known_->second;
    PYLON_ASSIGN(auto md, chain_.metadata(block.hash));
    PYLON_ASSIGN(committer::Mechanisms m, committer::read_mechanisms(chain_, *md, netuid_, block));
    known_.emplace(block.hash, m.count);
    return m.count;
  }

 private:
  chain::ChainClient& chain_;
  const std::uint16_t netuid_;
  std::optional<std::pair<BlockHash, std::uint8_t>> known_;
};

// The drain's view of the chain: the latest snapshot's epoch, uid -> hotkey table and (on demand)
// the subnet's mechanism count at its block.
std::optional<weights::DrainContext> drain_context(const follower::SnapshotStore& snapshots,
                                                   MechanismCountAt& mechanisms) {
  follower::SnapshotPtr s = snapshots.latest();
  if (!s || !s->epoch) return std::nullopt;
  weights::DrainContext c;
  c.netuid = s->netuid;
  c.epoch = s->epoch->start;
  c.hotkey_of = [s](std::uint16_t uid) -> std::optional<AccountId> {
    const auto* n = s->neuron_by_uid(uid);
    if (!n) return std::nullopt;
    return n->hotkey;
  };
  c.mechanism_count = [s, &mechanisms] { return mechanisms.at(chain::BlockRef{s->block_hash, s->block}); };
  return c;
}

void follower_log(std::string_view level, std::string_view msg) {
  log::write(level == "warn"    ? log::Level::Warn
             : level == "error" ? log::Level::Error
                                : log::Level::Info,
             "follower", msg);
}

}  // namespace

int run_daemon(const config::Config& cfg, keys::Keypair hotkey, StopSignal& stop) {
  // Chain connection (and the archive endpoint for old blocks).
  // Chain RPC latency, outcomes and connection events for /metrics; declared first, it outlives
  // the clients that report into it.
  rest::ChainMetrics chain_metrics;
  net::NetContext net;
  net::RpcClientOptions ro;
  ro.endpoints = cfg.chain_urls;
  ro.on_event = [&chain_metrics](const net::ClientEvent& e) { on_client_event(chain_metrics, e); };
  auto rpc = net::RpcClient::create(net, ro);
  if (!rpc.ok()) {
    log::error("chain", "bad endpoint configuration", {{"error", rpc.error().message}});
    return 2;
  }
  std::unique_ptr<net::RpcClient> archive;
  if (cfg.archive_url) {
    net::RpcClientOptions ao;
    ao.endpoints = {*cfg.archive_url};
    ao.on_event = [&chain_metrics](const net::ClientEvent& e) { on_client_event(chain_metrics, e); };
    auto a = net::RpcClient::create(net, ao);
    if (!a.ok()) {
      log::error("chain", "bad archive endpoint", {{"error", a.error().message}});
      return 2;
    }
    archive = std::move(a).value();
  }
  // The chain client's calls are timed per method and endpoint (app/timed_transport.hpp).
  TimedTransport timed_rpc(**rpc, chain_metrics, cfg.chain_urls.front());
  std::optional<TimedTransport> timed_archive;
  if (archive) timed_archive.emplace(*archive, chain_metrics, *cfg.archive_url);
  chain::ChainClient chain(timed_rpc, timed_archive ? &*timed_archive : nullptr, {cfg.archive_cutoff});
  follower::SnapshotStore snapshots(cfg.snapshot_keep);

  // Shared memory: the snapshot segment validators map read-only, the weight queue they push into.
  auto group = shm_group(cfg);
  if (!group.ok()) {
    log::error("shm", group.error().message);
    return 2;
  }
  shm::SnapshotWriterConfig wc;
  wc.name = cfg.shm_name;
  wc.netuid = cfg.netuid;
  wc.group = *group;
  auto writer = shm::SnapshotWriter::create(wc);
  if (!writer.ok()) {
    log::error("shm", "cannot create the snapshot segment", {{"error", writer.error().message}});
    return 2;
  }
  log::info("shm", "snapshot segment ready", {{"name", "/dev/shm/" + (*writer)->name()}});
  shm::WeightQueueConfig qc;
  qc.name = shm::queue_segment_name((*writer)->name());
  qc.netuid = cfg.netuid;
  qc.group = *group;
  auto queue = shm::WeightQueue::open(qc);
  if (!queue.ok()) {
    log::error("shm", "cannot open the weight queue segment", {{"error", queue.error().message}});
    return 2;
  }
  log::info("shm", "weight queue ready",
            {{"name", "/dev/shm/" + (*queue)->name()}, {"note", (*queue)->open_note()}});

  // The weights store and the one thread that writes it (REST batches and the queue drain).
  auto store = weights::Store::open(cfg.db_path);
  if (!store.ok()) {
    log::error("weights", "cannot open the weights store", {{"error", store.error().message}});
    return 2;
  }
  log::info("weights", "store ready",
            {{"path", cfg.db_path}, {"schema", std::to_string((*store)->schema_version())}});
  MechanismCountAt drain_mechanisms(chain, cfg.netuid);
  weights::Writer weights_writer(**store, queue->get(), [&snapshots, &drain_mechanisms] {
    return drain_context(snapshots, drain_mechanisms);
  });

  // The commit loop, signing with the validator's hotkey.
  // A submission in flight holds up SIGTERM until it is watched to its end: 30 s keeps that inside
  // Kubernetes' default grace period; an attempt still unknown then is found on chain after the
  // restart (the committer looks its signed bytes up until their era ends).
  committer::SubmitterOptions so;
  so.timeout = std::chrono::seconds(30);
  const AccountId own_hotkey(hotkey.public_key);
  committer::Submitter submitter(chain, std::move(hotkey), so);
  committer::CommitterOptions co;
  co.netuid = cfg.netuid;
  co.every_epochs = cfg.commit_every_epochs;
  co.window = cfg.commit_window;
  committer::Committer committer(chain, snapshots, **store, submitter, co);

  // The REST API: reads from the snapshots, writes through the writer thread.
  rest::RestOptions ho;
  ho.host = cfg.http_host;
  ho.port = cfg.http_port;
  ho.io_threads = cfg.http_threads;
  ho.auth_token = cfg.auth_token;
  ho.metrics_token = cfg.metrics_token;
  ho.reads_need_token = cfg.auth_reads;
  // The /api/v1 identities: config::check_servable made each one the daemon's subnet and hotkey.
  for (const auto& id : cfg.v1.identities)
    ho.v1.identities.push_back({id.name, id.netuid, id.token, own_hotkey});
  ho.v1.open_access_token = cfg.v1.open_access_token;
  ho.v1.default_timeout_seconds = cfg.v1.default_timeout_seconds;
  ho.v1.max_timeout_seconds = cfg.v1.max_timeout_seconds;
  ho.v1.recent_soft_limit_blocks = cfg.v1.recent_soft_limit_blocks;
  ho.v1.recent_hard_limit_blocks = cfg.v1.recent_hard_limit_blocks;
  ho.v1.block_duration_seconds = cfg.v1.block_duration_seconds;
  ho.v1.commitment_retry_attempts = cfg.v1.commitment_retry_attempts;
  ho.v1.commitment_retry_delay_seconds = cfg.v1.commitment_retry_delay_seconds;
  std::function<Result<keys::Keypair>()> load_coldkey;
  if (cfg.coldkey_password_file) {
    load_coldkey = [&cfg]() -> Result<keys::Keypair> {
      PYLON_ASSIGN(keys::SecretString password, keys::read_password_file(*cfg.coldkey_password_file));
      return keys::load_coldkey({cfg.wallet_path, cfg.wallet_name}, password.view());
    };
  }
  rest::RestDeps deps(snapshots, cfg.netuid);
  deps.chain = &chain;
  deps.store = store->get();
  deps.writer = &weights_writer;
  deps.committer = &committer;
  deps.chain_metrics = &chain_metrics;
  deps.hotkey_submitter = &submitter;
  deps.load_coldkey = std::move(load_coldkey);
  deps.epoch_at = [&chain, netuid = cfg.netuid](const chain::BlockRef& at) -> Result<rest::EpochAnswer> {
    PYLON_ASSIGN(committer::EpochSpan e, committer::epoch_at(chain, netuid, at));
    return rest::EpochAnswer{e.start, e.end};
  };
  auto http = rest::Server::start(ho, deps);
  if (!http.ok()) {
    log::error("rest", "cannot start the REST API", {{"error", http.error().message}});
    return 2;
  }
  log::info("rest", "listening",
            {{"address", "http://" + cfg.http_host + ":" + std::to_string((*http)->port())},
             {"auth", cfg.auth_token ? "bearer token" : "writes from loopback only"},
             {"metrics_auth", cfg.metrics_token ? "metrics token"
                              : cfg.auth_token  ? "bearer token"
                                                : "open"}});

  log::info("pylon", "starting",
            {{"netuid", std::to_string(cfg.netuid)}, {"endpoints", std::to_string(cfg.chain_urls.size())}});
  while (!stop.requested() && !(*rpc)->wait_connected(std::chrono::seconds(1)).ok()) {
  }
  if (stop.requested()) return 0;
  // The database belongs to one chain: its epochs are block numbers, which recur on another.
  for (;;) {
    auto genesis = chain.genesis_hash();
    if (genesis.ok()) {
      if (auto bound = (*store)->bind_chain(*genesis); !bound.ok()) {
        log::error("weights", "the weights store belongs to another chain",
                   {{"error", bound.error().message}});
        return 2;
      }
      break;
    }
    log::warn("chain", "cannot read the genesis hash yet", {{"error", genesis.error().message}});
    if (stop.wait_for(std::chrono::seconds(2))) return 0;
  }

  // Runtime upgrades: the new spec's metadata is fetched as soon as the node announces it, so the
  // first snapshot of the new runtime does not wait for it (each snapshot still reads its own
  // block's version; this only prefetches).
  auto watched = chain.watch_runtime([](const chain::RuntimeVersion& v) {
    log::info("chain", "runtime announced",
              {{"spec_name", v.spec_name}, {"spec_version", std::to_string(v.spec_version)}});
  });
  if (!watched.ok())
    log::warn("chain", "no runtime version subscription", {{"error", watched.error().message}});

  follower::FollowerOptions fo;
  fo.netuid = cfg.netuid;
  fo.every_n_blocks = cfg.snapshot_every;
  fo.build.epoch = committer::snapshot_epoch;
  follower::Follower follower(chain, **rpc, snapshots, fo, follower_log);
  for (;;) {
    auto started = follower.start();
    if (started.ok()) break;
    log::warn("follower", "cannot subscribe to finalized heads yet", {{"error", started.error().message}});
    if (stop.wait_for(std::chrono::seconds(2))) return 0;
  }
  if (auto st = committer.start(); !st.ok()) {
    log::error("committer", "cannot start the commit loop", {{"error", st.error().message}});
    follower.stop();
    return 2;
  }

  // Main loop: publish each new snapshot into shared memory as soon as the store has it (its
  // listener wakes this thread; the segment writer stays on this one thread), and keep the
  // segments' heartbeats fresh once a second.
  std::uint64_t shm_seen = 0;
  const auto woken_by_snapshots =
      snapshots.subscribe([&stop](const follower::SnapshotPtr&) { stop.notify(); });
  auto next_heartbeat = std::chrono::steady_clock::now();
  while (!stop.requested()) {
    const std::uint64_t published = snapshots.published_count();
    if (published != shm_seen) {
      shm_seen = published;
      auto data = shm::to_snapshot_data(*snapshots.latest());
      auto st = data.ok() ? (*writer)->publish(*data) : Status(data.error());
      if (!st.ok())
        log::error("shm", "snapshot not published to shared memory", {{"error", st.error().message}});
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      (*writer)->heartbeat();
      (*queue)->heartbeat();  // an atomic store: safe beside the writer thread's drain
      next_heartbeat += std::chrono::seconds(1);
    }
    const auto until_heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_heartbeat - std::chrono::steady_clock::now());
    stop.wait_for(std::max(until_heartbeat, std::chrono::milliseconds(0)),
                  [&] { return snapshots.published_count() != shm_seen; });
  }
  snapshots.unsubscribe(woken_by_snapshots);

  // Drain: stop taking work, commit what was acknowledged, leave the queue for the next daemon.
  log::info("pylon", "stopping: draining");
  (*http)->stop();
  committer.stop();
  follower.stop();
  weights_writer.stop();
  (*queue)->detach();
  (*writer)->close();
  const auto ws = weights_writer.stats();
  log::info("pylon", "stopped",
            {{"snapshots", std::to_string(snapshots.published_count())},
             {"weight_batches", std::to_string(ws.batches)},
             {"queue_entries", std::to_string(ws.queue_entries)}});
  return 0;
}

}  // namespace pylon::app

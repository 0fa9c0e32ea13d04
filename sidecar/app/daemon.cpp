#include "app/daemon.hpp"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "app/subnet_parts.hpp"
#include "app/timed_transport.hpp"
#include "chain/chain_client.hpp"
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer.hpp"
#include "common/log.hpp"
#include "config/identities.hpp"
#include "follower/follower.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"
#include "rest/chain_metrics.hpp"
#include "rest/server.hpp"

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

// Other subnets' segments: "pylon-<netuid>" beside the default "pylon-<PYLON_NETUID>", or
// "<PYLON_SHM_NAME>-<netuid>" when the operator named the default segment.
std::string segment_name(const config::Config& cfg, std::uint16_t netuid) {
  if (netuid == cfg.netuid) return cfg.shm_name;
  if (cfg.shm_name == "pylon-" + std::to_string(cfg.netuid)) return "pylon-" + std::to_string(netuid);
  return cfg.shm_name + "-" + std::to_string(netuid);
}

// The hotkeys the daemon signs with: the validator's own (PYLON_WALLET_NAME/PYLON_WALLET_HOTKEY)
// and each identity's, loaded once per wallet/hotkey name, with one Submitter per account, so two
// names for one key (or two subnets signed by one key) share one nonce sequence.
// Thread contract: built and read on the main thread before the other threads start.
class Signers {
 public:
  Signers(chain::ChainClient& chain, committer::SubmitterOptions options)
      : chain_(chain), options_(options) {}
  // The submitter of the key `wallet/hotkey` names, loading it the first time.
  Result<committer::Submitter*> of(const config::Config& cfg, const std::string& wallet,
                                   const std::string& hotkey) {
    const auto names = std::make_pair(wallet, hotkey);
    if (auto it = by_names_.find(names); it != by_names_.end()) return it->second;
    PYLON_ASSIGN(keys::Keypair key, keys::load_hotkey({cfg.wallet_path, wallet}, hotkey));
    log::info("keys", "identity hotkey loaded",
              {{"wallet", wallet}, {"hotkey", hotkey}, {"account", codec::ss58_encode(key.public_key)}});
    return add(names, std::move(key));
  }
  committer::Submitter* add(const std::pair<std::string, std::string>& names, keys::Keypair key) {
    const AccountId account(key.public_key);
    auto& s = by_account_[account];
    if (!s) s = std::make_unique<committer::Submitter>(chain_, std::move(key), options_);
    by_names_[names] = s.get();
    return s.get();
  }

 private:
  chain::ChainClient& chain_;
  committer::SubmitterOptions options_;
  std::map<AccountId, std::unique_ptr<committer::Submitter>> by_account_;
  std::map<std::pair<std::string, std::string>, committer::Submitter*> by_names_;
};

// A subnet's lanes besides the default one, as the REST API routes identities to them.
std::map<AccountId, rest::LaneDeps> other_lanes(const SubnetParts& parts) {
  std::map<AccountId, rest::LaneDeps> out;
  for (std::size_t i = 1; i < parts.lanes().size(); ++i) {
    const auto& lane = parts.lanes()[i];
    out.emplace(lane.signer->account(), rest::LaneDeps{lane.writer.get(), lane.committer.get(), lane.signer});
  }
  return out;
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

  // The weights store: one database for every subnet (its rows are keyed by netuid).
  auto store = weights::Store::open(cfg.db_path);
  if (!store.ok()) {
    log::error("weights", "cannot open the weights store", {{"error", store.error().message}});
    return 2;
  }
  log::info("weights", "store ready",
            {{"path", cfg.db_path}, {"schema", std::to_string((*store)->schema_version())}});

  // The signers. A submission in flight holds up SIGTERM until it is watched to its end: 30 s
  // keeps that inside Kubernetes' default grace period; an attempt still unknown then is found on
  // chain after the restart (the committer looks its signed bytes up until their era ends).
  committer::SubmitterOptions so;
  so.timeout = std::chrono::seconds(30);
  Signers signers(chain, so);
  committer::Submitter* own = signers.add({cfg.wallet_name, cfg.wallet_hotkey}, std::move(hotkey));
  // Each signed subnet's signers, one lane each (weights::Lane), the default lane's first: the
  // daemon's own on PYLON_NETUID, else the subnet's first identity's; then each identity's other
  // hotkeys in the order the identities are listed. Identities sharing a hotkey on a subnet share
  // its lane.
  std::map<std::uint16_t, std::vector<committer::Submitter*>> signers_of{{cfg.netuid, {own}}};
  std::vector<committer::Submitter*> identity_signer;  // per cfg.v1.identities entry
  for (const auto& id : cfg.v1.identities) {
    auto s = signers.of(cfg, id.wallet_name, id.hotkey_name);
    if (!s.ok()) {
      log::error("keys", "cannot load an identity's hotkey",
                 {{"identity", id.name}, {"error", s.error().message}});
      return 2;
    }
    identity_signer.push_back(*s);
    auto& on = signers_of[id.netuid];
    if (std::find(on.begin(), on.end(), *s) == on.end()) on.push_back(*s);
  }
  // Rows written before lanes (schema v6) were written when one hotkey signed per subnet: the
  // subnet's default signer's, which they now belong to.
  for (const auto& [netuid, on] : signers_of) {
    auto adopted = (*store)->adopt_unattributed({netuid, on.front()->account()});
    if (!adopted.ok()) {
      log::error("weights", "cannot assign stored weights to their hotkey",
                 {{"error", adopted.error().message}});
      return 2;
    }
    if (*adopted > 0)
      log::info("weights", "rows stored before lanes assigned to the subnet's default hotkey",
                {{"netuid", std::to_string(netuid)},
                 {"hotkey", codec::ss58_encode(on.front()->account())},
                 {"rows", std::to_string(*adopted)}});
  }

  // Every followed subnet's parts: the default one (PYLON_NETUID: the legacy surface), each
  // identity's and each of PYLON_RECENT_OBJECTS_NETUIDS.
  auto group = shm_group(cfg);
  if (!group.ok()) {
    log::error("shm", group.error().message);
    return 2;
  }
  std::map<std::uint16_t, std::unique_ptr<SubnetParts>> subnets;
  for (std::uint16_t netuid : config::followed_netuids(cfg.v1, cfg.netuid)) {
    SubnetWiring w;
    w.netuid = netuid;
    w.shm_name = segment_name(cfg, netuid);
    w.shm_group = *group;
    if (auto it = signers_of.find(netuid); it != signers_of.end()) w.signers = it->second;
    auto parts = SubnetParts::create(w, cfg, chain, **store);
    if (!parts.ok()) {
      log::error("pylon", "cannot set up a followed subnet", {{"error", parts.error().message}});
      return 2;
    }
    subnets.emplace(netuid, std::move(parts).value());
  }
  SubnetParts& main_subnet = *subnets.at(cfg.netuid);

  // The REST API: reads from the snapshots, writes through the writer thread.
  rest::RestOptions ho;
  ho.host = cfg.http_host;
  ho.port = cfg.http_port;
  ho.io_threads = cfg.http_threads;
  ho.auth_token = cfg.auth_token;
  ho.metrics_token = cfg.metrics_token;
  ho.reads_need_token = cfg.auth_reads;
  // The /api/v1 identities, each with its own hotkey's account as its `self` (and its lane).
  for (std::size_t i = 0; i < cfg.v1.identities.size(); ++i) {
    const auto& id = cfg.v1.identities[i];
    ho.v1.identities.push_back({id.name, id.netuid, id.token, identity_signer[i]->account()});
  }
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
  const auto epoch_fn = [&chain](std::uint16_t netuid) -> rest::EpochFn {
    return [&chain, netuid](const chain::BlockRef& at) -> Result<rest::EpochAnswer> {
      PYLON_ASSIGN(committer::EpochSpan e, committer::epoch_at(chain, netuid, at));
      return rest::EpochAnswer{e.start, e.end};
    };
  };
  rest::RestDeps deps(main_subnet.snapshots(), cfg.netuid);
  deps.chain = &chain;
  deps.store = store->get();
  deps.writer = main_subnet.writer();
  deps.committer = main_subnet.committer();
  deps.chain_metrics = &chain_metrics;
  deps.hotkey_submitter = main_subnet.signer();
  deps.load_coldkey = std::move(load_coldkey);
  deps.epoch_at = epoch_fn(cfg.netuid);
  deps.lanes = other_lanes(main_subnet);
  for (auto& [netuid, parts] : subnets) {
    if (netuid == cfg.netuid) continue;
    rest::SubnetDeps sd;
    sd.snapshots = &parts->snapshots();
    sd.writer = parts->writer();
    sd.committer = parts->committer();
    sd.hotkey_submitter = parts->signer();
    sd.epoch_at = epoch_fn(netuid);
    sd.lanes = other_lanes(*parts);
    deps.subnets.emplace(netuid, std::move(sd));
  }
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
            {{"netuid", std::to_string(cfg.netuid)},
             {"subnets", std::to_string(subnets.size())},
             {"endpoints", std::to_string(cfg.chain_urls.size())}});
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
  fo.every_n_blocks = cfg.snapshot_every;
  fo.build.epoch = committer::snapshot_epoch;
  std::vector<follower::FollowedSubnet> followed;
  for (auto& [netuid, parts] : subnets) followed.push_back({netuid, &parts->snapshots()});
  follower::Follower follower(chain, **rpc, std::move(followed), fo, follower_log);
  for (;;) {
    auto started = follower.start();
    if (started.ok()) break;
    log::warn("follower", "cannot subscribe to finalized heads yet", {{"error", started.error().message}});
    if (stop.wait_for(std::chrono::seconds(2))) return 0;
  }
  for (auto& [netuid, parts] : subnets) {
    if (auto st = parts->start_committer(); !st.ok()) {
      log::error("committer", "cannot start the commit loop",
                 {{"netuid", std::to_string(netuid)}, {"error", st.error().message}});
      follower.stop();
      return 2;
    }
  }

  // Main loop: publish each subnet's new snapshot into its segment as soon as its store has it
  // (the stores' listeners wake this thread; each segment writer stays on this one thread), and
  // keep the segments' heartbeats fresh once a second.
  const auto any_new = [&subnets] {
    for (const auto& [netuid, parts] : subnets)
      if (parts->has_new()) return true;
    return false;
  };
  std::vector<std::pair<follower::SnapshotStore*, follower::SnapshotStore::ListenerId>> woken_by;
  for (auto& [netuid, parts] : subnets)
    woken_by.emplace_back(&parts->snapshots(), parts->snapshots().subscribe(
                                                   [&stop](const follower::SnapshotPtr&) { stop.notify(); }));
  auto next_heartbeat = std::chrono::steady_clock::now();
  while (!stop.requested()) {
    for (auto& [netuid, parts] : subnets) parts->publish_new();
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      for (auto& [netuid, parts] : subnets) parts->heartbeat();
      next_heartbeat += std::chrono::seconds(1);
    }
    const auto until_heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_heartbeat - std::chrono::steady_clock::now());
    stop.wait_for(std::max(until_heartbeat, std::chrono::milliseconds(0)), any_new);
  }
  for (auto& [store, id] : woken_by) store->unsubscribe(id);

  // Drain: stop taking work, commit what was acknowledged, leave the queues for the next daemon.
  log::info("pylon", "stopping: draining");
  (*http)->stop();
  for (auto& [netuid, parts] : subnets) parts->stop_committer();
  follower.stop();
  weights::WriterStats ws;
  std::uint64_t published = 0;
  for (auto& [netuid, parts] : subnets) {
    parts->stop_rest();
    const auto w = parts->writer_stats();
    ws.batches += w.batches;
    ws.queue_entries += w.queue_entries;
    published += parts->snapshots().published_count();
  }
  log::info("pylon", "stopped",
            {{"snapshots", std::to_string(published)},
             {"weight_batches", std::to_string(ws.batches)},
             {"queue_entries", std::to_string(ws.queue_entries)}});
  return 0;
}

}  // namespace pylon::app

// `pylon run`: the daemon. Reads the configuration (environment and ./.env), loads the validator's
// hotkey, connects to the chain endpoints, follows finalized blocks into snapshots of the subnet,
// and runs until SIGTERM or SIGINT, when it drains and exits cleanly.
#include <grp.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "app/command.hpp"
#include "chain/chain_client.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "follower/follower.hpp"
#include "keys/wallet.hpp"
#include "shm/from_snapshot.hpp"
#include "shm/snapshot_writer.hpp"

extern char** environ;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int run(std::span<char* const> args) {
  for (const char* a : args) {
    if (std::string_view(a) == "-h" || std::string_view(a) == "--help") {
      std::printf(
          "usage: pylon run\nSettings come from the environment and ./.env (see README, Configuration).\n");
      return 0;
    }
  }
  if (!args.empty()) {
    std::fprintf(stderr, "pylon run: takes no arguments; settings come from the environment and ./.env\n");
    return 2;
  }
  auto env = pylon::config::gather_env(".env", environ);
  if (!env.ok()) {
    std::fprintf(stderr, "pylon: configuration: %s\n", env.error().message.c_str());
    return 2;
  }
  const char* home = std::getenv("HOME");
  auto cfg = pylon::config::load(*env, home ? home : "/");
  if (!cfg.ok()) {
    std::fprintf(stderr, "pylon: configuration: %s\n", cfg.error().message.c_str());
    return 2;
  }
  namespace log = pylon::log;
  log::set_format(cfg->log_format == "json" ? log::Format::Json : log::Format::Text);
  for (const auto& w : cfg->warnings) log::warn("config", w);
  // The keys module reads this switch from the environment; a .env value must reach it too.
  if (cfg->allow_group_readable_keys) ::setenv("PYLON_ALLOW_GROUP_READABLE_KEYS", "1", 1);

  auto hotkey = pylon::keys::load_hotkey({cfg->wallet_path, cfg->wallet_name}, cfg->wallet_hotkey);
  if (!hotkey.ok()) {
    log::error("keys", "cannot load the validator hotkey", {{"error", hotkey.error().message}});
    return 2;
  }
  const std::string hotkey_ss58 = pylon::codec::ss58_encode(hotkey->public_key);
  log::info("keys", "validator hotkey loaded", {{"hotkey", hotkey_ss58}});

  pylon::net::NetContext net;
  pylon::net::RpcClientOptions ro;
  ro.endpoints = cfg->chain_urls;
  ro.on_event = [](const pylon::net::ClientEvent& e) {
    using K = pylon::net::ClientEvent::Kind;
    switch (e.kind) {
      case K::kConnected:
        log::info("chain", e.reconnect ? "reconnected" : "connected", {{"endpoint", e.endpoint}});
        break;
      case K::kConnectFailed:
        log::warn("chain", "connect failed", {{"endpoint", e.endpoint}, {"detail", e.detail}});
        break;
      case K::kDisconnected:
        log::warn("chain", "disconnected", {{"endpoint", e.endpoint}, {"detail", e.detail}});
        break;
      case K::kResubscribed:
        log::info("chain", "subscriptions restored", {{"count", std::to_string(e.count)}});
        break;
      case K::kSubscriptionLost:
        log::error("chain", "subscription lost", {{"detail", e.detail}});
        break;
    }
  };
  auto rpc = pylon::net::RpcClient::create(net, ro);
  if (!rpc.ok()) {
    log::error("chain", "bad endpoint configuration", {{"error", rpc.error().message}});
    return 2;
  }
  std::unique_ptr<pylon::net::RpcClient> archive;
  if (cfg->archive_url) {
    pylon::net::RpcClientOptions ao;
    ao.endpoints = {*cfg->archive_url};
    auto a = pylon::net::RpcClient::create(net, ao);
    if (!a.ok()) {
      log::error("chain", "bad archive endpoint", {{"error", a.error().message}});
      return 2;
    }
    archive = std::move(a).value();
  }
  pylon::chain::ChainClient chain(**rpc, archive.get(), {cfg->archive_cutoff});
  pylon::follower::SnapshotStore store(cfg->snapshot_keep);

  // The shared-memory snapshot segment co-located validators map read-only.
  pylon::shm::SnapshotWriterConfig wc;
  wc.name = cfg->shm_name;
  wc.netuid = cfg->netuid;
  if (cfg->shm_group) {
    const struct group* g = ::getgrnam(cfg->shm_group->c_str());
    if (!g) {
      log::error("shm", "PYLON_SHM_GROUP names no group on this machine", {{"group", *cfg->shm_group}});
      return 2;
    }
    wc.group = g->gr_gid;
  }
  auto writer = pylon::shm::SnapshotWriter::create(wc);
  if (!writer.ok()) {
    log::error("shm", "cannot create the snapshot segment", {{"error", writer.error().message}});
    return 2;
  }
  log::info("shm", "snapshot segment ready", {{"name", "/dev/shm/" + (*writer)->name()}});

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  log::info("pylon", "starting",
            {{"netuid", std::to_string(cfg->netuid)}, {"endpoints", std::to_string(cfg->chain_urls.size())}});
  while (!g_stop && !(*rpc)->wait_connected(std::chrono::seconds(1)).ok()) {
  }
  if (g_stop) return 0;

  pylon::follower::FollowerOptions fo;
  fo.netuid = cfg->netuid;
  fo.every_n_blocks = cfg->snapshot_every;
  pylon::follower::Follower follower(chain, **rpc, store, fo,
                                     [](std::string_view level, std::string_view msg) {
                                       log::write(level == "warn"    ? log::Level::Warn
                                                  : level == "error" ? log::Level::Error
                                                                     : log::Level::Info,
                                                  "follower", msg);
                                     });
  pylon::Status started = pylon::make_error("not started");
  while (!g_stop) {
    started = follower.start();
    if (started.ok()) break;
    log::warn("follower", "cannot subscribe to finalized heads yet", {{"error", started.error().message}});
    for (int i = 0; i < 20 && !g_stop; ++i) ::usleep(100'000);
  }
  // Main loop: publish each new snapshot into shared memory, keep the writer's heartbeat fresh.
  std::uint64_t shm_seen = 0;
  for (int tick = 0; !g_stop; ++tick) {
    ::usleep(100'000);
    const std::uint64_t published = store.published_count();
    if (published != shm_seen) {
      shm_seen = published;
      auto data = pylon::shm::to_snapshot_data(*store.latest());
      auto st = data.ok() ? (*writer)->publish(*data) : pylon::Status(data.error());
      if (!st.ok())
        log::error("shm", "snapshot not published to shared memory", {{"error", st.error().message}});
    }
    if (tick % 10 == 0) (*writer)->heartbeat();
  }
  log::info("pylon", "stopping: draining");
  follower.stop();
  (*writer)->close();
  log::info("pylon", "stopped", {{"snapshots", std::to_string(store.published_count())}});
  return 0;
}

}  // namespace

PYLON_COMMAND("run", "run the daemon (settings from the environment and ./.env)", run);

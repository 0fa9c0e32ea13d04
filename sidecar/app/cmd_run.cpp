// `pylon run`: the daemon. Reads the configuration (environment and ./.env), loads the validator's
// hotkey, and runs the daemon's parts (app/daemon.hpp) until SIGTERM or SIGINT, when it drains
// and exits cleanly.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "app/daemon.hpp"
#include "app/stop_signal.hpp"
#include "codec/ss58.hpp"
#include "common/log.hpp"
#include "config/config.hpp"
#include "keys/wallet.hpp"

extern char** environ;

namespace {

int run(std::span<char* const> args) {
  CLI::App app(
      "Run the daemon. It takes no options: settings come from the environment and ./.env\n"
      "(or the file PYLON_ENV_FILE names; README, Configuration).",
      "pylon run");
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  auto env = pylon::config::gather_env(pylon::config::env_file_path(std::getenv("PYLON_ENV_FILE")), environ);
  if (!env.ok()) {
    std::fprintf(stderr, "pylon: configuration: %s\n", env.error().message.c_str());
    return 2;
  }
  {
    // The identities may live in a file of their own (PYLON_ID_ENV_FILE, pylon-v1.md §7).
    const auto g = env->find("PYLON_ALLOW_GROUP_READABLE_KEYS");
    const bool allow_group = g != env->end() && g->second == "1";
    auto merged = pylon::config::merge_id_env_file(std::move(env).value(), allow_group);
    if (!merged.ok()) {
      std::fprintf(stderr, "pylon: configuration: %s\n", merged.error().message.c_str());
      return 2;
    }
    env = std::move(merged);
  }
  const char* home = std::getenv("HOME");
  auto cfg = pylon::config::load(*env, home ? home : "/");
  if (!cfg.ok()) {
    std::fprintf(stderr, "pylon: configuration: %s\n", cfg.error().message.c_str());
    return 2;
  }
  namespace log = pylon::log;
  log::set_format(cfg->log_format == "json" ? log::Format::Json : log::Format::Text);
  log::set_min_level(cfg->log_level);
  for (const auto& w : cfg->warnings) log::warn("config", w);
  // The keys module reads this switch from the environment; a .env value must reach it too.
  if (cfg->allow_group_readable_keys) ::setenv("PYLON_ALLOW_GROUP_READABLE_KEYS", "1", 1);

  auto hotkey = pylon::keys::load_hotkey({cfg->wallet_path, cfg->wallet_name}, cfg->wallet_hotkey);
  if (!hotkey.ok()) {
    log::error("keys", "cannot load the validator hotkey", {{"error", hotkey.error().message}});
    return 2;
  }
  log::info("keys", "validator hotkey loaded", {{"hotkey", pylon::codec::ss58_encode(hotkey->public_key)}});

  // A peer that goes away mid-write (a REST client, the chain node) is an error to handle on that
  // connection, never a reason for the daemon to die.
  std::signal(SIGPIPE, SIG_IGN);
  // SIGTERM/SIGINT are taken by a thread of their own and wake the daemon's waits at once.
  auto& stop = pylon::app::StopSignal::install();
  return pylon::app::run_daemon(*cfg, std::move(hotkey).value(), stop);
}

}  // namespace

PYLON_COMMAND("run", "run the daemon (settings from the environment and ./.env)", run);

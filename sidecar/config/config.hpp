// Pylon's settings (../shared/config.md): one daemon, one subnet, one validator hotkey. Read from
// the environment and a .env file (the environment wins); the original service's names (1.x, and
// 2.x's of ../shared/api/pylon-v1.md §7) are accepted as aliases, and two names of one setting
// set to different values stop the start. A bad value stops the start with a message naming the setting;
// secrets (the auth token) are never printed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/log.hpp"
#include "common/result.hpp"
#include "config/identities.hpp"

namespace pylon::config {

// Kinds of the configuration's own errors (file errors keep keys::FileErrc).
enum class ConfigErrc {
  bad_token,       // PYLON_AUTH_TOKEN(_FILE) holds no usable bearer token
  exposed_dotenv,  // .env is writable by every user
};

struct CommitWindow {
  std::optional<std::uint64_t> start_offset;  // blocks after the epoch's start; nullopt: its middle
  std::uint64_t end_buffer = 10;              // blocks before the epoch's end
};

struct Config {
  std::uint16_t netuid = 0;
  std::vector<std::string> chain_urls;
  std::optional<std::string> archive_url;
  std::uint64_t archive_cutoff = 300;
  std::string wallet_path;
  std::string wallet_name = "default";
  std::string wallet_hotkey = "default";
  std::optional<std::string> coldkey_password_file;
  bool allow_group_readable_keys = false;
  std::string db_path = "./pylon.db";
  std::string shm_name;
  std::optional<std::string> shm_group;
  std::string http_host = "127.0.0.1";
  std::uint16_t http_port = 8000;
  std::uint32_t http_threads = 1;         // PYLON_HTTP_THREADS: REST I/O threads (default: cores, at most 4)
  std::optional<std::string> auth_token;  // secret: never logged
  // PYLON_METRICS_TOKEN(_FILE): with it, /metrics needs this token and only it. Secret.
  std::optional<std::string> metrics_token;
  bool auth_reads = false;  // PYLON_AUTH_READS: reads need the token too
  std::uint32_t commit_every_epochs = 1;
  CommitWindow commit_window;
  std::string log_format = "text";
  log::Level log_level = log::Level::Info;  // PYLON_LOG_LEVEL: lines below it are dropped
  std::uint16_t localnet_port = 9944;
  std::uint32_t snapshot_every = 1;  // PYLON_SNAPSHOT_EVERY: build a snapshot every N finalized blocks
  std::uint32_t snapshot_keep = 32;  // PYLON_SNAPSHOT_KEEP: snapshots kept for reads at a block
  V1Settings v1;                     // the /api/v1 surface: identities, open-access token, timeouts

  std::vector<std::string> warnings;  // e.g. unknown PYLON_* variables, aliases used
};

using Env = std::map<std::string, std::string>;

// The settings file: PYLON_ENV_FILE's value (`pylon_env_file`, from the process environment, as
// the 2.x service reads it) when set, else ./.env.
std::string env_file_path(const char* pylon_env_file);

// The process environment merged over the .env file at `dotenv_path` (if it exists). .env is
// opened like a key file (keys/secret_file.hpp: no FIFO or folder, symlinks only inside its
// folder); it is refused when every user may write it, and, when it sets PYLON_AUTH_TOKEN, when
// other users may read it or its group may without PYLON_ALLOW_GROUP_READABLE_KEYS=1.
Result<Env> gather_env(const std::string& dotenv_path, char** environ_ptr);

// Validates and fills a Config. `home` expands a leading ~ in paths.
Result<Config> load(const Env& env, const std::string& home);

// Known network names of BITTENSOR_NETWORK / PYLON_CHAIN_URLS.
std::optional<std::string> network_url(const std::string& name, std::uint16_t localnet_port);

}  // namespace pylon::config

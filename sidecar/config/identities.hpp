// The settings of the /api/v1 surface (../shared/api/pylon-v1.md §5, §7): identities (a name bound
// to a wallet hotkey, a netuid and a bearer token), the open-access token and the request
// timeouts. Read from the same environment map as Config (config.hpp), under the 2.x service's
// names, so an operator's 2.x .env works unchanged.
//
// Tokens are secrets: held in keys::SecretString (wiped when the last holder lets go), compared in
// constant time by the REST layer, never printed; errors name the variable, never its value.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::config {

using Env = std::map<std::string, std::string>;

// Kinds of the identity settings' errors.
enum class IdentityErrc : std::uint8_t {
  missing_setting,  // a required PYLON_ID_<NAME>_* variable is unset (the message names it)
  bad_value,        // a value that does not parse (PYLON_IDENTITIES not a JSON list of names, ...)
  bad_id_env_file,  // PYLON_ID_ENV_FILE cannot be read or is not a secret file
};

// Shared, so RestOptions and Config hold the same wiped bytes without copying them.
using SecretToken = std::shared_ptr<const keys::SecretString>;

struct Identity {
  std::string name;  // as listed in PYLON_IDENTITIES (the {identity} of the paths)
  std::string wallet_name;
  std::string hotkey_name;
  std::uint16_t netuid = 0;
  SecretToken token;  // never null for a loaded identity
};

struct V1Settings {
  std::vector<Identity> identities;  // in PYLON_IDENTITIES order
  // PYLON_OPEN_ACCESS_TOKEN. Null when unset or empty: then every open-access request is refused
  // (401 without a Bearer header, else 403), as the 2.x code does. Pylon's choice for §5: an
  // empty token never means "open"; an operator who wants open reads sets a token and gives it out.
  SecretToken open_access_token;
  double default_timeout_seconds = 60;           // PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS
  double max_timeout_seconds = 300;              // PYLON_MAX_REQUEST_TIMEOUT_SECONDS
  std::uint64_t recent_soft_limit_blocks = 100;  // PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS
  std::uint64_t recent_hard_limit_blocks = 150;  // PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS
  double block_duration_seconds = 12;            // PYLON_BLOCK_DURATION_SECONDS
  // PYLON_RECENT_OBJECTS_NETUIDS (a JSON list): subnets followed for their open-access reads
  // besides those the identities name. Sorted, without repeats.
  std::vector<std::uint16_t> recent_netuids;
  // POST .../commitments (pylon-v1.md §6.2): attempts in all, and the first backoff between them.
  std::uint32_t commitment_retry_attempts = 10;  // PYLON_COMMITMENT_RETRY_ATTEMPTS, 1..1000
  double commitment_retry_delay_seconds = 1;     // PYLON_COMMITMENT_RETRY_DELAY_SECONDS
};

// Reads the v1 settings from `env`. An identity without PYLON_ID_<NAME>_NETUID takes
// `default_netuid` (PYLON_NETUID). Every variable name it reads (given or not) is added to
// `used`, so Config does not report them as unknown.
Result<V1Settings> load_v1_settings(const Env& env, std::uint16_t default_netuid,
                                    std::set<std::string>& used);

// Every subnet the daemon follows: PYLON_NETUID, each identity's netuid and
// PYLON_RECENT_OBJECTS_NETUIDS; sorted, without repeats.
std::vector<std::uint16_t> followed_netuids(const V1Settings& v1, std::uint16_t netuid);

// PYLON_ID_ENV_FILE (when `env` sets it): a .env holding the PYLON_ID_* variables, read with the
// secret-file rules (it holds tokens; group access only with `allow_group_readable`). Its
// PYLON_ID_* entries are added where `env` has none (the environment and PYLON_ENV_FILE win);
// other names in it are ignored.
Result<Env> merge_id_env_file(Env env, bool allow_group_readable);

// The visible-ASCII bearer token inside `raw` (surrounding whitespace dropped), without copying
// it; errors name `setting`, never the value (config.cpp's rule for PYLON_AUTH_TOKEN).
Result<std::string_view> bearer_token_view(const std::string& setting, std::string_view raw);

}  // namespace pylon::config

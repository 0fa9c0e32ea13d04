#include "config/config.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <thread>

#include "common/log.hpp"
#include "config/dotenv.hpp"
#include "config/identities.hpp"
#include "keys/secret_file.hpp"

namespace pylon::config {
namespace {

constexpr std::size_t kMaxTokenFileBytes = 4096;
constexpr std::size_t kMaxDotenvBytes = 1 << 20;

// One setting: its name, its aliases (the original service's 1.x and 2.x names), and whether it
// was given. Several of these names set to different values is a conflict: which one the
// operator meant cannot be known, so load() stops naming them (never their values, which may be
// secrets). The same value under two names is fine (a 2.x .env beside Pylon's own settings).
struct Lookup {
  const Env& env;
  std::vector<std::string>& warnings;
  std::set<std::string>& used;
  std::optional<std::string>& conflict;  // the first one found

  std::optional<std::string> get(const std::string& name, std::initializer_list<const char*> aliases = {}) {
    used.insert(name);
    std::optional<std::string> value;
    std::string given_as;
    auto take = [&](const std::string& n) {
      auto it = env.find(n);
      if (it == env.end()) return;
      if (!value) {
        value = it->second;
        given_as = n;
      } else if (*value != it->second && !conflict) {
        conflict = given_as + " and " + n + " are both set, to different values: keep one of them";
      }
    };
    take(name);
    for (const char* a : aliases) {
      used.insert(a);
      take(a);
    }
    return value;
  }
};

template <class T>
Result<T> parse_uint(const std::string& name, const std::string& text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || r.ec != std::errc() || r.ptr != end)
    return make_error(name + ": '" + text + "' is not a whole number");
  if (v < min || v > max)
    return make_error(name + ": " + text + " is out of range (" + std::to_string(min) + ".." +
                      std::to_string(max) + ")");
  return static_cast<T>(v);
}

Result<bool> parse_bool(const std::string& name, const std::string& text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off" || text.empty()) return false;
  return make_error(name + ": '" + text + "' is not a boolean (use 1 or 0)");
}

std::string expand_home(const std::string& p, const std::string& home) {
  if (p == "~") return home;
  if (p.starts_with("~/")) return home + p.substr(1);
  return p;
}

// The bearer token exactly as the REST API will compare it (bearer_token_view, identities.hpp):
// surrounding whitespace dropped, since `echo token > file`, editors and `kubectl create secret
// --from-file` leave a trailing newline that no client can send back; visible ASCII inside.
Result<std::string> bearer_token(const std::string& setting, std::string_view raw) {
  PYLON_ASSIGN(std::string_view t, bearer_token_view(setting, raw));
  return std::string(t);
}

Status check_url(const std::string& name, const std::string& url) {
  if (!(url.starts_with("ws://") || url.starts_with("wss://")) || url.size() <= 6)
    return make_error(name + ": '" + url + "' is not a ws:// or wss:// URL");
  return {};
}

// A bearer token given as NAME or NAME_FILE (not both). The file is a secret like a key file: the
// same opening rules and permission checks (keys/secret_file.hpp), read into wiped memory.
Result<std::optional<std::string>> token_setting(Lookup& l, const std::string& name, const std::string& home,
                                                 bool allow_group_readable) {
  const std::string file_name = name + "_FILE";
  auto token = l.get(name);
  auto token_file = l.get(file_name);
  if (token && token_file) return make_error(name + " and " + file_name + " are both set: choose one");
  if (token_file) {
    const std::string path = expand_home(*token_file, home);
    auto raw = keys::read_secret_file(path, kMaxTokenFileBytes, allow_group_readable);
    if (!raw.ok()) return with_context(file_name, raw.error());
    const std::string_view text(reinterpret_cast<const char*>(raw->data()), raw->size());
    PYLON_ASSIGN(std::string t, bearer_token(file_name + ": " + path, text));
    return std::optional<std::string>(std::move(t));
  }
  if (token) {
    PYLON_ASSIGN(std::string t, bearer_token(name, *token));
    return std::optional<std::string>(std::move(t));
  }
  return std::optional<std::string>();
}

}  // namespace

std::optional<std::string> network_url(const std::string& name, std::uint16_t localnet_port) {
  if (name == "finney") return "wss://entrypoint-finney.opentensor.ai:443";
  if (name == "test") return "wss://test.finney.opentensor.ai:443";
  if (name == "archive") return "wss://archive.chain.opentensor.ai:443";
  if (name == "local") return "ws://127.0.0.1:" + std::to_string(localnet_port);
  return std::nullopt;
}

std::string env_file_path(const char* pylon_env_file) {
  return pylon_env_file != nullptr && *pylon_env_file != '\0' ? pylon_env_file : ".env";
}

Result<Env> gather_env(const std::string& dotenv_path, char** environ_ptr) {
  Env env;
  std::optional<keys::FileRead> dotenv;
  if (auto read = keys::read_file_with_mode(dotenv_path, kMaxDotenvBytes); read.ok()) {
    dotenv = std::move(read).value();
    const std::string_view text(reinterpret_cast<const char*>(dotenv->data.data()), dotenv->data.size());
    auto parsed = parse_dotenv(text);
    if (!parsed.ok()) return with_context(dotenv_path, parsed.error());
    env = std::move(parsed).value();
  } else if (!read.error().is(keys::FileErrc::missing)) {
    return read.error();  // a FIFO, a folder, unreadable: not silently skipped (the message names it)
  }
  auto sets = [&env](const std::string& name) { return env.count(name) && !env.at(name).empty(); };
  // The v1 tokens (the open-access one, each identity's) are secrets too.
  std::string token_name;
  for (const auto& [k, v] : env)
    if (!v.empty() &&
        (k == "PYLON_AUTH_TOKEN" || k == "PYLON_METRICS_TOKEN" || k == "PYLON_OPEN_ACCESS_TOKEN" ||
         (k.starts_with("PYLON_ID_") && k.ends_with("_TOKEN")))) {
      token_name = k;
      break;
    }
  const bool dotenv_has_token = !token_name.empty();
  for (char** e = environ_ptr; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env[kv.substr(0, eq)] = kv.substr(eq + 1);  // the environment wins over .env
  }
  if (dotenv) {
    // Whoever may write .env decides the settings, the auth token and the wallet among them.
    if (dotenv->mode & S_IWOTH)
      return make_error(ConfigErrc::exposed_dotenv,
                        "refusing " + dotenv_path +
                            ": every user may write it and so change Pylon's settings; "
                            "fix with: chmod 600 " +
                            dotenv_path);
    // A .env holding the token is a secret file: the key files' rules, group access included.
    if (dotenv_has_token) {
      bool allow_group = false;
      if (auto it = env.find("PYLON_ALLOW_GROUP_READABLE_KEYS"); it != env.end()) {
        auto b = parse_bool("PYLON_ALLOW_GROUP_READABLE_KEYS", it->second);
        allow_group = b.ok() && *b;  // a bad value is reported by load()
      }
      if (auto st = keys::check_secret_file(dotenv_path, dotenv->mode, dotenv->owner, allow_group); !st.ok())
        return with_context(dotenv_path + " sets " +
                                (sets("PYLON_AUTH_TOKEN") ? std::string("PYLON_AUTH_TOKEN") : token_name),
                            st.error());
    }
  }
  return env;
}

namespace {

Result<Config> load_values(const Env& env, const std::string& home, std::optional<std::string>& conflict) {
  Config c;
  std::set<std::string> used;
  Lookup l{env, c.warnings, used, conflict};

  if (auto v = l.get("PYLON_LOCALNET_PORT")) {
    PYLON_ASSIGN(c.localnet_port, parse_uint<std::uint16_t>("PYLON_LOCALNET_PORT", *v, 1, 65535));
  }
  auto netuid = l.get("PYLON_NETUID", {"BITTENSOR_NETUID"});
  if (!netuid) return make_error("PYLON_NETUID is required: the subnet to follow (e.g. PYLON_NETUID=1)");
  PYLON_ASSIGN(c.netuid, parse_uint<std::uint16_t>("PYLON_NETUID", *netuid, 0, 65535));

  const std::string urls =
      l.get("PYLON_CHAIN_URLS", {"BITTENSOR_NETWORK", "PYLON_BITTENSOR_NETWORK"}).value_or("finney");
  std::stringstream ss(urls);
  for (std::string item; std::getline(ss, item, ',');) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    if (auto known = network_url(item, c.localnet_port)) item = *known;
    PYLON_TRY(check_url("PYLON_CHAIN_URLS", item));
    c.chain_urls.push_back(item);
  }
  if (c.chain_urls.empty()) return make_error("PYLON_CHAIN_URLS: no endpoint given");
  if (auto v = l.get("PYLON_ARCHIVE_URL", {"PYLON_BITTENSOR_ARCHIVE_NETWORK"}); v && !v->empty()) {
    std::string u = *v;
    if (auto known = network_url(u, c.localnet_port)) u = *known;
    PYLON_TRY(check_url("PYLON_ARCHIVE_URL", u));
    c.archive_url = u;
  }
  if (auto v = l.get("PYLON_ARCHIVE_CUTOFF", {"PYLON_BITTENSOR_ARCHIVE_BLOCKS_CUTOFF"})) {
    PYLON_ASSIGN(c.archive_cutoff, parse_uint<std::uint64_t>("PYLON_ARCHIVE_CUTOFF", *v, 1, 1'000'000'000));
  }
  c.wallet_path =
      expand_home(l.get("PYLON_WALLET_PATH", {"BITTENSOR_WALLET_PATH", "PYLON_BITTENSOR_WALLET_PATH"})
                      .value_or("~/.bittensor/wallets"),
                  home);
  c.wallet_name = l.get("PYLON_WALLET_NAME", {"BITTENSOR_WALLET_NAME"}).value_or("default");
  c.wallet_hotkey = l.get("PYLON_WALLET_HOTKEY", {"BITTENSOR_WALLET_HOTKEY_NAME"}).value_or("default");
  for (const auto* n : {&c.wallet_name, &c.wallet_hotkey})
    if (n->empty() || n->find('/') != std::string::npos || *n == "." || *n == "..")
      return make_error(std::string(n == &c.wallet_name ? "PYLON_WALLET_NAME" : "PYLON_WALLET_HOTKEY") +
                        ": '" + *n + "' is not a plain file name");
  if (auto v = l.get("PYLON_COLDKEY_PASSWORD_FILE"); v && !v->empty())
    c.coldkey_password_file = expand_home(*v, home);
  if (auto v = l.get("PYLON_ALLOW_GROUP_READABLE_KEYS")) {
    PYLON_ASSIGN(c.allow_group_readable_keys, parse_bool("PYLON_ALLOW_GROUP_READABLE_KEYS", *v));
  }
  c.db_path = expand_home(l.get("PYLON_DB_PATH", {"PYLON_DATABASE_PATH"}).value_or("./pylon.db"), home);
  c.shm_name = l.get("PYLON_SHM_NAME").value_or("pylon-" + std::to_string(c.netuid));
  if (c.shm_name.empty() || c.shm_name.find('/') != std::string::npos || c.shm_name.size() > 200)
    return make_error("PYLON_SHM_NAME: '" + c.shm_name + "' must be a non-empty name without '/'");
  if (auto v = l.get("PYLON_SHM_GROUP"); v && !v->empty()) c.shm_group = *v;
  c.http_host = l.get("PYLON_HTTP_HOST").value_or("127.0.0.1");
  if (auto v = l.get("PYLON_HTTP_PORT")) {
    PYLON_ASSIGN(c.http_port, parse_uint<std::uint16_t>("PYLON_HTTP_PORT", *v, 0, 65535));
  }
  if (auto v = l.get("PYLON_HTTP_THREADS")) {
    PYLON_ASSIGN(c.http_threads, parse_uint<std::uint32_t>("PYLON_HTTP_THREADS", *v, 1, 64));
  } else {
    // One per core, at most 4: the I/O threads never block, so more than the cores buys nothing.
    c.http_threads = std::clamp<std::uint32_t>(std::thread::hardware_concurrency(), 1, 4);
  }
  PYLON_ASSIGN(c.auth_token, token_setting(l, "PYLON_AUTH_TOKEN", home, c.allow_group_readable_keys));
  // The 2.x service's default is PYLON_METRICS_TOKEN="" (pylon-v1.md §7): a 2.x .env may say so
  // explicitly and must still start. Empty is unset here (/metrics then needs the auth token).
  if (auto it = env.find("PYLON_METRICS_TOKEN"); it != env.end() && it->second.empty()) {
    used.insert("PYLON_METRICS_TOKEN");
    if (env.count("PYLON_METRICS_TOKEN_FILE"))
      return make_error("PYLON_METRICS_TOKEN and PYLON_METRICS_TOKEN_FILE are both set: choose one");
  } else {
    PYLON_ASSIGN(c.metrics_token, token_setting(l, "PYLON_METRICS_TOKEN", home, c.allow_group_readable_keys));
  }
  // The point of a metrics token is that a scraper's token cannot write: the same value would.
  if (c.metrics_token && c.auth_token && *c.metrics_token == *c.auth_token)
    return make_error(
        ConfigErrc::bad_token,
        "PYLON_METRICS_TOKEN equals PYLON_AUTH_TOKEN: a scraper holding it could write weights; "
        "give the metrics token a value of its own");
  if (auto v = l.get("PYLON_AUTH_READS")) {
    PYLON_ASSIGN(c.auth_reads, parse_bool("PYLON_AUTH_READS", *v));
    if (c.auth_reads && !c.auth_token)
      return make_error("PYLON_AUTH_READS=1 needs PYLON_AUTH_TOKEN (or PYLON_AUTH_TOKEN_FILE)");
  }
  if (auto v = l.get("PYLON_COMMIT_EVERY_EPOCHS", {"COMMIT_CYCLE_LENGTH"})) {
    PYLON_ASSIGN(c.commit_every_epochs, parse_uint<std::uint32_t>("PYLON_COMMIT_EVERY_EPOCHS", *v, 1, 1000));
  }
  // PYLON_COMMIT_WINDOW=START:END_BUFFER (START "mid" or blocks after the epoch's start), or the
  // original's two settings.
  if (auto v = l.get("PYLON_COMMIT_WINDOW")) {
    const auto colon = v->find(':');
    if (colon == std::string::npos)
      return make_error("PYLON_COMMIT_WINDOW: expected START:END_BUFFER, e.g. mid:10 or 5:10");
    const std::string start = v->substr(0, colon);
    if (start != "mid") {
      PYLON_ASSIGN(c.commit_window.start_offset,
                   parse_uint<std::uint64_t>("PYLON_COMMIT_WINDOW start", start, 0, 1'000'000));
    }
    PYLON_ASSIGN(c.commit_window.end_buffer, parse_uint<std::uint64_t>("PYLON_COMMIT_WINDOW end buffer",
                                                                       v->substr(colon + 1), 0, 1'000'000));
  } else {
    if (auto s = l.get("COMMIT_WINDOW_START_OFFSET")) {
      PYLON_ASSIGN(c.commit_window.start_offset,
                   parse_uint<std::uint64_t>("COMMIT_WINDOW_START_OFFSET", *s, 0, 1'000'000));
    }
    if (auto e = l.get("COMMIT_WINDOW_END_BUFFER")) {
      PYLON_ASSIGN(c.commit_window.end_buffer,
                   parse_uint<std::uint64_t>("COMMIT_WINDOW_END_BUFFER", *e, 0, 1'000'000));
    }
  }
  c.log_format = l.get("PYLON_LOG_FORMAT").value_or("text");
  if (c.log_format != "text" && c.log_format != "json")
    return make_error("PYLON_LOG_FORMAT: '" + c.log_format + "' is not text or json");
  if (auto v = l.get("PYLON_LOG_LEVEL")) {
    auto level = log::parse_level(*v);
    if (!level) return make_error("PYLON_LOG_LEVEL: '" + *v + "' is not error, warn, info or debug");
    c.log_level = *level;
  }
  if (auto v = l.get("PYLON_SNAPSHOT_EVERY")) {
    PYLON_ASSIGN(c.snapshot_every, parse_uint<std::uint32_t>("PYLON_SNAPSHOT_EVERY", *v, 1, 100000));
  }
  if (auto v = l.get("PYLON_SNAPSHOT_KEEP")) {
    PYLON_ASSIGN(c.snapshot_keep, parse_uint<std::uint32_t>("PYLON_SNAPSHOT_KEEP", *v, 1, 10000));
  }
  // Identities may name any subnets and hotkeys, several hotkeys on one subnet included: the
  // daemon gives each (subnet, hotkey) its own lane (weights::Lane).
  PYLON_ASSIGN(c.v1, load_v1_settings(env, c.netuid, used));
  l.get("PYLON_ENV_FILE");  // read by gather_env's caller (env_file_path), before this
  // Variables of Pylon's scripts and tests (script/test, localnet/, the oracle) are not the
  // daemon's, but they are not typos either.
  auto script_variable = [](const std::string& k) {
    return k == "PYLON_SHARED_DIR" || k == "PYLON_ORACLE" || k == "PYLON_TEST_TREES" ||
           k == "PYLON_FUZZ_SECONDS" || k.starts_with("PYLON_LOCALNET_") || k.starts_with("PYLON_BENCH_") ||
           k.starts_with("PYLON_SERVER_");
  };
  for (const auto& [k, v] : env)
    if (k.starts_with("PYLON_") && !used.count(k) && !script_variable(k))
      c.warnings.push_back("unknown setting " + k + " (ignored)");
  return c;
}

}  // namespace

Result<Config> load(const Env& env, const std::string& home) {
  std::optional<std::string> conflict;
  Result<Config> c = load_values(env, home, conflict);
  // Two names of one setting that disagree come first: a bad value found on the way may be the
  // one the operator did not mean.
  if (conflict) return make_error(*conflict);
  return c;
}

}  // namespace pylon::config

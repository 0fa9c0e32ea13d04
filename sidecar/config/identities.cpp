#include "config/identities.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "config/config.hpp"
#include "config/dotenv.hpp"
#include "keys/secret_file.hpp"

namespace pylon::config {
namespace {

constexpr std::size_t kMinTokenChars = 16;
constexpr std::size_t kMaxNameChars = 64;
constexpr std::size_t kMaxIdentities = 256;
constexpr std::size_t kMaxFollowedNetuids =
    1024;  // a bound on PYLON_RECENT_OBJECTS_NETUIDS (finney has 129 subnets)
constexpr std::size_t kMaxIdEnvFileBytes = 1 << 20;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& ch : out)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return out;
}

// A name is part of an environment variable name and of a URL path: letters, digits, '_' and '-'.
bool plain_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameChars) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '-';
  });
}

// PYLON_IDENTITIES: a JSON list of names (`["sn12","debug"]`), as the 2.x service reads it.
Result<std::vector<std::string>> identity_names(const std::string& text) {
  const auto bad = [](const std::string& why) {
    return make_error(IdentityErrc::bad_value, "PYLON_IDENTITIES: " + why +
                                                   " (expected a JSON list of names, e.g. "
                                                   "[\"sn12\",\"debug\"])");
  };
  // The DOM parser validates the whole text (trailing bytes included) before anything is read.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array list;
  if (parser.parse(text).get(doc) || doc.get_array().get(list)) return bad("not a JSON list");
  std::vector<std::string> names;
  std::set<std::string> upper_names;
  for (auto item : list) {
    std::string_view name;
    if (item.get_string().get(name)) return bad("an entry is not a string");
    if (!plain_name(name))
      return bad("'" + std::string(name) + "' is not a name of 1 to 64 letters, digits, '_' or '-'");
    // The variables are named after the upper-cased name: two names differing only in case would
    // read the same ones.
    if (!upper_names.insert(upper(name)).second) return bad("'" + std::string(name) + "' is listed twice");
    if (names.size() == kMaxIdentities) return bad("more than 256 identities");
    names.emplace_back(name);
  }
  return names;
}

// PYLON_RECENT_OBJECTS_NETUIDS: a JSON list of netuids (`[1, 12]`), as the 2.x service reads it.
Result<std::vector<std::uint16_t>> netuid_list(const std::string& name, const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return make_error(IdentityErrc::bad_value,
                      name + ": " + why + " (expected a JSON list of netuids, e.g. [1, 12])");
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array list;
  if (parser.parse(text).get(doc) || doc.get_array().get(list)) return bad("not a JSON list");
  std::set<std::uint16_t> netuids;
  for (auto item : list) {
    std::uint64_t n = 0;
    if (item.get_uint64().get(n) || n > 65535)
      return bad("an entry is not a netuid (a whole number 0..65535)");
    if (netuids.size() == kMaxFollowedNetuids) return bad("more than 1024 netuids");
    netuids.insert(static_cast<std::uint16_t>(n));
  }
  return std::vector<std::uint16_t>(netuids.begin(), netuids.end());
}

Result<double> parse_seconds(const std::string& name, const std::string& text) {
  double v = 0;
  const auto* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || r.ec != std::errc() || r.ptr != end || !std::isfinite(v) || v <= 0 || v > 86400)
    return make_error(IdentityErrc::bad_value,
                      name + ": '" + text + "' is not a number of seconds in (0, 86400]");
  return v;
}

Result<std::uint64_t> parse_count(const std::string& name, const std::string& text, std::uint64_t max) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  auto r = std::from_chars(text.data(), end, v);
  if (text.empty() || r.ec != std::errc() || r.ptr != end || v > max)
    return make_error(IdentityErrc::bad_value,
                      name + ": '" + text + "' is not a whole number in 0.." + std::to_string(max));
  return v;
}

Result<SecretToken> token_of(const std::string& setting, const std::string& raw) {
  PYLON_ASSIGN(std::string_view t, bearer_token_view(setting, raw));
  return std::make_shared<const keys::SecretString>(t);
}

}  // namespace

Result<std::string_view> bearer_token_view(const std::string& setting, std::string_view raw) {
  auto space = [](char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
  };
  while (!raw.empty() && space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && space(raw.back())) raw.remove_suffix(1);
  for (const char ch : raw)
    if (ch < 0x21 || ch > 0x7e)
      return make_error(ConfigErrc::bad_token,
                        setting +
                            ": the token holds a space, control or non-ASCII character; a bearer "
                            "token is visible ASCII (surrounding whitespace, such as a trailing "
                            "newline, is ignored)");
  if (raw.size() < kMinTokenChars)
    return make_error(ConfigErrc::bad_token, setting + ": the token is too short (use at least " +
                                                 std::to_string(kMinTokenChars) + " characters)");
  return raw;
}

Result<V1Settings> load_v1_settings(const Env& env, std::uint16_t default_netuid,
                                    std::set<std::string>& used) {
  auto get = [&](const std::string& name) -> const std::string* {
    used.insert(name);
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  };
  V1Settings v;
  if (const auto* t = get("PYLON_OPEN_ACCESS_TOKEN"); t && !t->empty()) {
    PYLON_ASSIGN(v.open_access_token, token_of("PYLON_OPEN_ACCESS_TOKEN", *t));
  }
  if (const auto* s = get("PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS")) {
    PYLON_ASSIGN(v.default_timeout_seconds, parse_seconds("PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS", *s));
  }
  if (const auto* s = get("PYLON_MAX_REQUEST_TIMEOUT_SECONDS")) {
    PYLON_ASSIGN(v.max_timeout_seconds, parse_seconds("PYLON_MAX_REQUEST_TIMEOUT_SECONDS", *s));
  }
  if (v.default_timeout_seconds > v.max_timeout_seconds)
    return make_error(IdentityErrc::bad_value,
                      "PYLON_DEFAULT_REQUEST_TIMEOUT_SECONDS is above PYLON_MAX_REQUEST_TIMEOUT_SECONDS");
  if (const auto* s = get("PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS")) {
    PYLON_ASSIGN(v.recent_soft_limit_blocks,
                 parse_count("PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS", *s, 1'000'000));
  }
  if (const auto* s = get("PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS")) {
    PYLON_ASSIGN(v.recent_hard_limit_blocks,
                 parse_count("PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS", *s, 1'000'000));
  }
  if (v.recent_soft_limit_blocks > v.recent_hard_limit_blocks)
    return make_error(
        IdentityErrc::bad_value,
        "PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS is above PYLON_RECENT_OBJECTS_HARD_LIMIT_BLOCKS");
  if (const auto* s = get("PYLON_BLOCK_DURATION_SECONDS")) {
    PYLON_ASSIGN(v.block_duration_seconds, parse_seconds("PYLON_BLOCK_DURATION_SECONDS", *s));
  }
  if (const auto* s = get("PYLON_COMMITMENT_RETRY_ATTEMPTS")) {
    // At least one attempt: 0 would answer every commitment write 502 without trying.
    PYLON_ASSIGN(std::uint64_t n, parse_count("PYLON_COMMITMENT_RETRY_ATTEMPTS", *s, 1000));
    if (n == 0)
      return make_error(IdentityErrc::bad_value,
                        "PYLON_COMMITMENT_RETRY_ATTEMPTS: '0' is not a whole number in 1..1000");
    v.commitment_retry_attempts = static_cast<std::uint32_t>(n);
  }
  if (const auto* s = get("PYLON_COMMITMENT_RETRY_DELAY_SECONDS")) {
    PYLON_ASSIGN(v.commitment_retry_delay_seconds, parse_seconds("PYLON_COMMITMENT_RETRY_DELAY_SECONDS", *s));
  }
  if (const auto* s = get("PYLON_RECENT_OBJECTS_NETUIDS")) {
    PYLON_ASSIGN(v.recent_netuids, netuid_list("PYLON_RECENT_OBJECTS_NETUIDS", *s));
  }
  if (const auto* s = get("PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS")) {
    // Checked, then unused: the 2.x service refreshes its cache this many blocks before the soft
    // limit; Pylon rebuilds every followed subnet's snapshot at each finalized block.
    PYLON_ASSIGN(std::uint64_t lead, parse_count("PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS", *s, 1'000'000));
    if (lead > v.recent_soft_limit_blocks)
      return make_error(
          IdentityErrc::bad_value,
          "PYLON_RECENT_OBJECTS_REFRESH_LEAD_BLOCKS is above PYLON_RECENT_OBJECTS_SOFT_LIMIT_BLOCKS");
  }
  get("PYLON_ID_ENV_FILE");  // read before this, by merge_id_env_file

  const auto* list = get("PYLON_IDENTITIES");
  if (list == nullptr || list->empty()) return v;
  PYLON_ASSIGN(std::vector<std::string> names, identity_names(*list));
  for (const auto& name : names) {
    const std::string prefix = "PYLON_ID_" + upper(name) + "_";
    auto required = [&](const char* suffix) -> Result<std::string> {
      const std::string var = prefix + suffix;
      const auto* value = get(var);
      if (value == nullptr || value->empty())
        return make_error(IdentityErrc::missing_setting,
                          var + " is required: identity '" + name + "' is listed in PYLON_IDENTITIES");
      return *value;
    };
    Identity id;
    id.name = name;
    PYLON_ASSIGN(id.wallet_name, required("WALLET_NAME"));
    PYLON_ASSIGN(id.hotkey_name, required("HOTKEY_NAME"));
    for (const auto* n : {&id.wallet_name, &id.hotkey_name})
      if (n->find('/') != std::string::npos || *n == "." || *n == "..")
        return make_error(IdentityErrc::bad_value,
                          prefix + (n == &id.wallet_name ? "WALLET_NAME" : "HOTKEY_NAME") + ": '" + *n +
                              "' is not a plain file name");
    id.netuid = default_netuid;
    if (const auto* n = get(prefix + "NETUID")) {
      PYLON_ASSIGN(std::uint64_t netuid, parse_count(prefix + "NETUID", *n, 65535));
      id.netuid = static_cast<std::uint16_t>(netuid);
    }
    // The token's value must not reach an error: required() names the variable only.
    const std::string token_var = prefix + "TOKEN";
    const auto* token = get(token_var);
    if (token == nullptr || token->empty())
      return make_error(IdentityErrc::missing_setting,
                        token_var + " is required: identity '" + name + "' is listed in PYLON_IDENTITIES");
    PYLON_ASSIGN(id.token, token_of(token_var, *token));
    v.identities.push_back(std::move(id));
  }
  // One token opens exactly one identity's routes: a token shared with another identity or with
  // open access would open both.
  for (std::size_t i = 0; i < v.identities.size(); ++i) {
    const auto& a = *v.identities[i].token;
    if (v.open_access_token && v.open_access_token->view() == a.view())
      return make_error(ConfigErrc::bad_token,
                        "PYLON_ID_" + upper(v.identities[i].name) +
                            "_TOKEN equals PYLON_OPEN_ACCESS_TOKEN: give each its own value");
    for (std::size_t j = i + 1; j < v.identities.size(); ++j)
      if (v.identities[j].token->view() == a.view())
        return make_error(ConfigErrc::bad_token, "PYLON_ID_" + upper(v.identities[i].name) +
                                                     "_TOKEN and PYLON_ID_" + upper(v.identities[j].name) +
                                                     "_TOKEN are equal: give each identity its own token");
  }
  return v;
}

std::vector<std::uint16_t> followed_netuids(const V1Settings& v1, std::uint16_t netuid) {
  std::set<std::uint16_t> all(v1.recent_netuids.begin(), v1.recent_netuids.end());
  all.insert(netuid);
  for (const auto& id : v1.identities) all.insert(id.netuid);
  return {all.begin(), all.end()};
}

Result<Env> merge_id_env_file(Env env, bool allow_group_readable) {
  auto it = env.find("PYLON_ID_ENV_FILE");
  if (it == env.end() || it->second.empty()) return env;
  const std::string path = it->second;
  auto read = keys::read_file_with_mode(path, kMaxIdEnvFileBytes);
  if (!read.ok()) return with_context("PYLON_ID_ENV_FILE " + path, read.error());
  // It holds the identities' tokens: the key files' rules.
  if (auto st = keys::check_secret_file(path, read->mode, read->owner, allow_group_readable); !st.ok())
    return with_context("PYLON_ID_ENV_FILE " + path, st.error());
  const std::string_view text(reinterpret_cast<const char*>(read->data.data()), read->data.size());
  auto parsed = parse_dotenv(text);
  if (!parsed.ok()) return with_context("PYLON_ID_ENV_FILE " + path, parsed.error());
  for (auto& [k, val] : *parsed)
    if (k.starts_with("PYLON_ID_") && k != "PYLON_ID_ENV_FILE") env.emplace(k, std::move(val));
  return env;
}

}  // namespace pylon::config

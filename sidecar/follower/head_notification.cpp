#include "follower/head_notification.hpp"

#include <simdjson.h>

#include <string>

#include "chain/chain_client.hpp"
#include "common/hex.hpp"

namespace pylon::follower {

Result<std::uint64_t> parse_head_number(std::string_view json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  std::string_view number;
  // simdjson copies the text first: a view without data (nullptr, 0) must not reach memcpy.
  if (json.empty() || p.parse(json.data(), json.size()).get(e) || e["number"].get_string().get(number))
    return make_error(chain::ChainErrc::kBadAnswer,
                      "finalized head notification without a number: " + std::string(json.substr(0, 200)));
  auto parsed = parse_hex_u64(number);
  if (!parsed.ok())
    return make_error(chain::ChainErrc::kBadAnswer,
                      "finalized head with a bad number: " + parsed.error().message);
  return *parsed;
}

}  // namespace pylon::follower

// Fuzzes the REST request path short of the sockets: Beast's request parser on the raw bytes,
// then the route, the query parameters and every body decoder on what it parsed. Nothing may
// crash, and a decoded weight is always finite, non-negative and within the limit, a delta
// finite and within it.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cmath>
#include <cstdlib>

#include "rest/body.hpp"
#include "rest/long_poll.hpp"
#include "rest/routes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::rest;
  namespace http = boost::beast::http;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(text.data(), text.size()), ec);
  const std::string_view target = parser.is_header_done() ? std::string_view(parser.get().target()) : text;
  const auto q = target.find('?');
  (void)match_route(Method::get, target.substr(0, q));
  if (q != std::string_view::npos) {
    if (auto e = query_param(target.substr(q + 1), "epoch")) (void)parse_block_number(*e, "epoch");
    // The long-poll's after/timeout: a wait is never longer than the bound.
    if (auto p = parse_long_poll_query(target.substr(q + 1)); p.ok() && *p && (*p)->timeout > kMaxLongPoll)
      std::abort();
  }
  const std::string_view body = parser.is_done() ? std::string_view(parser.get().body()) : text;
  // Decoded weights and deltas keep the one rule (weights/weight_value.hpp); hotkeys are prefix 42.
  if (auto w = decode_set_weights(body); w.ok())
    for (const auto& [hk, v] : w->weights)
      if (!std::isfinite(v) || v < 0 || v > kMaxWeight || !parse_hotkey(hk.text).ok()) std::abort();
  if (auto w = decode_set_weight(body); w.ok() && !(w->weight >= 0 && w->weight <= kMaxWeight)) std::abort();
  if (auto u = decode_update_weight(body); u.ok() && !(std::fabs(u->delta) <= kMaxWeight)) std::abort();
  if (auto c = decode_set_commitment(body); c.ok() && c->data.size() > 128) std::abort();
  (void)decode_set_hyperparam(body);
  return 0;
}

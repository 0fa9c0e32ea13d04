// The endpoints, by id: the router maps (method, path) to one, metrics count by it, the OpenAPI
// test walks them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "rest/http_types.hpp"

namespace pylon::rest {

enum class Route : std::uint8_t {
  health,
  live,
  latest_block,
  metagraph,
  metagraph_at,
  block_hash,
  epoch,
  epoch_at,
  hyperparams,
  set_hyperparam,
  update_weight,
  set_weight,
  set_weights,
  raw_weights,
  weights_status,
  force_commit_weights,
  get_commitment,
  get_commitments,
  set_commitment,
  metrics,
  openapi,
  unknown,  // 404 / 405
  count
};

inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(Route::count);

// The path template (the metrics label and the OpenAPI key).
std::string_view route_template(Route r);

struct RouteMatch {
  Route route = Route::unknown;
  std::string_view param;   // {block_number} / {hotkey}
  bool path_known = false;  // the path exists, under another method (405)
  std::string_view allow;   // the method that path takes (for Allow)
};

RouteMatch match_route(Method m, std::string_view path);

// Writes change state: they need the token (or a loopback peer without one).
bool is_write(Route r);

}  // namespace pylon::rest

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
  // The /api/v1 surface of the 2.x service (../shared/api/pylon-v1.md; rest/v1/routes.cpp).
  // Public:
  v1_identities,
  v1_block_latest,
  v1_login,
  v1_extrinsic,
  // Open access (/api/v1/subnet/{netuid}/...):
  v1_oa_commitments,
  v1_oa_commitment,
  v1_oa_neurons,
  v1_oa_neurons_at,
  v1_oa_neurons_recent,
  v1_oa_validators,
  v1_oa_validators_at,
  v1_oa_certificates,
  v1_oa_certificate,
  v1_oa_revealed,     // block/latest/commitments/revealed
  v1_oa_revealed_of,  // .../revealed/{hotkey}
  // Identity (/api/v1/identity/{identity}/subnet/{netuid}/...):
  v1_id_commitments,
  v1_id_commitment_self,
  v1_id_commitment,
  v1_id_put_weights,
  v1_id_post_commitments,
  v1_id_neurons,
  v1_id_neurons_at,
  v1_id_neurons_recent,
  v1_id_validators,
  v1_id_validators_at,
  v1_id_certificates,
  v1_id_certificate_self,
  v1_id_certificate,
  // POST .../certificates/self: a new keypair, served on chain.
  v1_id_post_certificate_self,
  v1_id_revealed,
  v1_id_revealed_self,
  v1_id_revealed_of,
  // POST .../commitments/revealed: a timelock-encrypted commitment, answered with its round.
  v1_id_post_revealed,
  unknown,  // 404 / 405
  count
};

inline constexpr std::size_t kRouteCount = static_cast<std::size_t>(Route::count);

// The path template (the metrics label and the OpenAPI key).
std::string_view route_template(Route r);

// The path parameters of a /api/v1 route (those its template has).
struct V1Params {
  std::uint64_t netuid = 0;  // {netuid}: any integer; checked against the subnets served later
  std::uint64_t block = 0;   // {block}
  std::uint64_t index = 0;   // {index}
  std::string_view identity;
  std::string_view hotkey;
};

struct RouteMatch {
  Route route = Route::unknown;
  bool v1 = false;          // under /api/v1: answered with the v1 error body
  V1Params v1_params;
  std::string_view param;   // {block_number} / {hotkey}
  bool path_known = false;  // the path exists, under another method (405)
  std::string_view allow;   // the method that path takes (for Allow)
};

RouteMatch match_route(Method m, std::string_view path);

// Writes change state: they need the token (or a loopback peer without one).
bool is_write(Route r);

}  // namespace pylon::rest

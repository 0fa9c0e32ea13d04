#include "rest/routes.hpp"

#include "rest/v1/routes.hpp"

namespace pylon::rest {
namespace {

struct Entry {
  Route route;
  Method method;
  std::string_view path;  // exact, or the prefix before a {param} when `param` is set
  bool param;
  std::string_view templ;
};

constexpr Entry kEntries[] = {
    {Route::health, Method::get, "/health", false, "/health"},
    {Route::live, Method::get, "/live", false, "/live"},
    {Route::latest_block, Method::get, "/latest_block", false, "/latest_block"},
    {Route::metagraph, Method::get, "/metagraph", false, "/metagraph"},
    {Route::metagraph_at, Method::get, "/metagraph/", true, "/metagraph/{block_number}"},
    {Route::block_hash, Method::get, "/block_hash/", true, "/block_hash/{block_number}"},
    {Route::epoch, Method::get, "/epoch", false, "/epoch"},
    {Route::epoch_at, Method::get, "/epoch/", true, "/epoch/{block_number}"},
    {Route::hyperparams, Method::get, "/hyperparams", false, "/hyperparams"},
    {Route::set_hyperparam, Method::put, "/set_hyperparam", false, "/set_hyperparam"},
    {Route::update_weight, Method::put, "/update_weight", false, "/update_weight"},
    {Route::set_weight, Method::put, "/set_weight", false, "/set_weight"},
    {Route::set_weights, Method::put, "/set_weights", false, "/set_weights"},
    {Route::raw_weights, Method::get, "/raw_weights", false, "/raw_weights"},
    {Route::weights_status, Method::get, "/weights_status", false, "/weights_status"},
    {Route::force_commit_weights, Method::post, "/force_commit_weights", false, "/force_commit_weights"},
    {Route::get_commitment, Method::get, "/get_commitment/", true, "/get_commitment/{hotkey}"},
    {Route::get_commitments, Method::get, "/get_commitments", false, "/get_commitments"},
    {Route::set_commitment, Method::post, "/set_commitment", false, "/set_commitment"},
    {Route::metrics, Method::get, "/metrics", false, "/metrics"},
    {Route::openapi, Method::get, "/schema/openapi.json", false, "/schema/openapi.json"},
};

}  // namespace

std::string_view route_template(Route r) {
  if (auto t = v1::route_template(r); !t.empty()) return t;
  for (const auto& e : kEntries)
    if (e.route == r) return e.templ;
  return "other";
}

RouteMatch match_route(Method m, std::string_view path) {
  // HEAD is answered as GET without the body (the server drops it).
  const Method want = m == Method::head ? Method::get : m;
  if (v1::is_v1_path(path)) return v1::match_route(want, path);
  RouteMatch out;
  for (const auto& e : kEntries) {
    std::string_view param;
    if (e.param) {
      if (path.size() <= e.path.size() || path.substr(0, e.path.size()) != e.path) continue;
      param = path.substr(e.path.size());
      if (param.find('/') != std::string_view::npos) continue;
    } else if (path != e.path) {
      continue;
    }
    if (e.method == want) {
      out.route = e.route;
      out.param = param;
      return out;
    }
    out.path_known = true;
    out.allow = method_text(e.method);
  }
  return out;
}

bool is_write(Route r) {
  switch (r) {
    case Route::set_hyperparam:
    case Route::update_weight:
    case Route::set_weight:
    case Route::set_weights:
    case Route::force_commit_weights:
    case Route::set_commitment:
    case Route::v1_id_put_weights:
    case Route::v1_id_post_commitments:
    case Route::v1_id_post_certificate_self:
    case Route::v1_id_post_revealed:
      return true;
    default:
      return false;
  }
}

}  // namespace pylon::rest

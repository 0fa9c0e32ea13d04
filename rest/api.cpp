#include "rest/api.hpp"

#include <exception>

#include "common/log.hpp"
#include "rest/openapi.hpp"
#include "rest/v1/render.hpp"
#include "weights/writer.hpp"

namespace pylon::rest {
namespace {

std::optional<std::string_view> bearer(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() < kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  std::string_view t = header.substr(kScheme.size());
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

// The default subnet's parts, as RestDeps carries them.
SubnetDeps default_parts(RestDeps& deps) {
  SubnetDeps p;
  p.snapshots = &deps.snapshots;
  p.writer = deps.writer;
  p.committer = deps.committer;
  p.hotkey_submitter = deps.hotkey_submitter;
  p.epoch_at = deps.epoch_at;
  p.lanes = deps.lanes;
  return p;
}

}  // namespace

weights::Lane Api::default_lane() const {
  return {deps_.netuid, deps_.writer ? deps_.writer->signer() : AccountId{}};
}

LaneDeps Api::lane_of(const SubnetContext& sub, const v1::Identity& identity) {
  const SubnetDeps& p = sub.parts();
  if (auto it = p.lanes.find(identity.hotkey); it != p.lanes.end()) return it->second;
  return {p.writer, p.committer, p.hotkey_submitter};
}

Api::Api(const RestOptions& options, RestDeps deps, Metrics& metrics, std::function<void(Task)> on_io,
         std::function<void(Task)> on_worker, LongPolls* long_polls)
    : options_(options),
      deps_(std::move(deps)),
      metrics_(metrics),
      on_io_(std::move(on_io)),
      on_worker_(std::move(on_worker)),
      long_polls_(long_polls),
      live_body_(std::make_shared<const std::string>("{\"status\":\"ok\"}")),
      openapi_body_(std::make_shared<const std::string>(openapi_json())),
      openapi_compressed_(compress_body(*openapi_body_)),
      v1_identities_body_(std::make_shared<const std::string>(v1::render_identities(options_.v1))) {
  subnets_.emplace(deps_.netuid,
                   std::make_unique<SubnetContext>(deps_.netuid, default_parts(deps_), options_.old_block_cache));
  default_ = subnets_.at(deps_.netuid).get();
  for (const auto& [netuid, parts] : deps_.subnets) {
    // The default subnet is RestDeps' own; an entry without a store has nothing to serve.
    if (netuid == deps_.netuid || parts.snapshots == nullptr) {
      log::warn("rest", "a followed subnet's parts are left out",
                {{"netuid", std::to_string(netuid)},
                 {"why", parts.snapshots == nullptr ? "no snapshot store" : "it is the default subnet"}});
      continue;
    }
    subnets_.emplace(netuid, std::make_unique<SubnetContext>(netuid, parts, options_.old_block_cache));
  }
}

std::vector<SubnetContext*> Api::followed_subnets() const {
  std::vector<SubnetContext*> out{default_};
  for (const auto& [netuid, sub] : subnets_)
    if (sub.get() != default_) out.push_back(sub.get());
  return out;
}

SubnetContext* Api::followed(std::uint16_t netuid) const {
  const auto it = subnets_.find(netuid);
  return it == subnets_.end() ? nullptr : it->second.get();
}

std::optional<Response> Api::check_auth(Route r, const Request& req) const {
  if (r == Route::live || r == Route::health) return std::nullopt;
  if (r == Route::metrics && options_.metrics_token) return check_bearer(req, *options_.metrics_token);
  const bool write = is_write(r);
  if (!options_.auth_token) {
    if (write && !req.from_loopback)
      return error_response(403, code::forbidden,
                            "writes are accepted from loopback only when no auth token is configured");
    return std::nullopt;
  }
  const bool needs = write || r == Route::metrics || options_.reads_need_token;
  if (!needs) return std::nullopt;
  return check_bearer(req, *options_.auth_token);
}

std::optional<Response> Api::check_bearer(const Request& req, std::string_view expected) const {
  auto token = bearer(req.authorization);
  if (token && token_matches(*token, expected)) return std::nullopt;
  Response e =
      error_response(401, code::unauthorized,
                     token ? "the bearer token is wrong" : "an Authorization: Bearer token is required");
  e.extra_headers = "WWW-Authenticate: Bearer\r\n";
  return e;
}

std::optional<Response> Api::precheck(const Request& req) const {
  return refusal(match_route(req.method, req.path), req);
}

std::optional<Response> Api::refusal(const RouteMatch& m, const Request& req) const {
  if (m.v1) {
    auto verdict = v1::guard(m, req, options_.v1);
    if (auto* refused = std::get_if<Response>(&verdict)) return std::move(*refused);
    return std::nullopt;
  }
  if (m.route == Route::unknown) {
    if (m.path_known) {
      Response e = error_response(405, code::method_not_allowed, "this path does not take that method");
      e.extra_headers = "Allow: " + std::string(m.allow) + "\r\n";
      return e;
    }
    return error_response(404, code::not_found, "no such path");
  }
  return check_auth(m.route, req);
}

void Api::handle(const Request& req, Reply reply) {
  const RouteMatch m = match_route(req.method, req.path);
  if (m.v1) {
    auto verdict = v1::guard(m, req, options_.v1);
    if (auto* refused = std::get_if<Response>(&verdict)) return reply(std::move(*refused));
    return dispatch_v1(m, req, std::get<v1::Admitted>(verdict), std::move(reply));
  }
  if (auto refused = refusal(m, req)) return reply(std::move(*refused));
  dispatch(m, req, std::move(reply));
}

void Api::dispatch(const RouteMatch& m, const Request& req, Reply reply) {
  switch (m.route) {
    case Route::health:
      return get_health(std::move(reply));
    case Route::live:
      return get_live(std::move(reply));
    case Route::latest_block:
      return get_latest_block(req, std::move(reply));
    case Route::metagraph:
    case Route::metagraph_at:
      return get_metagraph(req, m.param, std::move(reply));
    case Route::block_hash:
      return get_block_hash(m.param, std::move(reply));
    case Route::epoch:
    case Route::epoch_at:
      return get_epoch(m.param, std::move(reply));
    case Route::hyperparams:
      return get_hyperparams(std::move(reply));
    case Route::set_hyperparam:
      return put_set_hyperparam(req, std::move(reply));
    case Route::update_weight:
      return put_update_weight(req, std::move(reply));
    case Route::set_weight:
      return put_set_weight(req, std::move(reply));
    case Route::set_weights:
      return put_set_weights(req, std::move(reply));
    case Route::raw_weights:
      return get_raw_weights(req, std::move(reply));
    case Route::weights_status:
      return get_weights_status(req, std::move(reply));
    case Route::force_commit_weights:
      return post_force_commit(std::move(reply));
    case Route::get_commitment:
      return get_commitment(req, m.param, std::move(reply));
    case Route::get_commitments:
      return get_commitments(req, std::move(reply));
    case Route::set_commitment:
      return post_set_commitment(req, std::move(reply));
    case Route::metrics:
      return get_metrics(std::move(reply));
    case Route::openapi:
      return get_openapi(std::move(reply));
    default:
      return reply(error_response(404, code::not_found, "no such path"));
  }
}

void Api::stop() {
  {
    Lock lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  deadlines_.stop();  // the connections are closed: no 504 is sent after this
}

void Api::blocking(std::function<Response()> job, Reply reply) {
  metrics_.worker_queued();
  on_worker_([this, job = std::move(job), reply = std::move(reply)]() mutable {
    Response r;
    try {
      r = job();
    } catch (const std::exception& e) {
      // Only Boost and the standard library throw; the request fails, the server goes on.
      log::error("rest", "request failed with an exception", {{"what", e.what()}});
      r = error_response(500, code::internal, "internal error");
    }
    metrics_.worker_done();
    reply(std::move(r));
  });
}

}  // namespace pylon::rest

#include "rest/api.hpp"

#include <exception>

#include "common/log.hpp"
#include "rest/openapi.hpp"
#include "rest/v1/render.hpp"

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

}  // namespace

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
      v1_identities_body_(std::make_shared<const std::string>(v1::render_identities(options_.v1))) {}

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
      return get_metagraph(m.param, std::move(reply));
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

void Api::prepare_latest() {
  auto r = latest();
  if (!r) return;
  r->prepare();
  {
    Lock lock(prepared_mu_);
    const std::uint64_t block = r->snapshot()->block;
    if (!prepared_block_ || *prepared_block_ < block) prepared_block_ = block;
  }
  prepared_cv_.notify_all();
}

bool Api::wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout) {
  Lock lock(prepared_mu_);
  return lock.wait_for(prepared_cv_, timeout, [&]() PYLON_REQUIRES(prepared_mu_) {
    return prepared_block_ && *prepared_block_ >= block;
  });
}

}  // namespace pylon::rest

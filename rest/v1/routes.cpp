#include "rest/v1/routes.hpp"

#include <charconv>

namespace pylon::rest::v1 {
namespace {

struct Entry {
  Route route;
  Method method;
  Family family;
  Read read;
  std::string_view templ;
};

constexpr std::string_view kPrefix = "/api/v1";

// Within one family the literal `self` comes before {hotkey}: the first match wins.
constexpr Entry kEntries[] = {
    {Route::v1_identities, Method::get, Family::public_, Read::none, "/api/v1/identities"},
    {Route::v1_block_latest, Method::get, Family::public_, Read::none, "/api/v1/block/latest"},
    {Route::v1_login, Method::post, Family::public_, Read::none, "/api/v1/login/identity/{identity}"},
    {Route::v1_extrinsic, Method::get, Family::public_, Read::none,
     "/api/v1/block/{block}/extrinsic/{index}"},
    {Route::v1_oa_commitments, Method::get, Family::open_access, Read::commitments,
     "/api/v1/subnet/{netuid}/block/latest/commitments"},
    // The revealed routes come before .../commitments/{hotkey}, which `revealed` would match.
    {Route::v1_oa_revealed, Method::get, Family::open_access, Read::revealed,
     "/api/v1/subnet/{netuid}/block/latest/commitments/revealed"},
    {Route::v1_oa_revealed_of, Method::get, Family::open_access, Read::revealed_of,
     "/api/v1/subnet/{netuid}/block/latest/commitments/revealed/{hotkey}"},
    {Route::v1_id_revealed, Method::get, Family::identity, Read::revealed,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/revealed"},
    {Route::v1_id_revealed_self, Method::get, Family::identity, Read::revealed_self,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/revealed/self"},
    {Route::v1_id_revealed_of, Method::get, Family::identity, Read::revealed_of,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/revealed/{hotkey}"},
    {Route::v1_id_post_revealed, Method::post, Family::identity, Read::none,
     "/api/v1/identity/{identity}/subnet/{netuid}/commitments/revealed"},
    {Route::v1_oa_commitment, Method::get, Family::open_access, Read::commitment,
     "/api/v1/subnet/{netuid}/block/latest/commitments/{hotkey}"},
    {Route::v1_id_commitments, Method::get, Family::identity, Read::commitments,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments"},
    {Route::v1_id_commitment_self, Method::get, Family::identity, Read::commitment_self,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/self"},
    {Route::v1_id_commitment, Method::get, Family::identity, Read::commitment,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/{hotkey}"},
    {Route::v1_id_put_weights, Method::put, Family::identity, Read::none,
     "/api/v1/identity/{identity}/subnet/{netuid}/weights"},
    {Route::v1_id_post_commitments, Method::post, Family::identity, Read::none,
     "/api/v1/identity/{identity}/subnet/{netuid}/commitments"},
    // {block} matches integers only, so `latest` and `recent` never reach it.
    {Route::v1_oa_neurons, Method::get, Family::open_access, Read::neurons,
     "/api/v1/subnet/{netuid}/block/latest/neurons"},
    {Route::v1_oa_neurons_recent, Method::get, Family::open_access, Read::neurons_recent,
     "/api/v1/subnet/{netuid}/block/recent/neurons"},
    {Route::v1_oa_neurons_at, Method::get, Family::open_access, Read::neurons_at,
     "/api/v1/subnet/{netuid}/block/{block}/neurons"},
    {Route::v1_oa_validators, Method::get, Family::open_access, Read::validators,
     "/api/v1/subnet/{netuid}/block/latest/validators"},
    {Route::v1_oa_validators_at, Method::get, Family::open_access, Read::validators_at,
     "/api/v1/subnet/{netuid}/block/{block}/validators"},
    {Route::v1_id_neurons, Method::get, Family::identity, Read::neurons,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/neurons"},
    {Route::v1_id_neurons_recent, Method::get, Family::identity, Read::neurons_recent,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/recent/neurons"},
    {Route::v1_id_neurons_at, Method::get, Family::identity, Read::neurons_at,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/{block}/neurons"},
    {Route::v1_id_validators, Method::get, Family::identity, Read::validators,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/validators"},
    {Route::v1_id_validators_at, Method::get, Family::identity, Read::validators_at,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/{block}/validators"},
    {Route::v1_oa_certificates, Method::get, Family::open_access, Read::certificates,
     "/api/v1/subnet/{netuid}/block/latest/certificates"},
    {Route::v1_oa_certificate, Method::get, Family::open_access, Read::certificate,
     "/api/v1/subnet/{netuid}/block/latest/certificates/{hotkey}"},
    {Route::v1_id_certificates, Method::get, Family::identity, Read::certificates,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/certificates"},
    {Route::v1_id_certificate_self, Method::get, Family::identity, Read::certificate_self,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/certificates/self"},
    {Route::v1_id_certificate, Method::get, Family::identity, Read::certificate,
     "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/certificates/{hotkey}"},
    {Route::v1_id_post_certificate_self, Method::post, Family::identity, Read::none,
     "/api/v1/identity/{identity}/subnet/{netuid}/certificates/self"},
};

const Entry* entry_of(Route r) {
  for (const auto& e : kEntries)
    if (e.route == r) return &e;
  return nullptr;
}

// Decimal digits only (no sign, no fraction): what an int path parameter accepts. Values past
// 2^63 - 1 match nothing either.
bool integer(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}

std::string_view next_segment(std::string_view& rest) {
  const auto slash = rest.find('/');
  std::string_view seg = rest.substr(0, slash);
  rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
  return seg;
}

// Whether `path` fits the template, filling its parameters.
bool fits(std::string_view templ, std::string_view path, V1Params& p) {
  templ.remove_prefix(1);
  path.remove_prefix(1);
  while (!templ.empty()) {
    if (path.empty()) return false;
    const std::string_view t = next_segment(templ);
    const std::string_view s = next_segment(path);
    if (s.empty()) return false;
    if (t == "{netuid}") {
      if (!integer(s, p.netuid)) return false;
    } else if (t == "{block}") {
      if (!integer(s, p.block)) return false;
    } else if (t == "{index}") {
      if (!integer(s, p.index)) return false;
    } else if (t == "{identity}") {
      p.identity = s;
    } else if (t == "{hotkey}") {
      p.hotkey = s;
    } else if (t != s) {
      return false;
    }
  }
  return path.empty();
}

}  // namespace

bool is_v1_path(std::string_view path) {
  return path.starts_with(kPrefix) && (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

RouteMatch match_route(Method want, std::string_view path) {
  RouteMatch out;
  out.v1 = true;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // a trailing slash is tolerated
  if (path.back() == '/') return out;                                // one, not two
  for (const auto& e : kEntries) {
    V1Params p;
    if (!fits(e.templ, path, p)) continue;
    if (e.method == want) {
      out.route = e.route;
      out.v1_params = p;
      return out;
    }
    if (!out.path_known) {
      out.path_known = true;
      out.allow = method_text(e.method);
    }
  }
  return out;
}

std::string_view route_template(Route r) {
  const Entry* e = entry_of(r);
  return e ? e->templ : std::string_view();
}

Family family(Route r) {
  const Entry* e = entry_of(r);
  return e ? e->family : Family::public_;
}

Read read_of(Route r) {
  const Entry* e = entry_of(r);
  return e ? e->read : Read::none;
}

}  // namespace pylon::rest::v1

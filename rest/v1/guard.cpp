#include "rest/v1/guard.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "rest/render.hpp"
#include "rest/v1/errors.hpp"
#include "rest/v1/routes.hpp"

namespace pylon::rest::v1 {
namespace {

bool space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// X-Pylon-Timeout as the 2.x service reads it (Python's float(): surrounding whitespace, a sign,
// a fraction, an exponent, inf). NaN is no number of seconds: refused as invalid.
std::optional<double> seconds(std::string_view text) {
  std::string_view t = trim(text);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size() || std::isnan(v)) return std::nullopt;
  return v;
}

// `Bearer <token>`: exactly two whitespace-separated words, the first `bearer` in any case.
std::optional<std::string_view> bearer_token(std::string_view header) {
  std::vector<std::string_view> words;
  std::string_view rest = header;
  while (true) {
    while (!rest.empty() && space(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) break;
    std::size_t n = 0;
    while (n < rest.size() && !space(rest[n])) ++n;
    words.push_back(rest.substr(0, n));
    if (words.size() > 2) return std::nullopt;
    rest.remove_prefix(n);
  }
  if (words.size() != 2 || words[0].size() != 6) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    char ch = words[0][i];
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (ch != "bearer"[i]) return std::nullopt;
  }
  return words[1];
}

// The path with its {netuid} segment (the one after /subnet/) replaced.
std::string with_netuid(std::string_view path, std::string_view query, std::uint16_t netuid) {
  constexpr std::string_view kSubnet = "/subnet/";
  const auto at = path.find(kSubnet);
  const auto start = at + kSubnet.size();
  const auto end = path.find('/', start);
  std::string out(path.substr(0, start));
  out += std::to_string(netuid);
  if (end != std::string_view::npos) out += path.substr(end);
  if (!query.empty()) {
    out += '?';
    out += query;
  }
  return out;
}

}  // namespace

std::variant<Response, Admitted> guard(const RouteMatch& m, const Request& req, const Options& o) {
  // (1) The route.
  if (m.route == Route::unknown) {
    if (m.path_known) {
      Response e = error(405, "Method Not Allowed");
      e.extra_headers = "Allow: " + std::string(m.allow) + "\r\n";
      return e;
    }
    return error(404, "Not Found");
  }
  // (2) X-Pylon-Timeout.
  Admitted ok;
  ok.deadline_seconds = o.default_timeout_seconds;
  if (req.pylon_timeout) {
    const auto v = seconds(*req.pylon_timeout);
    if (!v) return error(400, "Invalid X-Pylon-Timeout header value: " + std::string(*req.pylon_timeout));
    if (*v <= 0) {
      std::string got;
      append_float(got, *v);
      return error(400, "X-Pylon-Timeout header value must be positive, got " + got);
    }
    ok.deadline_seconds = std::min(*v, o.max_timeout_seconds);
  }
  // (3) The auth guard.
  const Family f = family(m.route);
  if (f == Family::public_) return ok;
  if (!req.has_authorization) return error(401, "Authorization header is required");
  const auto token = bearer_token(req.authorization);
  if (!token) return error(401, "Invalid Authorization header format. Expected: Bearer <token>");
  if (f == Family::open_access) {
    if (!o.open_access_token || !token_matches(*token, o.open_access_token->view()))
      return error(403, "Invalid authorization token");
    return ok;
  }
  for (const auto& id : o.identities)
    if (id.name == m.v1_params.identity) ok.identity = &id;
  if (ok.identity == nullptr)
    return error(404, "Identity '" + std::string(m.v1_params.identity) + "' not found");
  if (!token_matches(*token, ok.identity->token->view())) return error(403, "Invalid authorization token");
  // (4) The identity's netuid: a client that learnt an old one re-reads /identities on a 308.
  if (m.v1_params.netuid != ok.identity->netuid) {
    Response e = error(
        308, "Identity '" + ok.identity->name + "' is on subnet " + std::to_string(ok.identity->netuid));
    e.extra_headers = "Location: " + with_netuid(req.path, req.query, ok.identity->netuid) + "\r\n";
    return e;
  }
  return ok;
}

}  // namespace pylon::rest::v1

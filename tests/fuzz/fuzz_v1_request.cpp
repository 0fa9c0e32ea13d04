// Fuzzes the /api/v1 request path short of the sockets: the first three lines of the input are
// the path, the Authorization header and X-Pylon-Timeout (empty: not sent), the rest the body.
// Route match, the guard and the v1 body decoders never crash; every refusal is a v1 error body,
// an admitted identity route names an identity, decoded weights keep the weight rule, a decoded
// commitment holds at least one byte, a certificate request decodes to Ed25519 or field errors,
// and a revealed-commitment body decodes or says why.
#include <cstdlib>

#include "rest/v1/bodies.hpp"
#include "rest/v1/guard.hpp"
#include "rest/v1/routes.hpp"
#include "weights/weight_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::rest;
  std::string_view in(reinterpret_cast<const char*>(data), size), line[3];
  for (auto& l : line) {
    l = in.substr(0, in.find('\n'));
    in.remove_prefix(std::min(in.size(), l.size() + 1));
  }
  static const v1::Options o = [] {
    v1::Options x;
    x.open_access_token = std::make_shared<const pylon::keys::SecretString>("open-access-token-0123");
    x.identities.push_back(
        {"sn1", 1, std::make_shared<const pylon::keys::SecretString>("sn1-token-0123456789"), {}});
    return x;
  }();
  Request req;
  req.method = line[0].size() % 2 ? Method::put : Method::get;
  req.path = line[0];
  req.authorization = line[1];
  req.has_authorization = !line[1].empty();
  if (!line[2].empty()) req.pylon_timeout = line[2];
  req.body = in;
  const RouteMatch m = match_route(req.method, req.path);
  if (m.v1) {
    auto verdict = v1::guard(m, req, o);
    if (auto* r = std::get_if<Response>(&verdict); r && r->body->rfind("{\"status_code\":", 0) != 0)
      std::abort();
    if (auto* a = std::get_if<v1::Admitted>(&verdict);
        a && v1::family(m.route) == v1::Family::identity && !a->identity)
      std::abort();
  }
  const auto weights = v1::decode_weights(in);
  if (const auto* w = std::get_if<v1::WeightsBody>(&weights))
    for (const auto& [hotkey, value] : w->weights)
      if (!pylon::weights::valid_weight(value) || w->count < w->weights.size()) std::abort();
  const auto commitment = v1::decode_commitment(in);
  if (const auto* c = std::get_if<pylon::Bytes>(&commitment); c && c->empty()) std::abort();
  (void)v1::decode_login(in);
  // The certificate request is Ed25519 or a field error, never anything else.
  const auto algorithm = v1::decode_certificate_request(in);
  if (const auto* a = std::get_if<v1::CertificateAlgorithm>(&algorithm);
      a && *a != v1::CertificateAlgorithm::ed25519)
    std::abort();
  // A revealed commitment body is a string and a count, or field errors that each name a field.
  const auto revealed = v1::decode_revealed_commitment(in);
  if (const auto* e = std::get_if<std::vector<v1::FieldError>>(&revealed); e && e->empty()) std::abort();
  return 0;
}

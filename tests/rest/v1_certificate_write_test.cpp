// POST /api/v1/identity/{identity}/subnet/{netuid}/certificates/self (pylon-v1.md §2, §4):
// - the route (identity family, POST only) and the body rules with the 2.x service's exact texts;
// - over HTTP: a refused body is the §4 400 and a valid one without a signer is 503, so validation
//   comes first and nothing reaches the chain;
// - the serve_axon_tls call as the real runtimes' metadata (finney spec 343, local spec 293)
//   encodes it, byte for byte: the axon's fields unchanged and the certificate `algorithm ||
//   public_key` that subtensor turns into its NeuronCertificate;
// - the 201 body.
// The signed round trip on the real chain is tests/e2e/v1_certificate_daemon_test.cpp.
#include <gtest/gtest.h>

#include "chain/certificates.hpp"
#include "codec/scale_writer.hpp"
#include "common/hex.hpp"
#include "extrinsic/call.hpp"
#include "rest/v1/bodies.hpp"
#include "rest/v1/certificates.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kPath = "/api/v1/identity/sn1/subnet/1/certificates/self";
const std::string kAlgorithmText =
    "Value error, Currently, only algorithm equals 1 is supported which is EdDSA using Ed25519 curve";

TEST(V1CertificateWrite, TheRouteIsAnIdentityPostOnly) {
  for (const std::string& path : {kPath, kPath + "/"}) {
    const RouteMatch m = match_route(Method::post, path);
    EXPECT_EQ(m.route, Route::v1_id_post_certificate_self) << path;
    EXPECT_EQ(v1::family(m.route), v1::Family::identity);
    EXPECT_EQ(m.v1_params.identity, "sn1");
    EXPECT_EQ(m.v1_params.netuid, 1u);
    EXPECT_TRUE(is_write(m.route));
  }
  for (Method other : {Method::get, Method::put}) {
    const RouteMatch m = match_route(other, kPath);
    EXPECT_EQ(m.route, Route::unknown);
    EXPECT_TRUE(m.path_known);
    EXPECT_EQ(m.allow, "POST");
  }
  // Open access has no such route.
  EXPECT_FALSE(match_route(Method::post, "/api/v1/subnet/1/certificates/self").path_known);
  EXPECT_EQ(v1::route_template(Route::v1_id_post_certificate_self),
            "/api/v1/identity/{identity}/subnet/{netuid}/certificates/self");
}

TEST(V1CertificateWrite, OnlyAlgorithmOneIsAccepted) {
  // Python's `v != 1` on the raw value: 1 and 1.0 pass, an absent field is the default 1.
  for (const std::string body : {R"({"algorithm":1})", R"({"algorithm":1.0})", "{}", R"({"other":"x"})"}) {
    auto d = v1::decode_certificate_request(body);
    ASSERT_TRUE(std::holds_alternative<v1::CertificateAlgorithm>(d)) << body;
    EXPECT_EQ(std::get<v1::CertificateAlgorithm>(d), v1::CertificateAlgorithm::ed25519);
  }
  for (const std::string body :
       {R"({"algorithm":2})", R"({"algorithm":0})", R"({"algorithm":-1})", R"({"algorithm":"1"})",
        R"({"algorithm":null})", R"({"algorithm":true})", R"({"algorithm":[1]})", R"({"algorithm":1.5})"}) {
    auto d = v1::decode_certificate_request(body);
    const auto* bad = std::get_if<std::vector<v1::FieldError>>(&d);
    ASSERT_NE(bad, nullptr) << body;
    ASSERT_EQ(bad->size(), 1u) << body;
    EXPECT_EQ((*bad)[0].key, "algorithm") << body;
    EXPECT_EQ((*bad)[0].message, kAlgorithmText) << body;
  }
  for (const std::string body : {"", "[]", "1", "{", R"("algorithm")"}) {
    auto d = v1::decode_certificate_request(body);
    const auto* bad = std::get_if<std::vector<v1::FieldError>>(&d);
    ASSERT_NE(bad, nullptr) << body;
    EXPECT_EQ((*bad)[0].key, "") << body;
    EXPECT_EQ((*bad)[0].message, "Input should be a valid dictionary or object to extract fields from")
        << body;
  }
}

RestOptions identity_options() {
  RestOptions o;
  o.v1.identities.push_back({"sn1", kNetuid,
                             std::make_shared<const keys::SecretString>("sn1-token-0123456789"),
                             recorded()->neurons.at(0).hotkey});
  return o;
}

TEST(V1CertificateWrite, OverHttpValidationComesFirstAndNoSignerIs503) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(identity_options());
  const std::string auth = "Bearer sn1-token-0123456789";
  auto bad = http(h.port(), "POST", kPath, R"({"algorithm":2})", auth);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body, "{\"status_code\":400,\"detail\":\"Validation failed for POST " + kPath +
                          "\",\"extra\":[{\"key\":\"algorithm\",\"message\":\"" + kAlgorithmText + "\"}]}");
  auto not_object = http(h.port(), "POST", kPath, "[1]", auth);
  EXPECT_EQ(not_object.status, 400u);
  EXPECT_NE(not_object.body.find("\"key\":\"\""), std::string::npos) << not_object.body;
  // The guard's checks come before the body's.
  auto wrong_token = http(h.port(), "POST", kPath, R"({"algorithm":2})", "Bearer not-the-token");
  EXPECT_EQ(wrong_token.status, 403u);
  auto moved = http(h.port(), "POST", "/api/v1/identity/sn1/subnet/2/certificates/self", "{}", auth);
  EXPECT_EQ(moved.status, 308u);
  // A valid body with no signer for the identity's hotkey: 503, nothing generated or sent.
  auto no_signer = http(h.port(), "POST", kPath, R"({"algorithm":1})", auth);
  EXPECT_EQ(no_signer.status, 503u);
  EXPECT_EQ(
      no_signer.body,
      "{\"status_code\":503,\"detail\":\"no chain or signer for the identity's hotkey is configured\"}");
}

TEST(V1CertificateWrite, ServeAxonTlsEncodesTheAxonUnchangedAndTheCertificate) {
  PYLON_REST_REQUIRE_SHARED();
  Bytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0xc0 + i);
  const chain::NeuronCertificate cert{1, key};
  codec::views::AxonInfo served;
  served.version = 9001;
  served.ip = (codec::u128{0x20010db8} << 96) | 1;  // 2001:db8::1
  served.port = 8091;
  served.ip_type = 6;
  served.protocol = 4;
  codec::views::AxonInfo never;  // a neuron that never served: every field 0
  for (const char* rel :
       {"chain/finney-metadata-v15.option.hex", "chain/localnet/spec293-metadata-v15.option.hex"}) {
    SCOPED_TRACE(rel);
    auto md = load_metadata(rel);
    ASSERT_TRUE(md);
    auto ref = extrinsic::find_call(*md, "SubtensorModule.serve_axon_tls");
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    std::vector<std::string> names;
    for (const auto& f : ref->call->fields) names.push_back(f.name);
    ASSERT_EQ(names, (std::vector<std::string>{"netuid", "version", "ip", "port", "ip_type", "protocol",
                                               "placeholder1", "placeholder2", "certificate"}));
    for (const auto* axon : {&served, &never}) {
      auto call = extrinsic::encode_call_json(*md, "SubtensorModule.serve_axon_tls",
                                              chain::serve_axon_tls_args(7, *axon, cert));
      ASSERT_TRUE(call.ok()) << call.error().message;
      codec::ScaleWriter w;
      w.fixed_le<std::uint8_t>(ref->pallet->index);
      w.fixed_le<std::uint8_t>(ref->call->index);
      w.fixed_le<std::uint16_t>(7);
      w.fixed_le<std::uint32_t>(axon->version);
      w.fixed_le<std::uint64_t>(static_cast<std::uint64_t>(axon->ip));
      w.fixed_le<std::uint64_t>(static_cast<std::uint64_t>(axon->ip >> 64));
      w.fixed_le<std::uint16_t>(axon->port);
      w.fixed_le<std::uint8_t>(axon == &never ? 4 : axon->ip_type);  // never served: IPv4 0.0.0.0
      w.fixed_le<std::uint8_t>(axon->protocol);
      w.fixed_le<std::uint16_t>(0);  // placeholders
      Bytes want = w.out();
      want.push_back(33 << 2);  // compact length of the certificate
      want.push_back(0x01);     // algorithm, then the public key
      want.insert(want.end(), key.begin(), key.end());
      EXPECT_EQ(to_hex(*call), to_hex(want));
    }
  }
  EXPECT_EQ(chain::certificate_argument(cert).size(), 33u);
}

TEST(V1CertificateWrite, TheAnswerCarriesBothKeys) {
  Bytes pub(32, 0xab);
  keys::SecretBytes priv(32);
  for (std::size_t i = 0; i < priv.size(); ++i) priv[i] = static_cast<std::uint8_t>(i);
  const Response r = v1::certificate_keypair_response({1, pub}, priv);
  EXPECT_EQ(r.status, 201u);
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body,
            "{\"algorithm\":1,\"public_key\":\"" + to_hex(pub) +
                "\",\"private_key\":\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"}");
  // Built at its final size: no reallocation left a copy of the key behind.
  EXPECT_EQ(r.body->size(), r.body->capacity());
}

}  // namespace
}  // namespace pylon::rest::test

// POST /api/v1/identity/{identity}/subnet/{netuid}/commitments without a chain (the write itself
// is tests/rest/v1_commitments_localnet_test.cpp):
// - the body's validation, every commitment row of pylon-v1.md §4 with its exact key and message,
//   and the 2.x reading of hex (bytes.fromhex after an optional lowercase 0x);
// - the call's arguments built from the real metadata of finney and of the local chain (spec 293):
//   Data::RawN for N = the length, encodable as Commitments.set_commitment; past Raw128 kTooLong;
// - the backoff between attempts;
// - over HTTP: the route, its guard and its exact 400 body; 503 with no chain to write to.
#include <gtest/gtest.h>

#include "codec/decoder.hpp"
#include "common/hex.hpp"
#include "extrinsic/call.hpp"
#include "rest/v1/bodies.hpp"
#include "rest/v1/commitment_write.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

// The one field error of a refused body, as "key: message".
std::string refusal(std::string_view body) {
  auto r = v1::decode_commitment(body);
  const auto* errors = std::get_if<std::vector<v1::FieldError>>(&r);
  if (errors == nullptr) return "accepted";
  if (errors->size() != 1) return "errors: " + std::to_string(errors->size());
  return errors->front().key + ": " + errors->front().message;
}

Bytes accepted(std::string_view body) {
  auto r = v1::decode_commitment(body);
  const auto* b = std::get_if<Bytes>(&r);
  EXPECT_NE(b, nullptr) << body << " -> " << refusal(body);
  return b ? *b : Bytes{};
}

TEST(RestV1Commitments, BodyValidationTexts) {
  const std::string not_hex = "commitment: Value error, passed commitment data is not a valid hex string.";
  EXPECT_EQ(refusal(R"({"commitment":"0xabc"})"), not_hex);
  EXPECT_EQ(refusal(R"({"commitment":"0xGGHH"})"), not_hex);
  EXPECT_EQ(refusal(R"({"commitment":"abc"})"), not_hex);
  EXPECT_EQ(refusal(R"({"commitment":"0Xab"})"), not_hex);   // only a lowercase 0x is a prefix
  EXPECT_EQ(refusal(R"({"commitment":"0xa b"})"), not_hex);  // whitespace never inside a pair
  const std::string empty = "commitment: Data should have at least 1 byte";
  EXPECT_EQ(refusal(R"({"commitment":""})"), empty);
  EXPECT_EQ(refusal(R"({"commitment":"0x"})"), empty);
  EXPECT_EQ(refusal(R"({"commitment":"0x  "})"), empty);
  const std::string not_string = "commitment: Value error, commitment must be bytes or hex string";
  EXPECT_EQ(refusal(R"({"commitment":123})"), not_string);
  EXPECT_EQ(refusal(R"({"commitment":[]})"), not_string);
  EXPECT_EQ(refusal(R"({"commitment":null})"), not_string);
  EXPECT_EQ(refusal(R"({"commitment":true})"), not_string);
  EXPECT_EQ(refusal(R"({})"), "commitment: Field required");
  EXPECT_EQ(refusal(R"({"data_hex":"0xab"})"), "commitment: Field required");
  const std::string not_object = ": Input should be a valid dictionary or object to extract fields from";
  EXPECT_EQ(refusal(""), not_object);
  EXPECT_EQ(refusal("[]"), not_object);
  EXPECT_EQ(refusal(R"({"commitment":"ab")"), not_object);
}

TEST(RestV1Commitments, HexAsTheServiceReadsIt) {
  EXPECT_EQ(accepted(R"({"commitment":"0xc0ffee42"})"), (Bytes{0xc0, 0xff, 0xee, 0x42}));
  EXPECT_EQ(accepted(R"({"commitment":"C0FFEE42"})"), (Bytes{0xc0, 0xff, 0xee, 0x42}));
  EXPECT_EQ(accepted(R"({"commitment":"0x c0 ff\tee\n42 "})"), (Bytes{0xc0, 0xff, 0xee, 0x42}));
  // Unknown fields are ignored; of a repeated field the last wins, as in a Python dict.
  EXPECT_EQ(accepted(R"({"extra":1,"commitment":"01","commitment":"02"})"), (Bytes{0x02}));
}

TEST(RestV1Commitments, CallFromTheRealMetadata) {
  PYLON_REST_REQUIRE_SHARED();
  for (const char* rel :
       {"chain/finney-metadata-v15.option.hex", "chain/localnet/spec293-metadata-v15.option.hex"}) {
    SCOPED_TRACE(rel);
    auto md = load_metadata(rel);
    ASSERT_NE(md, nullptr);
    for (std::size_t n : {1u, 4u, 32u, 128u}) {
      SCOPED_TRACE(n);
      Bytes data(n);
      for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
      auto args = v1::set_commitment_args(*md, 7, data);
      ASSERT_TRUE(args.ok()) << args.error().message;
      EXPECT_EQ(*args, "{\"netuid\":7,\"info\":{\"fields\":[{\"Raw" + std::to_string(n) + "\":\"" +
                           to_hex(data) + "\"}]}}");
      auto call = extrinsic::encode_call_json(*md, "Commitments.set_commitment", *args);
      ASSERT_TRUE(call.ok()) << call.error().message;
      // The call's tail is the field list: one entry, the variant's index byte, then the bytes.
      ASSERT_GE(call->size(), n);
      EXPECT_TRUE(std::equal(data.begin(), data.end(), call->end() - static_cast<std::ptrdiff_t>(n)));
    }
    auto too_long = v1::set_commitment_args(*md, 7, Bytes(129, 0xab));
    ASSERT_FALSE(too_long.ok());
    EXPECT_TRUE(too_long.error().is(v1::CommitmentCallErrc::kTooLong));
    EXPECT_EQ(
        too_long.error().message,
        "commitment of 129 bytes does not fit the chain's commitment Data, which holds at most 128 bytes "
        "(Raw0..Raw128)");
  }
}

TEST(RestV1Commitments, AMetadataWithoutTheCallIsNoCall) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata("chain/localnet/spec293-metadata-v15.option.hex");
  ASSERT_NE(md, nullptr);
  auto stripped = std::make_shared<codec::Metadata>(*md);
  std::erase_if(stripped->pallets, [](const codec::Pallet& p) { return p.name == "Commitments"; });
  auto r = v1::set_commitment_args(*stripped, 7, Bytes{1});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(v1::CommitmentCallErrc::kNoCall));
}

TEST(RestV1Commitments, BackoffDoublesUpToTenTimesTheDelay) {
  using std::chrono::milliseconds;
  EXPECT_EQ(v1::commitment_backoff(1, 1), milliseconds(1000));
  EXPECT_EQ(v1::commitment_backoff(1, 2), milliseconds(2000));
  EXPECT_EQ(v1::commitment_backoff(1, 3), milliseconds(4000));
  EXPECT_EQ(v1::commitment_backoff(1, 4), milliseconds(8000));
  EXPECT_EQ(v1::commitment_backoff(1, 5), milliseconds(10000));
  EXPECT_EQ(v1::commitment_backoff(1, 1000), milliseconds(10000));
  EXPECT_EQ(v1::commitment_backoff(0.25, 2), milliseconds(500));
}

TEST(RestV1Commitments, RouteGuardAndValidationOverHttp) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  const std::string path = "/api/v1/identity/sn1/subnet/1/commitments";
  auto m = match_route(Method::post, path + "/");
  EXPECT_EQ(m.route, Route::v1_id_post_commitments);
  EXPECT_EQ(route_template(m.route), "/api/v1/identity/{identity}/subnet/{netuid}/commitments");
  // Wrong method: 405; the guard before the body: no token 401, the open-access token 403.
  auto a = http(h.port(), "GET", path, "", kSn1Auth);
  EXPECT_EQ(a.status, 405u) << a.body;
  a = http(h.port(), "POST", path, R"({"commitment":"0xzz"})");
  EXPECT_EQ(a.status, 401u) << a.body;
  a = http(h.port(), "POST", path, R"({"commitment":"0xzz"})", kOpenAuth);
  EXPECT_EQ(a.status, 403u) << a.body;
  a = http(h.port(), "POST", path, R"({"commitment":"0xabc"})", kSn1Auth);
  EXPECT_EQ(a.status, 400u) << a.body;
  EXPECT_EQ(a.body,
            "{\"status_code\":400,\"detail\":\"Validation failed for POST " + path +
                "\",\"extra\":[{\"key\":\"commitment\",\"message\":\"Value error, passed commitment data "
                "is not a valid hex string.\"}]}");
  // A valid body with no chain or hotkey to write with: 503, saying so.
  a = http(h.port(), "POST", path, R"({"commitment":"0xc0ffee"})", kSn1Auth);
  EXPECT_EQ(a.status, 503u) << a.body;
  EXPECT_EQ(a.body, v1_error(503, "no chain or hotkey is configured to write commitments"));
  // /metrics counts the route under its template, by status.
  auto metrics = h.get("/metrics");
  const std::string label =
      "pylon_http_requests_total{path=\"/api/v1/identity/{identity}/subnet/{netuid}/commitments\"";
  EXPECT_NE(metrics.body.find(label + ",status=\"400\"} 1\n"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find(label + ",status=\"503\"} 1\n"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace pylon::rest::test

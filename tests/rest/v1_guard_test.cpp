// The order of checks of /api/v1 (pylon-v1.md §1, §4) on the pure guard: each token x each route
// family, the timeout header, unknown identities and the netuid redirect, with exact status and
// body. The HTTP wiring of the same is in v1_test.cpp.
#include <gtest/gtest.h>

#include "rest/v1/guard.hpp"
#include "rest/v1/routes.hpp"

namespace pylon::rest::v1 {
namespace {

const std::string kOpen = "open-access-token-0123";
const std::string kSn1 = "sn1-identity-token-0123";
const std::string kOther = "other-identity-token-012";

Options make_options() {
  Options o;
  o.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.identities.push_back({"sn1", 1, std::make_shared<const keys::SecretString>(kSn1), AccountId{}});
  o.identities.push_back({"other", 1, std::make_shared<const keys::SecretString>(kOther), AccountId{}});
  return o;
}
// Outcome::identity points into it: it outlives every check.
const Options& options() {
  static const Options o = make_options();
  return o;
}

struct Outcome {
  unsigned status = 0;  // 0: admitted
  std::string body;
  std::string headers;
  const Identity* identity = nullptr;
  double deadline = 0;
};

// `auth`: nullopt sends no Authorization header.
Outcome check(Method method, std::string_view path, std::optional<std::string> auth,
              std::optional<std::string_view> timeout = std::nullopt, const Options& o = options()) {
  Request req;
  req.method = method;
  req.path = path;
  req.has_authorization = auth.has_value();
  if (auth) req.authorization = *auth;
  req.pylon_timeout = timeout;
  const RouteMatch m = rest::match_route(method, path);
  auto v = guard(m, req, o);
  Outcome out;
  if (auto* r = std::get_if<Response>(&v)) {
    out.status = r->status;
    out.body = *r->body;
    out.headers = r->extra_headers;
  } else {
    out.identity = std::get<Admitted>(v).identity;
    out.deadline = std::get<Admitted>(v).deadline_seconds;
  }
  return out;
}

std::string body(unsigned status, const std::string& detail) {
  return "{\"status_code\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

const std::string kPublic = "/api/v1/identities";
const std::string kOpenPath = "/api/v1/subnet/1/block/latest/commitments";
const std::string kSn1Path = "/api/v1/identity/sn1/subnet/1/block/latest/commitments";
const std::string kGhostPath = "/api/v1/identity/ghost/subnet/1/block/latest/commitments";

TEST(V1Guard, EachTokenOnEachRouteFamily) {
  const std::string required = body(401, "Authorization header is required");
  const std::string format = body(401, "Invalid Authorization header format. Expected: Bearer <token>");
  const std::string forbidden = body(403, "Invalid authorization token");
  const std::string ghost = body(404, "Identity 'ghost' not found");
  struct Row {
    std::optional<std::string> auth;
    unsigned pub, open, sn1, unknown;
    std::string open_body, sn1_body, unknown_body;
  };
  const std::vector<Row> rows = {
      {std::nullopt, 0, 401, 401, 401, required, required, required},
      {"", 0, 401, 401, 401, format, format, format},
      {"Bearer", 0, 401, 401, 401, format, format, format},
      {"Token " + kOpen, 0, 401, 401, 401, format, format, format},
      {"Bearer " + kOpen + " x", 0, 401, 401, 401, format, format, format},
      {"Bearer " + kOpen, 0, 0, 403, 404, "", forbidden, ghost},
      {"bEaReR  " + kOpen + " ", 0, 0, 403, 404, "", forbidden, ghost},
      {"Bearer " + kSn1, 0, 403, 0, 404, forbidden, "", ghost},
      {"Bearer " + kOther, 0, 403, 403, 404, forbidden, forbidden, ghost},
      {"Bearer wrong-token", 0, 403, 403, 404, forbidden, forbidden, ghost},
      {"Bearer " + kSn1.substr(0, kSn1.size() - 1), 0, 403, 403, 404, forbidden, forbidden, ghost},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.auth ? "Authorization: " + *r.auth : "no Authorization");
    EXPECT_EQ(check(Method::get, kPublic, r.auth).status, r.pub);
    auto open = check(Method::get, kOpenPath, r.auth);
    EXPECT_EQ(open.status, r.open);
    EXPECT_EQ(open.body, r.open_body);
    auto sn1 = check(Method::get, kSn1Path, r.auth);
    EXPECT_EQ(sn1.status, r.sn1);
    EXPECT_EQ(sn1.body, r.sn1_body);
    if (sn1.status == 0) {
      ASSERT_NE(sn1.identity, nullptr);
      EXPECT_EQ(sn1.identity->name, "sn1");
    }
    auto unknown = check(Method::get, kGhostPath, r.auth);
    EXPECT_EQ(unknown.status, r.unknown);
    EXPECT_EQ(unknown.body, r.unknown_body);
    // The identity write is guarded the same way.
    EXPECT_EQ(check(Method::put, "/api/v1/identity/sn1/subnet/1/weights", r.auth).status, r.sn1);
  }
}

// §5: an unset or empty open-access token opens nothing.
TEST(V1Guard, WithoutAnOpenAccessTokenOpenAccessIsClosed) {
  Options o = make_options();
  o.open_access_token = nullptr;
  EXPECT_EQ(check(Method::get, kOpenPath, "Bearer " + kOpen, std::nullopt, o).body,
            body(403, "Invalid authorization token"));
  EXPECT_EQ(check(Method::get, kOpenPath, "Bearer x", std::nullopt, o).status, 403u);
  EXPECT_EQ(check(Method::get, kOpenPath, std::nullopt, std::nullopt, o).status, 401u);
  EXPECT_EQ(check(Method::get, kSn1Path, "Bearer " + kSn1, std::nullopt, o).status, 0u);
}

TEST(V1Guard, AnotherNetuidOnAnIdentityPathIsRedirectedAfterAuth) {
  auto r = check(Method::get, "/api/v1/identity/sn1/subnet/7/block/latest/commitments/", "Bearer " + kSn1);
  EXPECT_EQ(r.status, 308u);
  EXPECT_EQ(r.body, body(308, "Identity 'sn1' is on subnet 1"));
  EXPECT_EQ(r.headers, "Location: /api/v1/identity/sn1/subnet/1/block/latest/commitments/\r\n");
  EXPECT_EQ(check(Method::put, "/api/v1/identity/sn1/subnet/7/weights", "Bearer " + kSn1).headers,
            "Location: /api/v1/identity/sn1/subnet/1/weights\r\n");
  // Auth comes first: the wrong token or an unknown identity never learns the netuid.
  EXPECT_EQ(
      check(Method::get, "/api/v1/identity/sn1/subnet/7/block/latest/commitments", "Bearer " + kOther).status,
      403u);
  EXPECT_EQ(
      check(Method::get, "/api/v1/identity/ghost/subnet/7/block/latest/commitments", "Bearer " + kSn1).status,
      404u);
}

TEST(V1Guard, TheTimeoutHeaderComesBeforeAuthAndIsCapped) {
  auto bad = check(Method::get, kOpenPath, std::nullopt, "abc");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body, body(400, "Invalid X-Pylon-Timeout header value: abc"));
  EXPECT_EQ(check(Method::get, kPublic, std::nullopt, "").body,
            body(400, "Invalid X-Pylon-Timeout header value: "));
  EXPECT_EQ(check(Method::get, kPublic, std::nullopt, "nan").status, 400u);
  EXPECT_EQ(check(Method::get, kSn1Path, std::nullopt, "0").body,
            body(400, "X-Pylon-Timeout header value must be positive, got 0.0"));
  EXPECT_EQ(check(Method::get, kSn1Path, std::nullopt, "-1.5").body,
            body(400, "X-Pylon-Timeout header value must be positive, got -1.5"));
  EXPECT_EQ(check(Method::get, kPublic, std::nullopt).deadline, 60);
  EXPECT_EQ(check(Method::get, kPublic, std::nullopt, " 2.5 ").deadline, 2.5);
  EXPECT_EQ(check(Method::get, kPublic, std::nullopt, "1e3").deadline, 300);  // capped, not refused
  EXPECT_EQ(check(Method::get, kOpenPath, "Bearer " + kOpen, "0.5").deadline, 0.5);
  // A route that does not exist is 404 whatever the header.
  EXPECT_EQ(check(Method::get, "/api/v1/nope", std::nullopt, "abc").body, body(404, "Not Found"));
}

TEST(V1Guard, RoutesMatchIntegersOnlyTakeATrailingSlashAndPreferSelf) {
  for (const char* path :
       {"/api/v1/subnet/abc/block/latest/commitments", "/api/v1/subnet/1.5/block/latest/commitments",
        "/api/v1/subnet/true/block/latest/commitments", "/api/v1/subnet/-1/block/latest/commitments",
        "/api/v1/subnet//block/latest/commitments", "/api/v1", "/api/v1/", "/api/v1/identities//",
        "/api/v1/block/latest/extra", "/api/v1/identity/sn1/subnet/x/weights"}) {
    auto r = check(Method::get, path, "Bearer " + kOpen);
    EXPECT_EQ(r.status, 404u) << path;
    EXPECT_EQ(r.body, body(404, "Not Found")) << path;
  }
  auto wrong_method = check(Method::post, kPublic, std::nullopt);
  EXPECT_EQ(wrong_method.status, 405u);
  EXPECT_EQ(wrong_method.body, body(405, "Method Not Allowed"));
  EXPECT_EQ(wrong_method.headers, "Allow: GET\r\n");
  EXPECT_EQ(check(Method::get, "/api/v1/identity/sn1/subnet/1/weights", "Bearer " + kSn1).headers,
            "Allow: PUT\r\n");
  EXPECT_EQ(check(Method::get, kPublic + "/", std::nullopt).status, 0u);
  EXPECT_EQ(check(Method::head, kPublic, std::nullopt).status, 0u);

  auto self = v1::match_route(Method::get, "/api/v1/identity/sn1/subnet/1/block/latest/commitments/self");
  EXPECT_EQ(self.route, Route::v1_id_commitment_self);
  auto hk = v1::match_route(Method::get, "/api/v1/identity/sn1/subnet/1/block/latest/commitments/5Abc/");
  EXPECT_EQ(hk.route, Route::v1_id_commitment);
  EXPECT_EQ(hk.v1_params.hotkey, "5Abc");
  EXPECT_EQ(hk.v1_params.identity, "sn1");
  EXPECT_EQ(hk.v1_params.netuid, 1u);
  // On the open-access prefix `self` is just a hotkey (one that has no commitment).
  auto oa_self = v1::match_route(Method::get, "/api/v1/subnet/1/block/latest/commitments/self");
  EXPECT_EQ(oa_self.route, Route::v1_oa_commitment);
  EXPECT_EQ(oa_self.v1_params.hotkey, "self");
  // Legacy paths are not v1.
  EXPECT_FALSE(rest::match_route(Method::get, "/api/v1x").v1);
  EXPECT_FALSE(rest::match_route(Method::get, "/metagraph").v1);
  EXPECT_TRUE(rest::match_route(Method::get, "/api/v1/nope").v1);
}

}  // namespace
}  // namespace pylon::rest::v1

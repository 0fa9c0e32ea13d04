// Bearer tokens on writes and /metrics (401), loopback-only writes without a token (403), and
// optional tokens on reads.
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "codec/ss58.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kToken = "s3cret-token-for-tests";

std::string set_weight_body() {
  return R"({"hotkey":")" + first_hotkey() + R"(","weight":1})";
}

TEST(RestAuth, WithATokenWritesAndMetricsNeedIt) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.auth_token = kToken;
  Harness h(o);
  auto a = http(h.port(), "PUT", "/set_weight", set_weight_body());
  EXPECT_EQ(a.status, 401u);
  EXPECT_EQ(a.www_authenticate, "Bearer");
  EXPECT_NE(a.body.find("\"error\":\"unauthorized\""), std::string::npos) << a.body;
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Bearer wrong").status, 401u);
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Bearer " + kToken + "x").status, 401u);
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Basic " + kToken).status, 401u);
  EXPECT_TRUE(h.store->weights({kNetuid}, 6852499)->empty());  // nothing written by refused requests
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Bearer " + kToken).status, 200u);
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "bearer " + kToken).status, 200u);
  EXPECT_EQ(http(h.port(), "POST", "/force_commit_weights").status, 401u);

  EXPECT_EQ(h.get("/metrics").status, 401u);
  EXPECT_EQ(h.get("/metrics", "Bearer " + kToken).status, 200u);
  // Reads stay open by default; probes never need the token.
  EXPECT_EQ(h.get("/latest_block").status, 200u);
  EXPECT_EQ(h.get("/health").status, 200u);
  EXPECT_EQ(h.get("/live").status, 200u);
}

TEST(RestAuth, AMetricsTokenOpensMetricsOnlyAndTheWriteTokenNoLonger) {
  PYLON_REST_REQUIRE_SHARED();
  const std::string metrics_token = "scraper-token-for-tests";
  RestOptions o;
  o.auth_token = kToken;
  o.metrics_token = metrics_token;
  Harness h(o);
  EXPECT_EQ(h.get("/metrics").status, 401u);
  EXPECT_EQ(h.get("/metrics", "Bearer " + kToken).status, 401u);  // the write token is not a scraper's
  EXPECT_EQ(h.get("/metrics", "Bearer " + metrics_token + "x").status, 401u);
  auto m = h.get("/metrics", "Bearer " + metrics_token);
  EXPECT_EQ(m.status, 200u);
  EXPECT_NE(m.body.find("pylon_build_info{"), std::string::npos);
  // The scraper's token writes nothing.
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Bearer " + metrics_token).status, 401u);
  EXPECT_EQ(http(h.port(), "POST", "/force_commit_weights", "", "Bearer " + metrics_token).status, 401u);
  EXPECT_TRUE(h.store->weights({kNetuid}, 6852499)->empty());
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body(), "Bearer " + kToken).status, 200u);

  // Without a write token, the metrics token still guards /metrics; writes stay loopback-only.
  RestOptions only;
  only.metrics_token = metrics_token;
  Harness m2(only);
  EXPECT_EQ(m2.get("/metrics").status, 401u);
  EXPECT_EQ(m2.get("/metrics", "Bearer " + metrics_token).status, 200u);
  EXPECT_EQ(m2.get("/latest_block").status, 200u);
}

TEST(RestAuth, ReadsCanNeedTheTokenToo) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.auth_token = kToken;
  o.reads_need_token = true;
  Harness h(o, false);
  EXPECT_EQ(h.get("/latest_block").status, 401u);
  EXPECT_EQ(h.get("/metagraph").status, 401u);
  EXPECT_EQ(h.get("/schema/openapi.json").status, 401u);
  EXPECT_EQ(h.get("/latest_block", "Bearer " + kToken).status, 200u);
  EXPECT_EQ(h.get("/health").status, 200u);
  EXPECT_EQ(h.get("/live").status, 200u);
}

TEST(RestAuth, WithoutATokenLoopbackMayWrite) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", set_weight_body()).status, 200u);
  EXPECT_EQ(h.get("/metrics").status, 200u);
}

// A non-loopback address of this machine, or "" when it has none.
std::string outside_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (auto* i = list; i && out.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || (i->ifa_flags & IFF_LOOPBACK)) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    out = boost::asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)).to_string();
  }
  freeifaddrs(list);
  return out;
}

TEST(RestAuth, WithoutATokenOtherPeersMayNotWrite) {
  PYLON_REST_REQUIRE_SHARED();
  const std::string addr = outside_address();
  if (addr.empty()) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  follower::SnapshotStore snapshots;
  snapshots.publish(at_block(*recorded(), kRecordedBlock));
  RestDeps deps(snapshots, kNetuid);
  auto s = Server::start(any_address_options(), std::move(deps));
  ASSERT_TRUE(s.ok()) << s.error().message;
  HttpClient c((*s)->port(), addr);
  auto a = c.request("PUT", "/set_weight", set_weight_body());
  EXPECT_EQ(a.status, 403u) << a.body;
  EXPECT_NE(a.body.find("\"error\":\"forbidden\""), std::string::npos);
  EXPECT_EQ(c.request("POST", "/set_commitment", R"({"data_hex":"0x01"})").status, 403u);
  EXPECT_EQ(c.request("GET", "/latest_block").status, 200u);  // reads are fine
}

}  // namespace
}  // namespace pylon::rest::test

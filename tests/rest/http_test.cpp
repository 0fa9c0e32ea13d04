// HTTP behaviour: keep-alive, pipelining, timeouts for slow clients, size limits, malformed
// requests, unknown paths and methods; after all of it the server still answers.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;

TEST(RestHttp, KeepAliveServesManyRequestsOnOneConnection) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  HttpClient c(h.port());
  for (int i = 0; i < 200; ++i) {
    auto a = c.request("GET", i % 2 ? "/latest_block" : "/epoch");
    ASSERT_EQ(a.status, 200u) << i;
    ASSERT_FALSE(a.closed);
  }
  EXPECT_EQ(c.request("GET", "/metagraph").status, 200u);
}

TEST(RestHttp, PipelinedRequestsAreAnsweredInOrder) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  HttpClient c(h.port());
  const std::string put_body = R"({"hotkey":")" + first_hotkey() + R"(","weight":2})";
  c.send_raw(
      "GET /latest_block HTTP/1.1\r\nHost: x\r\n\r\n"
      "PUT /set_weight HTTP/1.1\r\nHost: x\r\nContent-Length: " +
      std::to_string(put_body.size()) + "\r\n\r\n" + put_body +
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /epoch HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /raw_weights HTTP/1.1\r\nHost: x\r\n\r\n");
  auto answers = c.read_answers(5);
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(answers[0].body, "{\"block\":6852690}");
  EXPECT_EQ(answers[1].status, 200u);
  EXPECT_EQ(answers[2].status, 404u);
  EXPECT_EQ(answers[3].body, "{\"epoch_start\":6852499,\"epoch_end\":6852860}");
  EXPECT_EQ(answers[4].status, 200u);  // sees the write pipelined before it
  EXPECT_NE(answers[4].body.find("2.0"), std::string::npos);
}

TEST(RestHttp, ConnectionCloseIsHonoured) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  HttpClient c(h.port());
  c.send_raw("GET /live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto a = c.read_answers(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(a[0].closed);
  EXPECT_TRUE(c.closed_within(1000ms));
}

TEST(RestHttp, SlowClientsTimeOut) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.read_timeout = 300ms;
  o.idle_timeout = 600ms;
  Harness h(o, false);
  {  // half a request, then nothing: closed after the read timeout
    HttpClient c(h.port());
    c.send_raw("GET /latest_block HTTP/1.1\r\nHost: x\r\n");
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_within(3000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  }
  {  // a body that never finishes
    HttpClient c(h.port());
    c.send_raw("PUT /set_weight HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"hot");
    EXPECT_TRUE(c.closed_within(3000ms));
  }
  {  // idle keep-alive connections are closed after the idle timeout, not the read timeout
    HttpClient c(h.port());
    EXPECT_EQ(c.request("GET", "/live").status, 200u);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.closed_within(3000ms));
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 500ms);
  }
  EXPECT_EQ(h.get("/live").status, 200u);
  EXPECT_NE(h.get("/metrics").body.find("pylon_http_timeouts_total 2"), std::string::npos);
}

TEST(RestHttp, BodiesOverTheLimitGet413) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.body_limit = 1024;
  Harness h(o);
  const std::string big = R"({"weights":{")" + std::string(2000, 'a') + R"(":1}})";
  auto a = http(h.port(), "PUT", "/set_weights", big);
  EXPECT_EQ(a.status, 413u);
  EXPECT_NE(a.body.find("\"error\":\"payload_too_large\""), std::string::npos) << a.body;
  EXPECT_TRUE(a.closed);
  EXPECT_EQ(h.get("/live").status, 200u);
}

TEST(RestHttp, MalformedRequestsGet400) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  for (const std::string raw :
       {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET /live HTTP/1.1\r\nBad Header\r\n\r\n",
        "PUT /set_weight HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    HttpClient c(h.port());
    c.send_raw(raw);
    auto a = c.read_answers(1);
    ASSERT_EQ(a.size(), 1u) << raw;
    EXPECT_EQ(a[0].status, 400u) << raw;
    EXPECT_NE(a[0].body.find("\"error\":\"bad_request\""), std::string::npos);
  }
  HttpClient c(h.port());
  c.send_raw("GET /live HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
  auto a = c.read_answers(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 431u);
  EXPECT_EQ(h.get("/live").status, 200u);
}

TEST(RestHttp, UnknownPathsAndMethods) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/nothing/here");
  EXPECT_EQ(a.status, 404u);
  EXPECT_EQ(a.body, "{\"detail\":\"no such path\",\"error\":\"not_found\"}");
  a = http(h.port(), "POST", "/metagraph");
  EXPECT_EQ(a.status, 405u);
  EXPECT_EQ(a.allow, "GET");
  a = http(h.port(), "GET", "/set_weight");
  EXPECT_EQ(a.status, 405u);
  EXPECT_EQ(a.allow, "PUT");
  EXPECT_EQ(http(h.port(), "DELETE", "/metagraph").status, 405u);
  EXPECT_EQ(h.get("/metagraph/1/2").status, 404u);
  HttpClient c(h.port());
  c.send_raw("HEAD /latest_block HTTP/1.1\r\nHost: x\r\n\r\nGET /live HTTP/1.1\r\nHost: x\r\n\r\n");
  // HEAD: the headers only, then the next answer follows at once.
  boost::system::error_code ec;
  boost::beast::flat_buffer buf;
  boost::beast::http::response_parser<boost::beast::http::empty_body> head;
  head.skip(true);
  boost::beast::http::read(c.socket(), buf, head, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(head.get().result_int(), 200u);
  boost::beast::http::response_parser<boost::beast::http::string_body> next;
  boost::beast::http::read(c.socket(), buf, next, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(next.get().body(), "{\"status\":\"ok\"}");
}

TEST(RestHttp, ManyConnectionsAtOnce) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 64; ++i) clients.push_back(std::make_unique<HttpClient>(h.port()));
  for (auto& c : clients) c->send_raw("GET /metagraph HTTP/1.1\r\nHost: x\r\n\r\n");
  for (auto& c : clients) {
    auto a = c->read_answers(1);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].status, 200u);
    EXPECT_GT(a[0].body.size(), 400'000u);
  }
}

TEST(RestHttp, StopWithConnectionsOpenAndWorkInFlight) {
  PYLON_REST_REQUIRE_SHARED();
  auto h = std::make_unique<Harness>(RestOptions{}, true);
  HttpClient idle(h->port());
  HttpClient busy(h->port());
  busy.send_raw("GET /raw_weights HTTP/1.1\r\nHost: x\r\n\r\n");
  h->server->stop();
  EXPECT_TRUE(idle.closed_within(2000ms));
  h.reset();
}

}  // namespace
}  // namespace pylon::rest::test

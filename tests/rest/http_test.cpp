// HTTP behaviour: keep-alive, pipelining, timeouts for slow clients, size limits, malformed
// requests, unknown paths and methods; after all of it the server still answers.
#include <atomic>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

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

TEST(RestHttp, ExpectContinueIsAnsweredBeforeTheBody) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  HttpClient c(h.port());
  const std::string body = R"({"hotkey":")" + first_hotkey() + R"(","weight":3})";
  // curl sends this for bodies over 1 KiB and waits (1 s) for the interim answer before the body.
  c.send_raw("PUT /set_weight HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n");
  auto interim = c.read_answers(1);
  ASSERT_EQ(interim.size(), 1u);
  EXPECT_EQ(interim[0].status, 100u);
  c.send_raw(body);
  auto a = c.read_answers(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 200u) << a[0].body;
  EXPECT_FALSE(a[0].closed);
  // The connection goes on, and the write took effect.
  auto w = c.request("GET", "/raw_weights");
  EXPECT_EQ(w.status, 200u);
  EXPECT_NE(w.body.find("3.0"), std::string::npos) << w.body;
}

TEST(RestHttp, ExpectContinueIsRefusedWithoutTheBodyWhenTheRequestWouldBe) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.auth_token = "0123456789abcdef0123";
  Harness h(o);
  for (const auto& [head, status] : std::vector<std::pair<std::string, unsigned>>{
           {"PUT /set_weight HTTP/1.1\r\nHost: x\r\n", 401u},  // no token
           {"PUT /set_weight HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n", 401u},
           {"PUT /no_such_path HTTP/1.1\r\nHost: x\r\n", 404u},
           {"POST /set_weight HTTP/1.1\r\nHost: x\r\n", 405u}}) {
    HttpClient c(h.port());
    c.send_raw(head + "Expect: 100-continue\r\nContent-Length: 40\r\n\r\n");
    auto a = c.read_answers(1);  // the final answer at once, no 100, without the body being sent
    ASSERT_EQ(a.size(), 1u) << head;
    EXPECT_EQ(a[0].status, status) << head;
    EXPECT_TRUE(a[0].closed) << head;  // the client may send the body anyway: not read as a request
    EXPECT_TRUE(c.closed_within(2000ms));
  }
  // With the token the interim answer comes.
  HttpClient c(h.port());
  c.send_raw(
      "PUT /set_weight HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer 0123456789abcdef0123\r\n"
      "Expect: 100-continue\r\nContent-Length: 40\r\n\r\n");
  auto a = c.read_answers(1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 100u);
  EXPECT_EQ(h.get("/raw_weights").status, 404u);  // nothing was written by any of it
}

TEST(RestHttp, ConnectionsOnEveryIoThreadSeeOneSnapshotAtATime) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.io_threads = 3;
  Harness h(o, false);
  // Clients on several loops read while new snapshots are published: every answer is whole and
  // names a published block, and a block never goes backwards on one connection.
  std::atomic<bool> failed{false};
  // Each publish waits for an answer after it, so that reads and publishes interleave: a wait on
  // the readers' progress rather than a timer.
  std::mutex mu;
  std::condition_variable progress;
  std::uint64_t answers = 0;
  int running = 6;
  std::vector<std::thread> readers;
  for (int t = 0; t < running; ++t)
    readers.emplace_back([&, t] {
      HttpClient c(h.port());
      std::uint64_t last = 0;
      for (int i = 0; i < 150 && !failed; ++i) {
        auto a = c.request("GET", (i + t) % 3 == 0 ? "/metagraph" : "/latest_block");
        {
          std::lock_guard lock(mu);
          ++answers;
        }
        progress.notify_all();
        if (a.status != 200u) failed = true;
        if (a.body.rfind("{\"block\":", 0) == 0) {
          const std::uint64_t b = std::stoull(a.body.substr(9));
          if (b < kRecordedBlock || b > kRecordedBlock + 200 || b < last) failed = true;
          last = b;
        } else if (a.body.size() < 400'000u) {
          failed = true;
        }
      }
      {
        std::lock_guard lock(mu);
        --running;
      }
      progress.notify_all();
    });
  for (std::uint64_t b = kRecordedBlock + 1; b <= kRecordedBlock + 200; ++b) {
    std::unique_lock lock(mu);
    const std::uint64_t seen = answers;
    h.snapshots.publish(at_block(*recorded(), b));
    progress.wait(lock, [&] { return answers > seen || running == 0; });
  }
  for (auto& r : readers) r.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(h.get("/latest_block").body, "{\"block\":" + std::to_string(kRecordedBlock + 200) + "}");
}

TEST(RestHttp, ClientsLeavingMidMetagraphDoNotHurtTheServer) {
  PYLON_REST_REQUIRE_SHARED();
  // The metagraph leaves with sendfile, which raises SIGPIPE when the peer is gone; the test
  // process would die of it if the server let that signal through.
  Harness h({}, false);
  for (int i = 0; i < 20; ++i) {
    HttpClient c(h.port());
    boost::system::error_code ec;
    c.socket().set_option(boost::asio::socket_base::receive_buffer_size(4096), ec);
    c.send_raw("GET /metagraph HTTP/1.1\r\nHost: x\r\n\r\n");
    char some[1024];
    (void)c.socket().read_some(boost::asio::buffer(some), ec);
    c.socket().set_option(boost::asio::socket_base::linger(true, 0), ec);  // leave with a reset
    c.socket().close(ec);
  }
  auto a = h.get("/metagraph");
  EXPECT_EQ(a.status, 200u);
  EXPECT_GT(a.body.size(), 400'000u);
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

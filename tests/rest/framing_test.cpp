// Request smuggling over a real socket: a request whose body framing is ambiguous (RFC 9112 §6)
// gets one 400 and the connection closes, so bytes hidden after it never run as a second request.
// The hidden request is a loopback weight write (no token needed there, as behind a reverse proxy
// on the same host): the store must still be empty afterwards.
#include <cstdio>

#include "codec/ss58.hpp"
#include "common/utf8.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360)

std::string hidden_write() {
  const std::string body = R"({"hotkey":")" + first_hotkey() + R"(","weight":5})";
  return "PUT /set_weight HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

TEST(RestFraming, AmbiguousFramingGetsOne400AndTheHiddenRequestNeverRuns) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  struct Case {
    const char* what;
    std::string head;  // the smuggling request's head, up to its blank line
    std::string body;  // what its framing would make its body
  };
  const std::string get = "GET /live HTTP/1.1\r\nHost: x\r\n";
  const std::vector<Case> cases = {
      {"gzip only", get + "Transfer-Encoding: gzip\r\n", ""},
      {"identity", get + "Transfer-Encoding: identity\r\n", ""},
      {"chunked not last", get + "Transfer-Encoding: chunked, gzip\r\n", ""},
      {"xchunked", get + "Transfer-Encoding: xchunked\r\n", ""},
      {"gzip with a length", get + "Transfer-Encoding: gzip\r\nContent-Length: 0\r\n", ""},
      {"gzip then chunked headers", get + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
       "0\r\n\r\n"},
      {"chunked twice", get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
      {"chunked and a length", get + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"},
      {"a length and chunked", get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
      {"folded chunked", get + "Transfer-Encoding:\r\n chunked\r\n", "0\r\n\r\n"},
      {"chunked in HTTP/1.0",
       "GET /live HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"},
      {"two equal lengths", get + "Content-Length: 0\r\nContent-Length: 0\r\n", ""},
      {"a length list", get + "Content-Length: 0, 0\r\n", ""},
      {"two lengths", get + "Content-Length: 0\r\nContent-Length: 3\r\n", ""},
      {"a signed length", get + "Content-Length: +0\r\n", ""},
  };
  for (const auto& c : cases) {
    HttpClient client(h.port());
    client.send_raw(c.head + "\r\n" + c.body + hidden_write());
    auto answers = client.read_answers(2);  // only one may come: the server closes after it
    ASSERT_EQ(answers.size(), 1u) << c.what;
    EXPECT_EQ(answers[0].status, 400u) << c.what << ": " << answers[0].body;
    EXPECT_TRUE(answers[0].closed) << c.what;
    EXPECT_TRUE(utf8::valid(answers[0].body)) << c.what;
    EXPECT_NE(answers[0].body.find("\"error\":\"bad_request\""), std::string::npos) << answers[0].body;
    auto w = h.store->weights({kNetuid}, kEpoch);
    ASSERT_TRUE(w.ok());
    EXPECT_TRUE(w->empty()) << c.what << ": the hidden write was stored";
  }
  EXPECT_EQ(h.get("/live").status, 200u);
}

// What the strict reader takes: one plain chunked coding (any case, with surrounding spaces) or one
// decimal length; pipelining after such a request goes on as before.
TEST(RestFraming, PlainChunkedAndOneLengthAreServed) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  const std::string body = R"({"hotkey":")" + first_hotkey() + R"(","weight":2})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  HttpClient c(h.port());
  c.send_raw("PUT /set_weight HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n" +
             std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n" +
             "GET /raw_weights HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  auto answers = c.read_answers(2);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].status, 200u) << answers[0].body;
  EXPECT_EQ(answers[1].status, 200u) << answers[1].body;
  EXPECT_FALSE(answers[1].closed);
  EXPECT_NE(answers[1].body.find("2.0"), std::string::npos) << answers[1].body;
}

// Heads the strict reader refuses although Beast would read them one way or another.
TEST(RestFraming, MalformedHeadsAreRefused) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  for (const std::string raw : {"GET /live HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
                                "GET /live HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\n\r\n",
                                "\r\nGET /live HTTP/1.1\r\nHost: x\r\n\r\n", "GET /live HTTP/1.1\r\n\r\n"}) {
    HttpClient c(h.port());
    c.send_raw(raw + "GET /live HTTP/1.1\r\nHost: x\r\n\r\n");
    auto a = c.read_answers(2);
    ASSERT_EQ(a.size(), 1u) << raw;
    EXPECT_EQ(a[0].status, 400u) << raw;
  }
}

}  // namespace
}  // namespace pylon::rest::test

// read_request_head on its own: what it frames, what it refuses and as which kind, and that a
// head arriving in pieces is found whatever the pieces.
#include "rest/request_head.hpp"

#include <gtest/gtest.h>

namespace pylon::rest {
namespace {

std::optional<HeadErrc> refusal(std::string_view bytes) {
  auto h = read_request_head(bytes, 8192);
  if (h.ok()) return std::nullopt;
  return h.error().kind_of<HeadErrc>();
}

TEST(RequestHead, FramesOneWayOrNone) {
  const std::string get = "GET /live HTTP/1.1\r\nHost: x\r\n\r\nrest";
  auto h = read_request_head(get, 8192);
  ASSERT_TRUE(h.ok() && *h);
  EXPECT_EQ((*h)->size, get.size() - 4);
  EXPECT_EQ((*h)->framing, BodyFraming::kNone);
  EXPECT_EQ((*h)->version, 11u);

  h = read_request_head("PUT /x HTTP/1.1\r\nhost: x\r\ncontent-length:\t 0012 \r\n\r\n", 8192);
  ASSERT_TRUE(h.ok() && *h);
  EXPECT_EQ((*h)->framing, BodyFraming::kLength);
  EXPECT_EQ((*h)->length, 12u);

  h = read_request_head("PUT /x HTTP/1.1\r\nHost: x\r\nTRANSFER-ENCODING: Chunked\r\n\r\n", 8192);
  ASSERT_TRUE(h.ok() && *h);
  EXPECT_EQ((*h)->framing, BodyFraming::kChunked);

  h = read_request_head("GET /live HTTP/1.0\r\n\r\n", 8192);  // HTTP/1.0 needs no Host
  ASSERT_TRUE(h.ok() && *h);
  EXPECT_EQ((*h)->version, 10u);
}

TEST(RequestHead, RefusesAmbiguousFramingAndMalformedHeads) {
  const std::string start = "POST /x HTTP/1.1\r\nHost: x\r\n";
  for (const std::string framing :
       {"Transfer-Encoding: gzip\r\n", "Transfer-Encoding: identity\r\n",
        "Transfer-Encoding: chunked, gzip\r\n", "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: xchunked\r\n", "Transfer-Encoding:\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n",
        "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n", "Content-Length: 1\r\nContent-Length: 1\r\n",
        "Content-Length: 1, 1\r\n", "Content-Length: +1\r\n", "Content-Length: -1\r\n",
        "Content-Length: 0x1\r\n", "Content-Length: 1 1\r\n", "Content-Length:\r\n",
        "Content-Length: 1234567890123456789\r\n"})
    EXPECT_EQ(refusal(start + framing + "\r\n"), HeadErrc::kFraming) << framing;
  EXPECT_EQ(refusal("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HeadErrc::kFraming);

  for (const std::string head :
       {"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",                            // a blank line first
        "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",                  // obs-fold
        "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding :chunked\r\n\r\n",  // space before colon
        "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",                          // a bare LF
        "GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n",                          // a bare CR
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",  // no Host
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "GET  HTTP/1.1\r\nHost: x\r\n\r\n", "GET\r\n\r\n"})
    EXPECT_EQ(refusal(head), HeadErrc::kMalformed) << head;
}

TEST(RequestHead, WaitsForTheEndWithinTheLimit) {
  const std::string head = "GET /live HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(100, 'p') + "\r\n\r\n";
  // Fed a byte at a time, resuming where the last call got: found exactly when complete.
  std::size_t searched = 0;
  for (std::size_t n = 1; n <= head.size(); ++n) {
    auto h = read_request_head(std::string_view(head).substr(0, n), 8192, searched);
    ASSERT_TRUE(h.ok()) << n;
    EXPECT_EQ(h->has_value(), n == head.size()) << n;
    searched = n;
  }
  auto too_big = read_request_head(head.substr(0, head.size() - 4), 64);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(too_big.error().is(HeadErrc::kTooLarge));
  EXPECT_TRUE(read_request_head(head, head.size()).ok());
  auto over = read_request_head(head, head.size() - 1);
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(over.error().is(HeadErrc::kTooLarge));
}

TEST(RequestHead, SameFramingComparesWithTheParser) {
  RequestHead h;
  EXPECT_TRUE(same_framing(h, false, false, 0));
  EXPECT_FALSE(same_framing(h, true, false, 0));
  EXPECT_FALSE(same_framing(h, false, true, 0));
  h.framing = BodyFraming::kLength;
  h.length = 5;
  EXPECT_TRUE(same_framing(h, false, true, 5));
  EXPECT_FALSE(same_framing(h, false, true, 4));
  EXPECT_FALSE(same_framing(h, false, false, 0));
  h.framing = BodyFraming::kChunked;
  EXPECT_TRUE(same_framing(h, true, false, 0));
  EXPECT_FALSE(same_framing(h, false, false, 0));
}

}  // namespace
}  // namespace pylon::rest

#include "net/endpoint_url.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace pylon::net {
namespace {

// Each accepted URL split into its parts: the scheme case-insensitive, the port defaulting to the
// scheme's (80, 443) and then left out of the Host header, the target "/" unless given (a bare
// query gets one), an IPv6 literal unbracketed in `host` and bracketed in the header.
TEST(EndpointUrl, AcceptedUrlsSplitIntoTheirParts) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    std::uint16_t port;
    const char* target;
    const char* host_header;
  } cases[] = {
      {"ws://127.0.0.1:9944", false, "127.0.0.1", 9944, "/", "127.0.0.1:9944"},
      {"WSS://entrypoint-finney.opentensor.ai/rpc?x=1", true, "entrypoint-finney.opentensor.ai", 443,
       "/rpc?x=1", "entrypoint-finney.opentensor.ai"},
      {"ws://host?a=b", false, "host", 80, "/?a=b", "host"},
      {"ws://[::1]:9944/", false, "::1", 9944, "/", "[::1]:9944"},
  };
  for (const Case& c : cases) {
    auto u = parse_endpoint_url(c.url);
    ASSERT_TRUE(u.ok()) << c.url << ": " << u.error().message;
    EXPECT_EQ(u->tls, c.tls) << c.url;
    EXPECT_EQ(u->host, c.host) << c.url;
    EXPECT_EQ(u->port, c.port) << c.url;
    EXPECT_EQ(u->target, c.target) << c.url;
    EXPECT_EQ(u->host_header(), c.host_header) << c.url;
  }
  EXPECT_EQ(parse_endpoint_url("ws://127.0.0.1:9944")->str(), "ws://127.0.0.1:9944/");
}

TEST(EndpointUrl, RejectsBadInputWithReason) {
  struct Case {
    const char* url;
    const char* why;
  } cases[] = {
      {"http://127.0.0.1:9944", "scheme"},
      {"ws://", "missing host"},
      {"ws://host:", "empty port"},
      {"ws://host:0", "port must be"},
      {"ws://host:65536", "port must be"},
      {"ws://host:99x", "port must be"},
      {"ws://user@host", "user info"},
      {"ws://host/#frag", "fragment"},
      {"ws://ho st", "whitespace"},
      {"ws://[::1", "unclosed"},
      {"ws://[zz]:1", "IPv6"},
      {"ws://[::1]x", "after IPv6"},
      {"ws://h$st", "invalid host"},
  };
  for (const auto& c : cases) {
    auto u = parse_endpoint_url(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_NE(u.error().message.find(c.why), std::string::npos) << c.url << " -> " << u.error().message;
    EXPECT_NE(u.error().message.find("bad endpoint URL"), std::string::npos);
  }
}

}  // namespace
}  // namespace pylon::net

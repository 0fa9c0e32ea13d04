#include "net/endpoint_url.hpp"

#include <gtest/gtest.h>

namespace pylon::net {
namespace {

TEST(EndpointUrl, PlainWithPortAndDefaultTarget) {
  auto u = parse_endpoint_url("ws://127.0.0.1:9944");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9944);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->host_header(), "127.0.0.1:9944");
  EXPECT_EQ(u->str(), "ws://127.0.0.1:9944/");
}

TEST(EndpointUrl, TlsDefaultsToPort443AndKeepsPathAndQuery) {
  auto u = parse_endpoint_url("WSS://entrypoint-finney.opentensor.ai/rpc?x=1");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "entrypoint-finney.opentensor.ai");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/rpc?x=1");
  EXPECT_EQ(u->host_header(), "entrypoint-finney.opentensor.ai");
}

TEST(EndpointUrl, QueryWithoutPathGetsSlash) {
  auto u = parse_endpoint_url("ws://host?a=b");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/?a=b");
}

TEST(EndpointUrl, Ipv6Literal) {
  auto u = parse_endpoint_url("ws://[::1]:9944/");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9944);
  EXPECT_EQ(u->host_header(), "[::1]:9944");
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

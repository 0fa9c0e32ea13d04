// A WebSocket endpoint URL (ws:// or wss://), parsed once when the client is configured so that a
// typo in the config is a clear error at startup, not a reconnect loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace pylon::net {

struct EndpointUrl {
  bool tls = false;  // wss://
  std::string host;  // without IPv6 brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"

  // Host header value: host[:port] with IPv6 brackets, port omitted when it is the default.
  std::string host_header() const;
  // The URL as given back for messages: ws[s]://host:port/target.
  std::string str() const;
};

// Accepts ws:// and wss:// (scheme case-insensitive), hostnames, IPv4 and [IPv6] literals, an
// optional port (default 80 / 443), an optional path and query. Rejects user info, fragments,
// whitespace and anything else.
Result<EndpointUrl> parse_endpoint_url(std::string_view url);

}  // namespace pylon::net

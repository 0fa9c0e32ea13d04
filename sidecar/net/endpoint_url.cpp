#include "net/endpoint_url.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pylon::net {
namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

bool valid_ipv6(std::string_view h) {
  if (h.empty()) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

Error bad(std::string_view url, std::string_view why) {
  return Error{"bad endpoint URL '" + std::string(url) + "': " + std::string(why)};
}

}  // namespace

std::string EndpointUrl::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string EndpointUrl::str() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "wss://" : "ws://") + h + ":" + std::to_string(port) + target;
}

Result<EndpointUrl> parse_endpoint_url(std::string_view url) {
  EndpointUrl out;
  std::string_view rest;
  if (iequals_prefix(url, "wss://")) {
    out.tls = true;
    rest = url.substr(6);
  } else if (iequals_prefix(url, "ws://")) {
    rest = url.substr(5);
  } else {
    return bad(url, "scheme must be ws:// or wss://");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return bad(url, "contains whitespace, control or non-ASCII characters");
    }
  }
  if (url.find('#') != std::string_view::npos) return bad(url, "fragments are not allowed");

  const std::size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
  if (authority.find('@') != std::string_view::npos) return bad(url, "user info is not allowed");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad(url, "unclosed '[' in IPv6 host");
    out.host = std::string(authority.substr(1, close - 1));
    if (!valid_ipv6(out.host)) return bad(url, "invalid IPv6 host");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(url, "unexpected text after IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(url, "empty port");
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad(url, "empty port");
    }
    if (!valid_hostname(out.host)) return bad(url, out.host.empty() ? "missing host" : "invalid host");
  }

  if (port_text.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return bad(url, "port must be a number from 1 to 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

}  // namespace pylon::net

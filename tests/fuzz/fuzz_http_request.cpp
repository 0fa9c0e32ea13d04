// Fuzzes how a connection's bytes become requests, as rest/session.cpp reads them: each head
// through read_request_head (the strict reader that refuses ambiguous framing), then Beast's
// parser on the same bytes. Nothing smuggles: for every head the reader accepts, Beast ends the
// head at the same byte and frames the body the same way, a Content-Length body is exactly that
// long, and the next request starts where both say this one ended.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdlib>

#include "rest/request_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::rest;
  namespace http = boost::beast::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    auto head = read_request_head(in, 8192);
    if (!head.ok() || !*head) return 0;  // refused (400/431, closed) or waiting for more bytes
    http::request_parser<http::string_body> p;
    p.header_limit(8192);
    p.body_limit(1 << 20);
    boost::beast::error_code ec;
    std::size_t used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (ec) return 0;  // Beast refuses it: 400, closed
    const auto length = p.content_length();
    if (used != (*head)->size || !same_framing(**head, p.chunked(), length.has_value(), length.value_or(0)))
      std::abort();
    while (!p.is_done() && used < in.size()) {
      const std::size_t n = p.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
      if (ec || n == 0) return 0;  // need_more (waiting) or a bad body: nothing follows either way
      used += n;
    }
    if (!p.is_done()) return 0;
    if ((*head)->framing == BodyFraming::kLength && used != (*head)->size + (*head)->length) std::abort();
    if ((*head)->framing == BodyFraming::kNone && used != (*head)->size) std::abort();
    in.remove_prefix(used);
  }
  return 0;
}

#include "rest/request_head.hpp"

#include <string>

#include "common/utf8.hpp"

namespace pylon::rest {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kEnd = "\r\n\r\n";

// tchar of RFC 9110 §5.6.2.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error malformed(std::string msg) {
  return make_error(HeadErrc::kMalformed, std::move(msg));
}
Error ambiguous(std::string msg) {
  return make_error(HeadErrc::kFraming, std::move(msg));
}

// Client bytes quoted in a message: at most 64 bytes, cut between characters.
std::string quoted(std::string_view s) {
  return "\"" + std::string(utf8::prefix(s, 64)) + "\"";
}

// method SP request-target SP HTTP-version, the version 1.0 or 1.1 (what Beast reads too).
Result<unsigned> request_line(std::string_view line) {
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return malformed("malformed HTTP request line");
  if (!is_token(line.substr(0, sp1))) return malformed("malformed HTTP request line (method)");
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target.find(' ') != std::string_view::npos)
    return malformed("malformed HTTP request line (target)");
  const std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1") return 11u;
  if (version == "HTTP/1.0") return 10u;
  return malformed("unsupported HTTP version (HTTP/1.0 and HTTP/1.1 are served)");
}

}  // namespace

Result<std::optional<RequestHead>> read_request_head(std::string_view buffered, std::size_t header_limit,
                                                     std::size_t searched) {
  const std::size_t from = searched > 3 ? searched - 3 : 0;  // the end may straddle the last call
  const std::size_t end = from < buffered.size() ? buffered.find(kEnd, from) : std::string_view::npos;
  if (end == std::string_view::npos) {
    if (buffered.size() >= header_limit)
      return make_error(HeadErrc::kTooLarge, "the request headers are too large");
    return std::optional<RequestHead>{};
  }
  RequestHead head;
  head.size = end + kEnd.size();
  if (head.size > header_limit) return make_error(HeadErrc::kTooLarge, "the request headers are too large");

  std::string_view rest = buffered.substr(0, end + kCrlf.size());  // every line with its CRLF
  std::size_t te = 0, cl = 0, hosts = 0;
  std::string_view te_value, cl_value;
  for (bool first = true; !rest.empty(); first = false) {
    const std::size_t eol = rest.find(kCrlf);
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + kCrlf.size());
    // A lone CR or LF ends a line for some readers and not for others.
    if (line.find_first_of("\r\n") != std::string_view::npos)
      return malformed("a bare CR or LF in the request head (lines end with CRLF)");
    if (first) {
      PYLON_ASSIGN(head.version, request_line(line));
      continue;
    }
    // obs-fold (RFC 9112 §5.2): a server may refuse it, and must not guess what a proxy made of it.
    if (line.empty() || line.front() == ' ' || line.front() == '\t')
      return malformed("a folded header line (obs-fold) in the request head");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a header line without a colon");
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return malformed("a malformed header name (no whitespace before the colon)");
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "transfer-encoding")) {
      ++te;
      te_value = value;
    } else if (iequals(name, "content-length")) {
      ++cl;
      cl_value = value;
    } else if (iequals(name, "host")) {
      ++hosts;
    }
  }
  // RFC 9112 §3.2: an HTTP/1.1 request without Host, or any with more than one, is a 400.
  if (hosts > 1) return malformed("more than one Host header");
  if (hosts == 0 && head.version == 11) return malformed("an HTTP/1.1 request without a Host header");
  // RFC 9112 §6.1-6.3: with both, or an encoding that does not end in chunked, the length of
  // the body cannot be determined reliably: 400 and close. Pylon decodes no other coding, so
  // the one encoding it takes is a single plain `chunked`.
  if (te > 0 && cl > 0) return ambiguous("both Transfer-Encoding and Content-Length are given");
  if (te > 1) return ambiguous("more than one Transfer-Encoding header");
  if (te == 1) {
    if (head.version < 11) return ambiguous("Transfer-Encoding in an HTTP/1.0 request");
    if (!iequals(te_value, "chunked"))
      return ambiguous("Transfer-Encoding " + quoted(te_value) + " is not taken (only \"chunked\" is)");
    head.framing = BodyFraming::kChunked;
    return std::optional<RequestHead>(head);
  }
  if (cl > 1) return ambiguous("more than one Content-Length header");
  if (cl == 1) {
    if (cl_value.empty() || cl_value.size() > 18 ||
        cl_value.find_first_not_of("0123456789") != std::string_view::npos)
      return ambiguous("Content-Length " + quoted(cl_value) + " is not one decimal number");
    for (char c : cl_value) head.length = head.length * 10 + static_cast<std::uint64_t>(c - '0');
    head.framing = BodyFraming::kLength;
  }
  return std::optional<RequestHead>(head);
}

bool same_framing(const RequestHead& head, bool chunked, bool has_length, std::uint64_t length) {
  switch (head.framing) {
    case BodyFraming::kNone:
      return !chunked && !has_length;
    case BodyFraming::kLength:
      return !chunked && has_length && length == head.length;
    case BodyFraming::kChunked:
      return chunked && !has_length;
  }
  return false;
}

}  // namespace pylon::rest

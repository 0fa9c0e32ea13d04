// The request head as Pylon reads it before Beast's parser frames the body. Beast lets framing
// through that RFC 9112 forbids or leaves ambiguous (a Transfer-Encoding other than a final
// `chunked` is ignored and the body taken as empty or by Content-Length; Content-Length lists and
// duplicates are merged; obs-fold is unfolded; Transfer-Encoding in HTTP/1.0 is honoured). A
// front proxy reading such a head differently from us would see the bytes after the body as a
// request of its client while we run them as our own: request smuggling. So each head is read here
// first, strictly, from the raw bytes: one framing or none, else 400 and the connection closes.
// Beast then parses the same bytes and must frame the body the same way (same_framing).
//
// Pure functions on bytes: the session and tests/fuzz/fuzz_http_request.cpp call the same ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.hpp"

namespace pylon::rest {

// Why a head is refused (Error::kind_of<HeadErrc>()).
enum class HeadErrc : std::uint8_t {
  kTooLarge,   // no end of the head within the header limit (431)
  kMalformed,  // not an HTTP/1.0 or 1.1 request head in plain CRLF lines, or its Host missing
               // (HTTP/1.1) or repeated (400)
  kFraming,    // the length of the body is ambiguous (400; the connection closes)
};

enum class BodyFraming : std::uint8_t {
  kNone,     // no Content-Length, no Transfer-Encoding: no body
  kLength,   // exactly one Content-Length of decimal digits
  kChunked,  // exactly one Transfer-Encoding, `chunked`, in HTTP/1.1, without Content-Length
};

struct RequestHead {
  std::size_t size = 0;   // bytes of the head, its final CRLF CRLF included
  unsigned version = 11;  // 10 or 11
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t length = 0;  // the Content-Length with kLength
};

// Reads the head at the start of `buffered` (the bytes received so far for this request).
// nullopt: the head is not complete yet but may still be (read more bytes). `searched` (may be 0)
// is how far an earlier call on a prefix of the same bytes got, so a head arriving in small pieces
// is not scanned again from its start each time.
Result<std::optional<RequestHead>> read_request_head(std::string_view buffered, std::size_t header_limit,
                                                     std::size_t searched = 0);

// Whether Beast's parser framed the body as `head` says: its chunked(), and its content_length()
// (has_length: whether it holds one).
bool same_framing(const RequestHead& head, bool chunked, bool has_length, std::uint64_t length);

}  // namespace pylon::rest

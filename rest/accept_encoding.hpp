// Content negotiation of a response's coding (RFC 9110 §12.5.3): which of the forms a body was
// kept in (identity, gzip, zstd) a request's Accept-Encoding asks for. Pure functions of the
// header's text, safe from any thread; the header is the client's, so every byte is untrusted
// (tests/fuzz/fuzz_accept_encoding.cpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace pylon::rest {

// The codings Pylon sends. identity: the body as rendered.
enum class Coding : std::uint8_t { identity, gzip, zstd };

// The token of a coding as Content-Encoding names it ("" for identity, which is never sent).
std::string_view coding_token(Coding c);

// What one Accept-Encoding asked for: each weight in thousandths (q=0.5 is 500, 0 refuses), or
// kUnlisted when the header does not name the coding. `x-gzip` counts as gzip (§8.4.1.3); a coding
// named twice keeps its lowest weight, so a refusal anywhere in the header holds.
struct AcceptEncoding {
  static constexpr int kUnlisted = -1;
  int gzip = kUnlisted;
  int zstd = kUnlisted;
  int identity = kUnlisted;
  int any = kUnlisted;  // "*"
};

// Parses the header's value (several header lines joined with ','). Absent, empty or malformed
// (a token with characters no token has, a parameter other than q, a q outside 0..1 or with more
// than three decimals, stray text): the default AcceptEncoding, which asks for identity only. A
// bad header is never an error: the client gets the body as it is.
AcceptEncoding parse_accept_encoding(std::string_view header);

// The coding to send, from those the body is kept in: the acceptable one (weight above 0) with the
// highest weight, zstd before gzip on a tie (fewer bytes, faster to decode). Identity competes on
// its weight only when the header names it (or "*"); a compressed coding wins a tie with it. Not
// named, identity is the fallback, so "gzip;q=0.5" alone still gets gzip. When nothing acceptable
// is kept (even identity refused by "identity;q=0" or "*;q=0"), identity: §12.5.3 lets a server
// send the body uncoded rather than 406, and a client that refused it still gets an answer.
Coding choose_coding(const AcceptEncoding& accept, bool has_gzip, bool has_zstd);

}  // namespace pylon::rest

// Fuzzes the Accept-Encoding parser (rest/accept_encoding.hpp) on the header's raw value: nothing
// may crash, every weight stays within 0..1000 or unlisted, and the chosen coding is one the body
// is kept in and the header did not refuse (identity being the answer of last resort).
#include <cstdlib>
#include <string_view>

#include "rest/accept_encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::rest;
  const AcceptEncoding a = parse_accept_encoding(std::string_view(reinterpret_cast<const char*>(data), size));
  for (int q : {a.gzip, a.zstd, a.identity, a.any})
    if (q != AcceptEncoding::kUnlisted && (q < 0 || q > 1000)) std::abort();
  for (int kept = 0; kept < 4; ++kept) {
    const bool gzip = kept & 1, zstd = kept & 2;
    const Coding c = choose_coding(a, gzip, zstd);
    const int named = c == Coding::gzip ? a.gzip : c == Coding::zstd ? a.zstd : 1;
    const int weight = named != AcceptEncoding::kUnlisted ? named : a.any;
    if ((c == Coding::gzip && !gzip) || (c == Coding::zstd && !zstd) || weight == 0) std::abort();
  }
  return 0;
}

// The compressed forms of a body that is rendered once and served many times (the per-snapshot
// bodies of rest/render.hpp, the OpenAPI document). Compressing is done where the body is made,
// never on the request path: a request only picks the form its Accept-Encoding asks for
// (rest/accept_encoding.hpp). Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace pylon::rest {

// Levels chosen on the recorded 1024-neuron finney metagraph (457,175 B of JSON; bench/README.md,
// "Compressed bodies"): gzip 6 gives 67.6 KB (14.8%) where 9 saves 1.7% more for ~1.7x the time;
// zstd 9 gives 59.7 KB (13.1%) where 3 gives 62.9 KB in a sixth of the time and 15..19 save
// under 2% more for 3..40x the time. Once per snapshot (12 s on finney) either is cheap.
inline constexpr int kGzipLevel = 6;
inline constexpr int kZstdLevel = 9;
// Bodies below this stay identity only: a TCP segment or two either way, and the codings' headers
// and trailers eat most of the gain.
inline constexpr std::size_t kMinCompressedSize = 1400;

enum class CompressErrc : std::uint8_t {
  kFailed,  // the library refused (out of memory, a level it does not take)
};

// RFC 1952 gzip (one member, deflate with a 32 KiB window): what `Content-Encoding: gzip` means.
Result<std::string> gzip_compress(std::string_view bytes, int level = kGzipLevel);
// RFC 8878 zstd frame with its content size and checksum, a window within the 8 MiB that
// `Content-Encoding: zstd` decoders must accept.
Result<std::string> zstd_compress(std::string_view bytes, int level = kZstdLevel);

// Both forms of one body; an empty string: that form is not kept (the body is small, the coding
// did not make it smaller, or the library failed: then it is logged and identity is served).
struct CompressedBody {
  std::string gzip;
  std::string zstd;
};
// Null when the body is below kMinCompressedSize or neither coding made it smaller.
std::shared_ptr<const CompressedBody> compress_body(std::string_view bytes);

}  // namespace pylon::rest

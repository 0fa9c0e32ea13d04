#include "rest/compress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <limits>

#include "common/log.hpp"

namespace pylon::rest {

Result<std::string> gzip_compress(std::string_view bytes, int level) {
  if (bytes.size() > std::numeric_limits<uInt>::max())
    return make_error(CompressErrc::kFailed, "body too large for one deflate call");
  z_stream z{};
  // windowBits 15 + 16: the gzip wrapper (header and CRC-32 trailer) rather than zlib's.
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return make_error(CompressErrc::kFailed, "deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));  // zlib does not write it
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);  // the bound guarantees one call finishes
  const std::size_t made = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return make_error(CompressErrc::kFailed, "deflate did not finish");
  out.resize(made);
  return out;
}

Result<std::string> zstd_compress(std::string_view bytes, int level) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!cctx) return make_error(CompressErrc::kFailed, "ZSTD_createCCtx failed");
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  std::size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  // RFC 8878 §3.1.1.1.2: HTTP decoders need accept no window over 8 MiB; level 9 on these bodies
  // stays far below, but the cap holds whatever the level.
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 23);
  if (!ZSTD_isError(rc)) rc = ZSTD_compress2(cctx, out.data(), out.size(), bytes.data(), bytes.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(rc)) return make_error(CompressErrc::kFailed, ZSTD_getErrorName(rc));
  out.resize(rc);
  return out;
}

std::shared_ptr<const CompressedBody> compress_body(std::string_view bytes) {
  if (bytes.size() < kMinCompressedSize) return nullptr;
  auto body = std::make_shared<CompressedBody>();
  auto keep = [&](std::string& slot, Result<std::string> made, std::string_view coding) {
    if (!made.ok()) {
      log::warn("rest", "a body could not be compressed; it is served uncompressed",
                {{"coding", std::string(coding)}, {"error", made.error().message}});
      return;
    }
    if (made->size() < bytes.size()) slot = std::move(made).value();
  };
  keep(body->gzip, gzip_compress(bytes), "gzip");
  keep(body->zstd, zstd_compress(bytes), "zstd");
  if (body->gzip.empty() && body->zstd.empty()) return nullptr;
  return body;
}

}  // namespace pylon::rest

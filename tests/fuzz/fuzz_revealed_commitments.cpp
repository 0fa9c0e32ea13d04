// Commitments.RevealedCommitments entries as a node answers them (rest/v1/revealed.hpp), decoded
// with finney's real metadata (spec 343): byte 0 is how many bytes of the rest form the storage
// key, the rest of it the value. Any answer decodes to entries (whose text the JSON writer takes)
// or to an error of kind RevealedErrc, never a crash or a read past the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_metadata.hpp"
#include "rest/v1/revealed.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  static const auto decoder = [] {
    auto d =
        rest::v1::RevealedDecoder::resolve(fuzz::required_metadata("chain/finney-metadata-v15.option.hex"));
    if (!d.ok() || !d->has_value()) std::abort();
    return **d;
  }();
  static const Bytes prefix = *decoder.subnet_prefix(1);
  if (size < 1) return 0;
  const std::size_t key_len = std::min<std::size_t>(data[0], size - 1);
  Bytes key = prefix;  // the subnet's prefix, then the fuzzed hasher bytes and hotkey
  key.insert(key.end(), data + 1, data + 1 + key_len);
  const ByteSpan value(data + 1 + key_len, size - 1 - key_len);
  auto e = decoder.decode_entry(key, prefix, value);
  if (!e.ok()) {
    if (!e.error().is(rest::v1::RevealedErrc::kBadState)) std::abort();
    return 0;
  }
  auto r = rest::v1::make_block_revealed(1, chain::BlockRef{}, {{e->first, e->second}});
  if (!r->map_body || r->map_body->empty()) std::abort();
  return 0;
}

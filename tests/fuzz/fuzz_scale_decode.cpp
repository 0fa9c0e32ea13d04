// The dynamic decoder on arbitrary bytes with finney's real types (from $PYLON_SHARED_DIR; without
// it the target does nothing): the first two bytes pick the type, the rest is decoded exactly and
// rendered. What decodes must encode back (encode_value) to bytes that decode to the same JSON; the
// rendered JSON goes through encode_json too (it may refuse the few ambiguous shapes, never crash).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/decoder.hpp"
#include "codec/encoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"
#include "fuzz_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon::codec;
  static const auto md = pylon::fuzz::shared_metadata("chain/finney-metadata-v15.option.hex");
  if (!md || size < 2 || md->types.types.empty()) return 0;
  const TypeId type = static_cast<TypeId>((data[0] | data[1] << 8) % md->types.types.size());
  auto v = decode_exact(md->types, type, pylon::ByteSpan(data + 2, size - 2));
  if (!v.ok()) return 0;
  const std::string json = render_json(*v);
  auto bytes = encode_value(md->types, type, *v);
  if (!bytes.ok()) std::abort();  // a decoded value the encoder refuses
  auto again = decode_exact(md->types, type, *bytes);
  if (!again.ok() || render_json(*again) != json) std::abort();  // the encoder changed the value
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) == simdjson::SUCCESS) (void)encode_json(md->types, type, doc);
  return 0;
}

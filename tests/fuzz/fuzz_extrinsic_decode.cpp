// A block body's extrinsic decoded with finney's real metadata (from $PYLON_SHARED_DIR or the configured
// shared folder; without it the target does nothing): arbitrary bytes give a decoded extrinsic or an error
// with a DecodeErrc kind, never a crash; what decodes renders to JSON and its length is the prefix's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/json_render.hpp"
#include "extrinsic/decode.hpp"
#include "fuzz_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  static const auto md = fuzz::shared_metadata("chain/finney-metadata-v15.option.hex");
  if (!md) return 0;
  auto x = extrinsic::decode_extrinsic(*md, ByteSpan(data, size));
  if (!x.ok()) {
    if (!x.error().kind_of<extrinsic::DecodeErrc>()) std::abort();  // every error has its kind
    return 0;
  }
  if (x->length >= size) std::abort();  // the prefix is never counted in the length
  for (const auto& a : x->args) (void)codec::render_json(a.value);
  if (x->address) (void)extrinsic::address_ss58(*x->address);
  return 0;
}

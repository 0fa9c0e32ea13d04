// GET /api/v1/block/{block}/extrinsic/{index} (pylon-v1.md §2-4): one extrinsic of a block's
// body, decoded with that block's metadata (extrinsic/decode.hpp), in the 2.x service's Extrinsic
// model. The chain read is Api::get_v1_extrinsic (rest/v1/extrinsic.cpp), on a worker.
#pragma once

#include <cstdint>
#include <string>

#include "extrinsic/decode.hpp"

namespace pylon::rest::v1 {

// {"block_number", "extrinsic_index", "extrinsic_hash": "0x…", "extrinsic_length", "address":
// SS58 or null, "call": {"call_module", "call_function", "call_args": [{"name", "type",
// "value"}]}}. `extrinsic_length` is the byte length after the compact length prefix and the hash
// covers the prefix too (py-scale-codec's, which the 2.x service decodes with). Values are in
// decode-api's JSON shapes (codec/json_render.hpp: SS58 accounts, integers above 2^52 as strings).
// An address without a 32-byte account (never on subtensor) is its value's JSON. Pure.
std::string render_extrinsic(std::uint64_t block, std::uint64_t index, const extrinsic::DecodedExtrinsic& x);

}  // namespace pylon::rest::v1

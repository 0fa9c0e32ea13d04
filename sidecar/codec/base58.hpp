// Base58 with the Bitcoin alphabet (what SS58 addresses are written in).
#pragma once

#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::codec {

std::string base58_encode(ByteSpan data);
// Rejects characters outside the alphabet (naming the offending position) and over-long input.
Result<Bytes> base58_decode(std::string_view text);

}  // namespace pylon::codec

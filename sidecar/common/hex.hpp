// Hex text <-> bytes, the way the chain's JSON-RPC writes them ("0x" prefix optional on input).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pylon {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// "0x"-prefixed lowercase hex.
std::string to_hex(ByteSpan bytes);
// Appends "0x…" to out (no allocation beyond out's growth).
void append_hex(std::string& out, ByteSpan bytes);
// Accepts an optional "0x"/"0X" prefix; rejects odd length and non-hex characters.
Result<Bytes> from_hex(std::string_view text);

}  // namespace pylon

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
// A JSON-RPC quantity ("0x1f", as block numbers are written in headers): "0x" and 1 to 16 hex
// digits, any case; anything else (no prefix, empty, longer, other characters) is an error.
Result<std::uint64_t> parse_hex_u64(std::string_view text);

}  // namespace pylon

// Decimal text of little-endian integers wider than 64 bits (u128, u256, i128, i256).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/hex.hpp"

namespace pylon::codec {

std::string le_to_decimal(ByteSpan le, bool is_signed);
// Decimal text (optionally with '-') -> little-endian two's complement of `width` bytes;
// nullopt when the text is not a number or does not fit.
std::optional<Bytes> decimal_to_le(std::string_view text, std::size_t width, bool is_signed);

}  // namespace pylon::codec

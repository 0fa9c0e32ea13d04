#include "codec/bigint.hpp"

#include <algorithm>

namespace pylon::codec {
namespace {

// Magnitude as little-endian bytes -> decimal, by repeated division by 10 (values are <= 32 bytes).
std::string magnitude_to_decimal(Bytes mag) {
  std::string digits;
  auto nonzero = [&] { return std::any_of(mag.begin(), mag.end(), [](std::uint8_t b) { return b != 0; }); };
  if (!nonzero()) return "0";
  while (nonzero()) {
    unsigned rem = 0;
    for (std::size_t i = mag.size(); i-- > 0;) {
      const unsigned cur = rem << 8 | mag[i];
      mag[i] = static_cast<std::uint8_t>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rem));
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

void negate(Bytes& le) {  // two's complement in place
  unsigned carry = 1;
  for (auto& b : le) {
    const unsigned v = static_cast<std::uint8_t>(~b) + carry;
    b = static_cast<std::uint8_t>(v);
    carry = v >> 8;
  }
}

}  // namespace

std::string le_to_decimal(ByteSpan le, bool is_signed) {
  Bytes mag(le.begin(), le.end());
  const bool negative = is_signed && !mag.empty() && (mag.back() & 0x80);
  if (negative) negate(mag);
  std::string s = magnitude_to_decimal(std::move(mag));
  return negative ? "-" + s : s;
}

std::optional<Bytes> decimal_to_le(std::string_view text, std::size_t width, bool is_signed) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    if (!is_signed) return std::nullopt;
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 80) return std::nullopt;
  Bytes out(width + 1, 0);  // one spare byte detects overflow
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    unsigned carry = static_cast<unsigned>(c - '0');
    for (auto& b : out) {
      const unsigned v = b * 10u + carry;
      b = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
    if (carry || out[width]) return std::nullopt;
  }
  out.pop_back();
  if (is_signed) {
    // Range check: positive < 2^(8w-1), negative <= 2^(8w-1).
    const bool top = out.back() & 0x80;
    if (top) {
      const bool exactly_min = negative && out.back() == 0x80 &&
                               std::all_of(out.begin(), out.end() - 1, [](std::uint8_t b) { return b == 0; });
      if (!exactly_min) return std::nullopt;
    }
    if (negative) negate(out);
  }
  return out;
}

}  // namespace pylon::codec

#include "common/hex.hpp"

#include <array>

namespace pylon {
namespace {
constexpr char kDigits[] = "0123456789abcdef";

// Every node answer (neurons, subnet states, storage values) arrives as hex text, hundreds of KB a
// block per subnet, so decoding is table-driven and branch-free per byte: one lookup per digit,
// kBad (bit 7) marks a non-digit, and the first bad digit is looked for only once the loop has
// seen one. The error behaviour (messages and positions) is the same as a digit-by-digit check.
constexpr std::uint8_t kBad = 0x80;
constexpr std::array<std::uint8_t, 256> kNibble = [] {
  std::array<std::uint8_t, 256> t{};
  for (auto& x : t) x = kBad;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'A' + 10);
  return t;
}();

std::uint8_t nibble(char c) {
  return kNibble[static_cast<unsigned char>(c)];
}

Error bad_digit(std::string_view digits) {
  std::size_t i = 0;
  while (nibble(digits[i]) != kBad) ++i;
  return make_error("invalid hex character at position " + std::to_string(i));
}
}  // namespace

void append_hex(std::string& out, ByteSpan bytes) {
  const std::size_t start = out.size();
  out.resize(start + 2 + bytes.size() * 2);
  char* p = out.data() + start;
  *p++ = '0';
  *p++ = 'x';
  for (std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 15];
  }
}

std::string to_hex(ByteSpan bytes) {
  std::string out;
  append_hex(out, bytes);
  return out;
}

Result<Bytes> from_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() % 2 != 0)
    return make_error("hex text has an odd number of digits (" + std::to_string(text.size()) + ")");
  Bytes out(text.size() / 2);
  const char* in = text.data();
  std::uint8_t* p = out.data();
  std::uint8_t bad = 0;
  for (std::size_t i = 0, n = out.size(); i < n; ++i) {
    const std::uint8_t hi = nibble(in[2 * i]);
    const std::uint8_t lo = nibble(in[2 * i + 1]);
    bad |= hi | lo;
    p[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  if (bad & kBad) return bad_digit(text);
  return out;
}

Result<std::uint64_t> parse_hex_u64(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return make_error("a hex number must be \"0x\" and at least one digit");
  text.remove_prefix(2);
  if (text.size() > 16) return make_error("a hex number of more than 64 bits");
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::uint8_t d = nibble(text[i]);
    if (d == kBad) return make_error("invalid hex character at position " + std::to_string(i + 2));
    v = v << 4 | d;
  }
  return v;
}

}  // namespace pylon

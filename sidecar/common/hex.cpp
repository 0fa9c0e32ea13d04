#include "common/hex.hpp"

namespace pylon {
namespace {
constexpr char kDigits[] = "0123456789abcdef";

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return make_error("invalid hex character at position " + std::to_string(2 * i + (hi < 0 ? 0 : 1)));
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

Result<std::uint64_t> parse_hex_u64(std::string_view text) {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return make_error("a hex number must be \"0x\" and at least one digit");
  text.remove_prefix(2);
  if (text.size() > 16) return make_error("a hex number of more than 64 bits");
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int d = nibble(text[i]);
    if (d < 0) return make_error("invalid hex character at position " + std::to_string(i + 2));
    v = v << 4 | static_cast<std::uint64_t>(d);
  }
  return v;
}

}  // namespace pylon

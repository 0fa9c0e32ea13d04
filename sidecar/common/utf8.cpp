#include "common/utf8.hpp"

#include <cstdint>

namespace pylon::utf8 {

std::size_t char_length(std::string_view s, std::size_t* invalid_prefix) noexcept {
  auto fail = [&](std::size_t n) -> std::size_t {
    if (invalid_prefix) *invalid_prefix = n == 0 ? 1 : n;
    return 0;
  };
  if (s.empty()) return fail(0);
  const auto b0 = static_cast<std::uint8_t>(s[0]);
  if (b0 < 0x80) return 1;
  // The length and the allowed range of the second byte by the lead byte (Table 3-7).
  std::size_t len = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 == 0xE0) {
    len = 3, lo = 0xA0;
  } else if (b0 == 0xED) {
    len = 3, hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xE1 && b0 <= 0xEF) {
    len = 3;
  } else if (b0 == 0xF0) {
    len = 4, lo = 0x90;
  } else if (b0 == 0xF4) {
    len = 4, hi = 0x8F;  // nothing above U+10FFFF
  } else if (b0 >= 0xF1 && b0 <= 0xF3) {
    len = 4;
  } else {
    return fail(1);  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  for (std::size_t i = 1; i < len; ++i) {
    if (i >= s.size()) return fail(i);
    const auto b = static_cast<std::uint8_t>(s[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return fail(i);
  }
  return len;
}

bool valid(std::string_view s) noexcept {
  while (!s.empty()) {
    const std::size_t n = char_length(s);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

std::string_view prefix(std::string_view s, std::size_t max_bytes) noexcept {
  std::size_t end = 0;
  while (end < s.size()) {
    std::size_t bad = 0;
    const std::size_t n = char_length(s.substr(end), &bad);
    const std::size_t step = n ? n : bad;  // an ill-formed subpart is cut as one unit too
    if (end + step > max_bytes) break;
    end += step;
  }
  return s.substr(0, end);
}

std::string repaired(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    std::size_t bad = 0;
    const std::size_t n = char_length(s, &bad);
    if (n) {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    } else {
      out.append(kReplacement);
      s.remove_prefix(bad);
    }
  }
  return out;
}

}  // namespace pylon::utf8

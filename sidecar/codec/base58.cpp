#include "codec/base58.hpp"

#include <array>
#include <cstring>
#include <vector>

namespace pylon::codec {

namespace {
constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Reverse lookup, -1 for characters outside the alphabet.
constexpr std::array<signed char, 256> make_reverse() {
  std::array<signed char, 256> r{};
  for (auto& v : r) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    r[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
  return r;
}
constexpr auto kReverse = make_reverse();

// SS58 payloads are at most a few dozen bytes; bound the quadratic conversion anyway.
constexpr std::size_t kMaxText = 256;
}  // namespace

// Base-256 -> base-58 five digits at a time: the number is held in 32-bit limbs (most
// significant first) and divided by 58^5 per pass, so a 35-byte SS58 payload takes ~10 passes of
// 9 limbs instead of one pass per byte over every digit (SS58 rendering is the metagraph's hot
// path: thousands of accounts per snapshot).
std::string base58_encode(ByteSpan data) {
  constexpr std::uint32_t kChunk = 58u * 58u * 58u * 58u * 58u;  // 656,356,768 < 2^32
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  const std::size_t n = data.size() - zeros;
  const std::size_t nlimbs = (n + 3) / 4;
  std::uint32_t stack_limbs[16];
  std::vector<std::uint32_t> heap_limbs;
  std::uint32_t* limbs = stack_limbs;
  if (nlimbs > 16) {
    heap_limbs.resize(nlimbs);
    limbs = heap_limbs.data();
  }
  // Big-endian limbs; the first limb takes the leftover high bytes.
  std::size_t pos = zeros;
  const std::size_t head = n % 4 == 0 ? 4 : n % 4;
  for (std::size_t l = 0; l < nlimbs; ++l) {
    const std::size_t take = l == 0 ? head : 4;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < take; ++k) v = v << 8 | data[pos++];
    limbs[l] = v;
  }
  char digits[512];
  std::vector<char> heap_digits;
  char* dig = digits;
  const std::size_t max_digits = n * 138 / 100 + 6;
  if (max_digits > sizeof digits) {
    heap_digits.resize(max_digits);
    dig = heap_digits.data();
  }
  std::size_t nd = 0;     // least significant first
  std::size_t first = 0;  // first non-zero limb
  while (first < nlimbs) {
    std::uint64_t rem = 0;
    for (std::size_t l = first; l < nlimbs; ++l) {
      const std::uint64_t cur = rem << 32 | limbs[l];
      limbs[l] = static_cast<std::uint32_t>(cur / kChunk);
      rem = cur % kChunk;
    }
    while (first < nlimbs && limbs[first] == 0) ++first;
    std::uint32_t r = static_cast<std::uint32_t>(rem);
    for (int k = 0; k < 5; ++k) {
      dig[nd++] = static_cast<char>(r % 58);
      r /= 58;
    }
  }
  while (nd > 0 && dig[nd - 1] == 0) --nd;  // the last chunk's leading zero digits
  std::string out(zeros + nd, '1');
  for (std::size_t i = 0; i < nd; ++i) out[zeros + i] = kAlphabet[static_cast<std::size_t>(dig[nd - 1 - i])];
  return out;
}

Result<Bytes> base58_decode(std::string_view text) {
  if (text.size() > kMaxText)
    return Error{"base58: input longer than " + std::to_string(kMaxText) + " characters"};
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<std::uint8_t> bytes;  // little-endian while building
  bytes.reserve(text.size());
  for (std::size_t i = ones; i < text.size(); ++i) {
    const int v = kReverse[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return Error{"base58: invalid character at position " + std::to_string(i) +
                   " (allowed: digits 1-9 and letters except 0, O, I, l)"};
    }
    unsigned carry = static_cast<unsigned>(v);
    for (auto& b : bytes) {
      carry += static_cast<unsigned>(b) * 58;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry) {
      bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  Bytes out(ones, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace pylon::codec

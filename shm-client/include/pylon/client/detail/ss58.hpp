// SS58 text of 32-byte account ids (the chain's prefix 42, two checksum bytes), for
// pylon::Client's hotkey(uid) / uid_of(ss58) and the REST answers' keys. Dependency-free: the
// checksum is BLAKE2b-512 (RFC 7693) of "SS58PRE" + prefix + account, first two bytes.
// Decoding is strict: base58 digits only, exactly 35 bytes, prefix 42, valid checksum and the
// canonical spelling (no leading '1's), as the Python package's _ss58.decode.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace pylon::client_detail {

inline constexpr std::uint8_t kSs58Prefix = 42;
using AccountId = std::array<std::uint8_t, 32>;

// BLAKE2b with a 64-byte digest and no key, over one buffer (RFC 7693, section 3).
inline void blake2b_512(const std::uint8_t* in, std::size_t len, std::uint8_t out[64]) noexcept {
  static constexpr std::uint64_t kIv[8] = {
      0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
      0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
  static constexpr std::uint8_t kSigma[12][16] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                                  {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
                                                  {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
                                                  {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
                                                  {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
                                                  {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
                                                  {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
                                                  {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
                                                  {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
                                                  {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
                                                  {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                                                  {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};
  auto rotr = [](std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); };
  std::uint64_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = kIv[i];
  h[0] ^= 0x01010000ULL ^ 64;  // digest length 64, no key, fanout 1, depth 1
  std::uint64_t counter = 0;
  auto compress = [&](const std::uint8_t block[128], bool last) {
    std::uint64_t m[16];
    for (int i = 0; i < 16; ++i) {
      m[i] = 0;
      for (int b = 7; b >= 0; --b) m[i] = (m[i] << 8) | block[i * 8 + b];
    }
    std::uint64_t v[16];
    for (int i = 0; i < 8; ++i) v[i] = h[i], v[i + 8] = kIv[i];
    v[12] ^= counter;
    if (last) v[14] = ~v[14];
    auto g = [&](int a, int b, int c, int d, std::uint64_t x, std::uint64_t y) {
      v[a] = v[a] + v[b] + x, v[d] = rotr(v[d] ^ v[a], 32);
      v[c] = v[c] + v[d], v[b] = rotr(v[b] ^ v[c], 24);
      v[a] = v[a] + v[b] + y, v[d] = rotr(v[d] ^ v[a], 16);
      v[c] = v[c] + v[d], v[b] = rotr(v[b] ^ v[c], 63);
    };
    for (const auto& s : kSigma) {
      g(0, 4, 8, 12, m[s[0]], m[s[1]]), g(1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(2, 6, 10, 14, m[s[4]], m[s[5]]), g(3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(0, 5, 10, 15, m[s[8]], m[s[9]]), g(1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(2, 7, 8, 13, m[s[12]], m[s[13]]), g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
  };
  std::uint8_t block[128];
  while (len > 128) {
    counter += 128;
    compress(in, false);
    in += 128, len -= 128;
  }
  std::memset(block, 0, sizeof block);
  if (len) std::memcpy(block, in, len);
  counter += len;
  compress(block, true);
  for (int i = 0; i < 64; ++i) out[i] = static_cast<std::uint8_t>(h[i / 8] >> (8 * (i % 8)));
}

inline void ss58_checksum(const std::uint8_t payload[33], std::uint8_t out[2]) noexcept {
  std::uint8_t buf[7 + 33];
  std::memcpy(buf, "SS58PRE", 7);
  std::memcpy(buf + 7, payload, 33);
  std::uint8_t digest[64];
  blake2b_512(buf, sizeof buf, digest);
  out[0] = digest[0], out[1] = digest[1];
}

inline constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// The SS58 text (48 characters for prefix 42).
inline std::string ss58_encode(const std::uint8_t account[32]) {
  std::uint8_t raw[35];
  raw[0] = kSs58Prefix;
  std::memcpy(raw + 1, account, 32);
  ss58_checksum(raw, raw + 33);
  // Big-number base conversion, most significant digit last; prefix 42 has no leading zero byte.
  std::uint8_t digits[64] = {};
  std::size_t n = 0;
  for (std::uint8_t byte : raw) {
    unsigned carry = byte;
    for (std::size_t i = 0; i < n; ++i) {
      carry += static_cast<unsigned>(digits[i]) << 8;
      digits[i] = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry) digits[n++] = static_cast<std::uint8_t>(carry % 58), carry /= 58;
  }
  std::string out(n, '1');
  for (std::size_t i = 0; i < n; ++i) out[i] = kBase58[digits[n - 1 - i]];
  return out;
}

// The account id of `text`, or false when it is not a canonical SS58 address of prefix 42.
inline bool ss58_decode(std::string_view text, AccountId& out) noexcept {
  if (text.size() < 40 || text.size() > 60) return false;
  std::uint8_t raw[35] = {};  // big-endian, overflow beyond 35 bytes is refused
  for (char c : text) {
    const char* p = static_cast<const char*>(std::memchr(kBase58, c, 58));
    if (c == '\0' || p == nullptr) return false;
    unsigned carry = static_cast<unsigned>(p - kBase58);
    for (int i = 34; i >= 0; --i) {
      carry += raw[i] * 58u;
      raw[i] = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    if (carry) return false;
  }
  if (raw[0] != kSs58Prefix) return false;
  std::uint8_t sum[2];
  ss58_checksum(raw, sum);
  if (sum[0] != raw[33] || sum[1] != raw[34]) return false;
  std::memcpy(out.data(), raw + 1, 32);
  return ss58_encode(out.data()) == text;  // refuses leading '1's and other spellings
}

}  // namespace pylon::client_detail

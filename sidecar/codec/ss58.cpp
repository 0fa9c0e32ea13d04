#include "codec/ss58.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace pylon::codec {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::string base58_encode(ByteSpan in) {
  std::size_t zeros = 0;
  while (zeros < in.size() && in[zeros] == 0) ++zeros;
  std::vector<std::uint8_t> b58((in.size() - zeros) * 138 / 100 + 1, 0);  // log(256)/log(58)
  std::size_t len = 0;
  for (std::size_t i = zeros; i < in.size(); ++i) {
    unsigned carry = in[i];
    std::size_t j = 0;
    for (auto it = b58.rbegin(); (carry != 0 || j < len) && it != b58.rend(); ++it, ++j) {
      carry += 256u * *it;
      *it = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    len = j;
  }
  auto it = b58.begin() + static_cast<std::ptrdiff_t>(b58.size() - len);
  std::string out(zeros, '1');
  for (; it != b58.end(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

Result<Bytes> base58_decode(std::string_view s) {
  if (s.size() > 128) return make_error("SS58 address is too long");
  std::size_t zeros = 0;
  while (zeros < s.size() && s[zeros] == '1') ++zeros;
  std::vector<std::uint8_t> b256(s.size() * 733 / 1000 + 1, 0);  // log(58)/log(256)
  std::size_t len = 0;
  for (std::size_t i = zeros; i < s.size(); ++i) {
    const char* p = std::strchr(kAlphabet, s[i]);
    if (!p || s[i] == '\0') return make_error("SS58 address has a character outside base58 at position " + std::to_string(i));
    unsigned carry = static_cast<unsigned>(p - kAlphabet);
    std::size_t j = 0;
    for (auto it = b256.rbegin(); (carry != 0 || j < len) && it != b256.rend(); ++it, ++j) {
      carry += 58u * *it;
      *it = static_cast<std::uint8_t>(carry % 256);
      carry /= 256;
    }
    len = j;
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), b256.end() - static_cast<std::ptrdiff_t>(len), b256.end());
  return out;
}

void checksum(ByteSpan payload, std::uint8_t out[64]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 64);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>("SS58PRE"), 7);
  crypto_generichash_update(&st, payload.data(), payload.size());
  crypto_generichash_final(&st, out, 64);
}

}  // namespace

std::string ss58_encode(ByteSpan account, std::uint16_t prefix) {
  Bytes payload;
  if (prefix < 64) {
    payload.push_back(static_cast<std::uint8_t>(prefix));
  } else {
    // Two-byte form: 01 + the prefix's 14 bits spread as Substrate defines.
    payload.push_back(static_cast<std::uint8_t>(((prefix & 0xfc) >> 2) | 0x40));
    payload.push_back(static_cast<std::uint8_t>((prefix >> 8) | ((prefix & 0x03) << 6)));
  }
  payload.insert(payload.end(), account.begin(), account.end());
  std::uint8_t sum[64];
  checksum(payload, sum);
  payload.push_back(sum[0]);
  payload.push_back(sum[1]);
  return base58_encode(payload);
}

Result<Ss58Decoded> ss58_decode(std::string_view address) {
  PYLON_ASSIGN(Bytes raw, base58_decode(address));
  if (raw.empty()) return make_error("SS58 address is empty");
  std::size_t prefix_len = 1;
  std::uint16_t prefix = raw[0];
  if (raw[0] >= 128) return make_error("SS58 address has a reserved prefix byte");
  if (raw[0] >= 64) {
    if (raw.size() < 2) return make_error("SS58 address is truncated");
    prefix_len = 2;
    const std::uint8_t lower = static_cast<std::uint8_t>((raw[0] << 2) | (raw[1] >> 6));
    const std::uint8_t upper = raw[1] & 0x3f;
    prefix = static_cast<std::uint16_t>(lower | upper << 8);
  }
  if (raw.size() != prefix_len + 32 + 2)
    return make_error("SS58 address decodes to " + std::to_string(raw.size()) + " bytes, not a 32-byte account");
  std::uint8_t sum[64];
  checksum(ByteSpan(raw.data(), prefix_len + 32), sum);
  if (sum[0] != raw[prefix_len + 32] || sum[1] != raw[prefix_len + 33]) return make_error("SS58 address checksum mismatch");
  Ss58Decoded d;
  std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(prefix_len), 32, d.account.begin());
  d.prefix = prefix;
  return d;
}

}  // namespace pylon::codec

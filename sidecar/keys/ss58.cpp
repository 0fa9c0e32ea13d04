#include "keys/ss58.hpp"

#include <sodium.h>

#include <algorithm>

#include "keys/base58.hpp"

namespace pylon::keys {

namespace {

constexpr std::uint16_t kMaxPrefix = 16383;

// Checksum length by payload length, as in Substrate's ss58 codec; 0 means unsupported.
std::size_t checksum_len(std::size_t payload_len) {
  switch (payload_len) {
    case 1:
    case 2:
    case 4:
    case 8:
      return 1;
    case 32:
    case 33:
      return 2;
    default:
      return 0;
  }
}

std::array<std::uint8_t, 64> ss58_hash(ByteSpan body) {
  static constexpr char kPre[] = "SS58PRE";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 64);
  crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(kPre), 7);
  crypto_generichash_update(&st, body.data(), body.size());
  std::array<std::uint8_t, 64> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

}  // namespace

Result<std::string> ss58_encode(ByteSpan payload, std::uint16_t prefix) {
  if (prefix > kMaxPrefix) return Error{"ss58: prefix " + std::to_string(prefix) + " is above 16383"};
  const std::size_t ck = checksum_len(payload.size());
  if (ck == 0) {
    return Error{"ss58: unsupported payload length " + std::to_string(payload.size()) +
                 " (use 1, 2, 4, 8, 32 or 33)"};
  }
  Bytes body;
  body.reserve(2 + payload.size() + ck);
  if (prefix < 64) {
    body.push_back(static_cast<std::uint8_t>(prefix));
  } else {
    // Two-byte form: the low 6 bits of the first byte are bits 2..7 of the prefix; the second
    // byte holds bits 8..13 and, on top, bits 0..1.
    body.push_back(static_cast<std::uint8_t>(((prefix & 0xfc) >> 2) | 0x40));
    body.push_back(static_cast<std::uint8_t>((prefix >> 8) | ((prefix & 0x03) << 6)));
  }
  body.insert(body.end(), payload.begin(), payload.end());
  const auto h = ss58_hash(body);
  body.insert(body.end(), h.begin(), h.begin() + static_cast<std::ptrdiff_t>(ck));
  return base58_encode(body);
}

Result<std::string> ss58_encode_account(const PublicKey& account, std::uint16_t prefix) {
  return ss58_encode(ByteSpan(account.data(), account.size()), prefix);
}

Result<Ss58Address> ss58_decode(std::string_view address) {
  if (address.empty()) return Error{"ss58: empty address"};
  auto decoded = base58_decode(address);
  if (!decoded.ok()) return Error{"ss58: " + decoded.error().message};
  const Bytes& data = *decoded;
  if (data.size() < 2) return Error{"ss58: address too short (" + std::to_string(data.size()) + " bytes)"};
  Ss58Address out;
  std::size_t prefix_len = 1;
  if (data[0] < 64) {
    out.prefix = data[0];
  } else if (data[0] < 128) {
    const auto lower = static_cast<std::uint8_t>((data[0] << 2) | (data[1] >> 6));
    const auto upper = static_cast<std::uint8_t>(data[1] & 0x3f);
    out.prefix = static_cast<std::uint16_t>(lower | (upper << 8));
    prefix_len = 2;
  } else {
    return Error{"ss58: invalid prefix byte 0x" + std::string(1, "0123456789abcdef"[data[0] >> 4]) +
                 std::string(1, "0123456789abcdef"[data[0] & 15]) + " (first byte must be below 128)"};
  }
  // Payload length follows from the total: try the checksum lengths that fit.
  std::size_t payload_len = 0;
  std::size_t ck = 0;
  for (std::size_t c : {std::size_t{2}, std::size_t{1}}) {
    if (data.size() < prefix_len + c) continue;
    const std::size_t p = data.size() - prefix_len - c;
    if (checksum_len(p) == c) {
      payload_len = p;
      ck = c;
      break;
    }
  }
  if (ck == 0) {
    return Error{"ss58: decoded length " + std::to_string(data.size()) +
                 " bytes does not match any address format (an AccountId32 address is 35 or 36 bytes)"};
  }
  const auto h = ss58_hash(ByteSpan(data.data(), prefix_len + payload_len));
  if (!std::equal(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(ck),
                  data.end() - static_cast<std::ptrdiff_t>(ck))) {
    return Error{"ss58: bad checksum (mistyped or corrupted address)"};
  }
  out.payload.assign(data.begin() + static_cast<std::ptrdiff_t>(prefix_len),
                     data.begin() + static_cast<std::ptrdiff_t>(prefix_len + payload_len));
  return out;
}

Result<PublicKey> ss58_decode_account(std::string_view address, int expected_prefix) {
  PYLON_ASSIGN(Ss58Address a, ss58_decode(address));
  if (a.payload.size() != 32) {
    return Error{"ss58: address holds " + std::to_string(a.payload.size()) +
                 " bytes, not a 32-byte account id"};
  }
  if (expected_prefix >= 0 && a.prefix != expected_prefix) {
    return Error{"ss58: address prefix " + std::to_string(a.prefix) + " differs from the expected " +
                 std::to_string(expected_prefix)};
  }
  PublicKey pk{};
  std::copy(a.payload.begin(), a.payload.end(), pk.begin());
  return pk;
}

}  // namespace pylon::keys

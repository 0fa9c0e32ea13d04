#include "codec/ss58.hpp"

#include <sodium.h>

#include <algorithm>

#include "codec/base58.hpp"

namespace pylon::codec {
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

void ss58_hash(ByteSpan body, std::uint8_t out[64]) {
  static constexpr char kPre[] = "SS58PRE";
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 64);
  crypto_generichash_update(&st, reinterpret_cast<const std::uint8_t*>(kPre), 7);
  crypto_generichash_update(&st, body.data(), body.size());
  crypto_generichash_final(&st, out, 64);
}

std::size_t write_prefix(std::uint16_t prefix, std::uint8_t* out) {
  if (prefix < 64) {
    out[0] = static_cast<std::uint8_t>(prefix);
    return 1;
  }
  // Two-byte form: the low 6 bits of the first byte are bits 2..7 of the prefix; the second byte
  // holds bits 8..13 and, on top, bits 0..1.
  out[0] = static_cast<std::uint8_t>(((prefix & 0xfc) >> 2) | 0x40);
  out[1] = static_cast<std::uint8_t>((prefix >> 8) | ((prefix & 0x03) << 6));
  return 2;
}

// Encodes without allocating beyond the result (payload <= 33 bytes).
std::string encode(ByteSpan payload, std::uint16_t prefix, std::size_t ck) {
  std::uint8_t body[2 + 33 + 2];
  std::size_t n = write_prefix(prefix, body);
  std::copy(payload.begin(), payload.end(), body + n);
  n += payload.size();
  std::uint8_t h[64];
  ss58_hash(ByteSpan(body, n), h);
  std::copy_n(h, ck, body + n);
  return base58_encode(ByteSpan(body, n + ck));
}

}  // namespace

std::string ss58_encode(ByteSpan account32, std::uint16_t prefix) {
  if (account32.size() != 32 || prefix > kMaxPrefix) return to_hex(account32);  // not an account: never guess
  return encode(account32, prefix, 2);
}

Result<std::string> ss58_encode_payload(ByteSpan payload, std::uint16_t prefix) {
  if (prefix > kMaxPrefix) return make_error("ss58: prefix " + std::to_string(prefix) + " is above 16383");
  const std::size_t ck = checksum_len(payload.size());
  if (ck == 0)
    return make_error("ss58: unsupported payload length " + std::to_string(payload.size()) +
                      " (use 1, 2, 4, 8, 32 or 33)");
  return encode(payload, prefix, ck);
}

Result<Ss58Payload> ss58_decode_payload(std::string_view address) {
  if (address.empty()) return make_error("ss58: empty address");
  auto decoded = base58_decode(address);
  if (!decoded.ok()) return make_error("ss58: " + decoded.error().message);
  const Bytes& data = *decoded;
  if (data.size() < 2)
    return make_error("ss58: address too short (" + std::to_string(data.size()) + " bytes)");
  Ss58Payload out;
  std::size_t prefix_len = 1;
  if (data[0] < 64) {
    out.prefix = data[0];
  } else if (data[0] < 128) {
    const auto lower = static_cast<std::uint8_t>((data[0] << 2) | (data[1] >> 6));
    const auto upper = static_cast<std::uint8_t>(data[1] & 0x3f);
    out.prefix = static_cast<std::uint16_t>(lower | (upper << 8));
    prefix_len = 2;
  } else {
    return make_error("ss58: invalid prefix byte 0x" + to_hex(ByteSpan(data.data(), 1)).substr(2) +
                      " (first byte must be below 128)");
  }
  // The payload length follows from the total: try the checksum lengths that fit.
  std::size_t payload_len = 0, ck = 0;
  for (std::size_t c : {std::size_t{2}, std::size_t{1}}) {
    if (data.size() < prefix_len + c) continue;
    const std::size_t p = data.size() - prefix_len - c;
    if (checksum_len(p) == c) {
      payload_len = p;
      ck = c;
      break;
    }
  }
  if (ck == 0)
    return make_error("ss58: decoded length " + std::to_string(data.size()) +
                      " bytes does not match any address format (an AccountId32 address is 35 or 36 bytes)");
  std::uint8_t h[64];
  ss58_hash(ByteSpan(data.data(), prefix_len + payload_len), h);
  if (!std::equal(h, h + ck, data.end() - static_cast<std::ptrdiff_t>(ck)))
    return make_error("ss58: bad checksum (mistyped or corrupted address)");
  out.payload.assign(data.begin() + static_cast<std::ptrdiff_t>(prefix_len),
                     data.begin() + static_cast<std::ptrdiff_t>(prefix_len + payload_len));
  return out;
}

Result<Ss58Decoded> ss58_decode(std::string_view address) {
  PYLON_ASSIGN(Ss58Payload p, ss58_decode_payload(address));
  if (p.payload.size() != 32)
    return make_error("ss58: address holds " + std::to_string(p.payload.size()) +
                      " bytes, not a 32-byte account id");
  Ss58Decoded d;
  std::copy(p.payload.begin(), p.payload.end(), d.account.begin());
  d.prefix = p.prefix;
  return d;
}

}  // namespace pylon::codec

#include "keys/hash.hpp"

#include <sodium.h>
#include <xxhash.h>

#include <string>

namespace pylon::keys {

Result<Bytes> blake2b(ByteSpan data, std::size_t out_bytes, ByteSpan key) {
  if (out_bytes < crypto_generichash_BYTES_MIN || out_bytes > crypto_generichash_BYTES_MAX) {
    return Error{"blake2b: output length " + std::to_string(out_bytes) + " is outside 1..64 bytes"};
  }
  if (key.size() > crypto_generichash_KEYBYTES_MAX) {
    return Error{"blake2b: key length " + std::to_string(key.size()) + " exceeds 64 bytes"};
  }
  Bytes out(out_bytes);
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), key.empty() ? nullptr : key.data(),
                     key.size());
  return out;
}

namespace {
template <std::size_t N>
std::array<std::uint8_t, N> blake2b_fixed(ByteSpan data) {
  static_assert(N >= crypto_generichash_BYTES_MIN && N <= crypto_generichash_BYTES_MAX);
  std::array<std::uint8_t, N> out{};
  crypto_generichash(out.data(), N, data.data(), data.size(), nullptr, 0);
  return out;
}

// XXH64 with seeds 0..N/8-1; each 64-bit digest is appended little-endian (Substrate's twox).
template <std::size_t N>
std::array<std::uint8_t, N> twox_fixed(ByteSpan data) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t seed = 0; seed < N / 8; ++seed) {
    const XXH64_hash_t h = XXH64(data.data(), data.size(), seed);
    for (std::size_t b = 0; b < 8; ++b) out[seed * 8 + b] = static_cast<std::uint8_t>(h >> (8 * b));
  }
  return out;
}
}  // namespace

std::array<std::uint8_t, 16> blake2b_128(ByteSpan data) {
  return blake2b_fixed<16>(data);
}
std::array<std::uint8_t, 32> blake2b_256(ByteSpan data) {
  return blake2b_fixed<32>(data);
}
std::array<std::uint8_t, 64> blake2b_512(ByteSpan data) {
  return blake2b_fixed<64>(data);
}

std::array<std::uint8_t, 8> twox64(ByteSpan data) {
  return twox_fixed<8>(data);
}
std::array<std::uint8_t, 16> twox128(ByteSpan data) {
  return twox_fixed<16>(data);
}
std::array<std::uint8_t, 32> twox256(ByteSpan data) {
  return twox_fixed<32>(data);
}

Result<Bytes> twox(ByteSpan data, unsigned bits) {
  switch (bits) {
    case 64: {
      auto h = twox64(data);
      return Bytes(h.begin(), h.end());
    }
    case 128: {
      auto h = twox128(data);
      return Bytes(h.begin(), h.end());
    }
    case 256: {
      auto h = twox256(data);
      return Bytes(h.begin(), h.end());
    }
    default:
      return Error{"twox: unsupported width " + std::to_string(bits) + " bits (use 64, 128 or 256)"};
  }
}

}  // namespace pylon::keys

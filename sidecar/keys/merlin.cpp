#include "keys/merlin.hpp"

#include <sodium.h>

#include <array>

#include "keys/sodium_init.hpp"

namespace pylon::keys {

namespace {
std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::array<std::uint8_t, 4> u32_le(std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}
}  // namespace

Transcript::Transcript(std::string_view label) : strobe_(bytes_of("Merlin v1.0")) {
  append_message("dom-sep", label);
}

void Transcript::append_message(std::string_view label, std::span<const std::uint8_t> message) {
  const auto len = u32_le(message.size());
  strobe_.meta_ad(bytes_of(label), false);
  strobe_.meta_ad(len, true);
  strobe_.ad(message, false);
}

void Transcript::append_message(std::string_view label, std::string_view message) {
  append_message(label, bytes_of(message));
}

void Transcript::append_u64(std::string_view label, std::uint64_t value) {
  std::array<std::uint8_t, 8> le{};
  for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(value >> (8 * i));
  append_message(label, le);
}

void Transcript::challenge_bytes(std::string_view label, std::span<std::uint8_t> out) {
  const auto len = u32_le(out.size());
  strobe_.meta_ad(bytes_of(label), false);
  strobe_.meta_ad(len, true);
  strobe_.prf(out, false);
}

TranscriptRng Transcript::build_rng_with(std::string_view label,
                                         std::span<const std::span<const std::uint8_t>> witnesses,
                                         std::span<const std::uint8_t, 32> randomness) const {
  Strobe128 s = strobe_;
  for (auto w : witnesses) {
    const auto len = u32_le(w.size());
    s.meta_ad(bytes_of(label), false);
    s.meta_ad(len, true);
    s.key(w, false);
  }
  s.meta_ad(bytes_of("rng"), false);
  s.key(randomness, false);
  return TranscriptRng(s);
}

TranscriptRng Transcript::build_rng(std::string_view label,
                                    std::span<const std::span<const std::uint8_t>> witnesses) const {
  ensure_sodium();
  std::array<std::uint8_t, 32> fresh{};
  randombytes_buf(fresh.data(), fresh.size());
  TranscriptRng rng = build_rng_with(label, witnesses, fresh);
  sodium_memzero(fresh.data(), fresh.size());
  return rng;
}

void TranscriptRng::fill_bytes(std::span<std::uint8_t> out) {
  const auto len = u32_le(out.size());
  strobe_.meta_ad(len, false);
  strobe_.prf(out, false);
}

}  // namespace pylon::keys

// Merlin transcripts (merlin.cool) over STROBE-128: the Fiat-Shamir transcript schnorrkel
// (sr25519) signs and derives keys with.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "keys/strobe.hpp"

namespace pylon::keys {

class TranscriptRng;

class Transcript {
 public:
  explicit Transcript(std::string_view label);

  void append_message(std::string_view label, std::span<const std::uint8_t> message);
  void append_message(std::string_view label, std::string_view message);
  void append_u64(std::string_view label, std::uint64_t value);
  void challenge_bytes(std::string_view label, std::span<std::uint8_t> out);

  // Starts a witness rng from a copy of this transcript: rekeyed with each witness (secret
  // nonce seed) and then with 32 bytes of fresh randomness (libsodium randombytes).
  TranscriptRng build_rng(std::string_view label,
                          std::span<const std::span<const std::uint8_t>> witnesses) const;
  // Same, with caller-chosen "fresh" bytes instead of randombytes (deterministic; tests only).
  TranscriptRng build_rng_with(std::string_view label,
                               std::span<const std::span<const std::uint8_t>> witnesses,
                               std::span<const std::uint8_t, 32> randomness) const;

 private:
  Strobe128 strobe_;
};

class TranscriptRng {
 public:
  void fill_bytes(std::span<std::uint8_t> out);

 private:
  friend class Transcript;
  // Strobe128 is copy-only (its destructor wipes the state): copied, and the argument wiped.
  explicit TranscriptRng(const Strobe128& strobe) : strobe_(strobe) {}
  Strobe128 strobe_;
};

}  // namespace pylon::keys

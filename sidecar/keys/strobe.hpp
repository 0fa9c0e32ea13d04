// STROBE-128 (strobe.sourceforge.io, v1.0.2) over Keccak-f[1600], restricted to the operations
// merlin needs: meta-AD, AD, PRF and KEY, with the "more" continuation flag.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace pylon::keys {

class Strobe128 {
 public:
  // Initialises the duplex state for 128-bit security and absorbs the protocol label as meta-AD.
  explicit Strobe128(std::span<const std::uint8_t> protocol_label);
  ~Strobe128();
  Strobe128(const Strobe128&) = default;
  Strobe128& operator=(const Strobe128&) = default;

  void meta_ad(std::span<const std::uint8_t> data, bool more);
  void ad(std::span<const std::uint8_t> data, bool more);
  void prf(std::span<std::uint8_t> out, bool more);
  void key(std::span<const std::uint8_t> data, bool more);

 private:
  // Rate in bytes: 200 - 2 * (128 / 8) - 2 (the last two bytes carry padding and framing).
  static constexpr int kRate = 166;
  enum Flag : std::uint8_t { I = 1, A = 2, C = 4, T = 8, M = 16, K = 32 };

  void run_f();
  void absorb(std::span<const std::uint8_t> data);
  void overwrite(std::span<const std::uint8_t> data);
  void squeeze(std::span<std::uint8_t> out);
  void begin_op(std::uint8_t flags, bool more);

  std::array<std::uint8_t, 200> state_{};
  std::uint8_t pos_ = 0;
  std::uint8_t pos_begin_ = 0;
  std::uint8_t cur_flags_ = 0;
};

}  // namespace pylon::keys

#include "extrinsic/era.hpp"

#include <algorithm>
#include <bit>

namespace pylon::extrinsic {

Era Era::mortal_at(std::uint64_t period, std::uint64_t checkpoint_block) {
  std::uint64_t p = std::bit_ceil(std::max<std::uint64_t>(period, 1));
  p = std::clamp<std::uint64_t>(p, 4, 1u << 16);
  const std::uint64_t quantize = std::max<std::uint64_t>(p >> 12, 1);
  Era e;
  e.mortal = true;
  e.period = p;
  e.phase = checkpoint_block % p / quantize * quantize;
  return e;
}

Bytes Era::encode() const {
  if (!mortal) return Bytes{0};
  const std::uint64_t quantize = std::max<std::uint64_t>(period >> 12, 1);
  const unsigned tz = static_cast<unsigned>(std::countr_zero(period));
  const std::uint16_t low = static_cast<std::uint16_t>(std::clamp<unsigned>(tz - 1, 1, 15));
  const std::uint16_t v = static_cast<std::uint16_t>(low | (phase / quantize) << 4);
  return Bytes{static_cast<std::uint8_t>(v & 0xff), static_cast<std::uint8_t>(v >> 8)};
}

std::uint64_t Era::birth(std::uint64_t current) const {
  if (!mortal) return 0;
  return (std::max(current, phase) - phase) / period * period + phase;
}

}  // namespace pylon::extrinsic

#include "codec/scale_writer.hpp"

namespace pylon::codec {

void ScaleWriter::compact(u128 v) {
  if (v < (1u << 6)) {
    u8(static_cast<std::uint8_t>(v << 2));
  } else if (v < (1u << 14)) {
    fixed_le<std::uint16_t>(static_cast<std::uint16_t>(v << 2 | 1));
  } else if (v < (1u << 30)) {
    fixed_le<std::uint32_t>(static_cast<std::uint32_t>(v << 2 | 2));
  } else {
    std::size_t n = 0;
    for (u128 t = v; t != 0; t >>= 8) ++n;  // bytes needed, at least 4 here
    u8(static_cast<std::uint8_t>((n - 4) << 2 | 3));
    for (std::size_t i = 0; i < n; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i)));
  }
}

}  // namespace pylon::codec

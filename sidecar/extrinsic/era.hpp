// Transaction eras (sp_runtime::generic::Era): immortal, or mortal for `period` blocks from a
// checkpoint block. Encoded as the runtime does: one byte 0x00, or two bytes packing
// log2(period)-1 and the quantized phase.
#pragma once

#include <cstdint>

#include "common/hex.hpp"

namespace pylon::extrinsic {

struct Era {
  bool mortal = false;
  std::uint64_t period = 0;  // power of two in [4, 65536]
  std::uint64_t phase = 0;   // checkpoint block number mod period (quantized)

  static Era immortal() { return {}; }
  // The period is rounded up to a power of two and clamped to [4, 65536], as Substrate does.
  static Era mortal_at(std::uint64_t period, std::uint64_t checkpoint_block);

  Bytes encode() const;
  // The first block the transaction is valid in, for a mortal era seen at `current` block.
  std::uint64_t birth(std::uint64_t current) const;
};

}  // namespace pylon::extrinsic

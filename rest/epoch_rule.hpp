// Subtensor's blocks_until_next_epoch formula, the fallback when no epoch function is injected
// (runtimes with stateful epochs need committer::epoch_at, which reads the chain).
#pragma once

#include <cstdint>

#include "rest/server.hpp"

namespace pylon::rest {

// next = block + tempo - (block + netuid + 1) % (tempo + 1); where next == block an epoch starts
// at block. The epoch holding `block` is [start, end) with end the next epoch's first block.
// tempo must be > 0.
inline EpochAnswer epoch_by_formula(std::uint16_t netuid, std::uint16_t tempo, std::uint64_t block) {
  const std::uint64_t interval = std::uint64_t{tempo} + 1;
  const std::uint64_t next = block + tempo - (block + netuid + 1) % interval;
  if (next == block) return {block, block + interval};
  return {next >= interval ? next - interval : 0, next};
}

}  // namespace pylon::rest

// Epoch boundaries as the runtime of a block computes them. Runtimes without epoch storage (the
// local spec 293) use subtensor's blocks_until_next_epoch formula; runtimes whose metadata has the
// stateful items (LastEpochBlock, PendingEpochAt, ... in SubtensorModule) follow those, read at
// that block. Which rule applies is decided from the metadata, never from a spec number.
#pragma once

#include <cstdint>

#include "chain/chain_client.hpp"

namespace pylon::committer {

struct EpochSpan {
  std::uint64_t start = 0;  // first block of the epoch (the epoch's id in the store)
  std::uint64_t end = 0;    // first block of the next epoch, as far as it can be known at `block`
  std::uint64_t tempo = 0;
  enum class Rule { formula, stateful } rule = Rule::formula;
};

// The formula rule: next = block + tempo - (block + netuid + 1) % (tempo + 1); where that equals
// `block`, an epoch starts there. Pure; tempo 0 is an error.
Result<EpochSpan> epoch_by_formula(std::uint16_t netuid, std::uint16_t tempo, std::uint64_t block);

// The epoch holding `at`, by the rule that block's runtime uses (reads Tempo and, where the
// metadata has them, the epoch storage items at that block).
Result<EpochSpan> epoch_at(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at);

}  // namespace pylon::committer

// What a timelocked weight commit (commit-reveal v4) needs from the chain at the block it is built
// on: whether that block's runtime has the call at all, the drand round to seal the weights to
// (reveal_round.hpp, from the subnet's epoch state, RevealPeriodEpochs, the runtime's slot
// duration and Drand.LastStoredRound) and the commit_reveal_version the runtime checks
// (CommitRevealWeightsVersion). Each is read through the metadata of that block.
#pragma once

#include "chain/chain_client.hpp"
#include "committer/reveal_round.hpp"

namespace pylon::committer {

// The runtime has SubtensorModule.commit_timelocked_weights: with commit-reveal on, the committer
// commits timelocked there (the chain reveals) and by hash elsewhere (the local spec 293).
bool has_timelocked_commits(const codec::Metadata& md);

struct TimelockedTarget {
  RevealRound reveal;
  std::uint16_t commit_reveal_version = 0;
  std::uint64_t last_stored_round = 0;
};

// The target of a commit sent on top of `at`, with `now_unix_ms` the time at that head.
Result<TimelockedTarget> timelocked_target(chain::ChainClient& chain, std::uint16_t netuid,
                                           const chain::BlockRef& at, std::uint64_t now_unix_ms);

}  // namespace pylon::committer

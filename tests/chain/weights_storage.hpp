// SubtensorModule.Weights and .WeightCommits read straight from chain storage and decoded here, by
// hand, not by Pylon's committer: the tests that check weights landed on chain check the chain
// and not Pylon's word.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "chain/chain_client.hpp"
#include "codec/ss58.hpp"

namespace pylon::net::testing {

using WeightsRow = std::vector<std::pair<std::uint16_t, std::uint16_t>>;  // (uid, weight)

// Weights(netuid, uid) at `at`; empty when absent or undecodable.
WeightsRow chain_weights(chain::ChainClient& c, std::uint16_t netuid, std::uint16_t uid,
                         const chain::BlockRef& at);

// How many hash commits WeightCommits(netuid, hotkey) holds at `at`; 0 when absent or undecodable.
std::size_t chain_commit_count(chain::ChainClient& c, std::uint16_t netuid, const AccountId& hotkey,
                               const chain::BlockRef& at);

}  // namespace pylon::net::testing

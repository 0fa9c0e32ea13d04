// The one read of a subnet's mechanisms (sub-subnets) from a node: how many it has and, where it
// has more than one, how its emission is split. The follower keeps the answer in every snapshot
// (Snapshot::mechanisms), the committer and the weights drain ask it of the block they work at;
// all go through this, so the storage items, the order of reads and the errors are one thing.
#pragma once

#include <cstdint>

#include "chain/chain_client.hpp"
#include "codec/views/mechanisms.hpp"

namespace pylon::chain {

// SubtensorModule.MechanismCountCurrent(netuid) at `at` and, when the count is above 1,
// MechanismEmissionSplit(netuid), decoded with `md` (the metadata of that block). A runtime
// without MechanismCountCurrent reads nothing: one mechanism. A split is read only where it can
// matter, so a subnet of one mechanism costs one storage read. Errors: a read the node fails keeps
// its kind (net::RpcErrc, ChainErrc::kBadAnswer, ...) and names the item and block; values the
// metadata's types cannot account for (a count of 0, bytes that do not decode) are
// ChainErrc::kBadState.
Result<codec::views::Mechanisms> read_mechanisms(ChainClient& chain, const codec::Metadata& md,
                                                 std::uint16_t netuid, const BlockRef& at);

}  // namespace pylon::chain

// The notifications of chain_subscribeFinalizedHeads: a block header as the node's untrusted JSON,
// of which the follower needs the block number only (fuzzed by tests/fuzz/fuzz_chain_notification.cpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace pylon::follower {

// The header's "number" ("0x…" hex, as Substrate writes it). An error of kind
// chain::ChainErrc::kBadAnswer when the notification is not JSON, not an object, or has no such
// number.
Result<std::uint64_t> parse_head_number(std::string_view json);

}  // namespace pylon::follower

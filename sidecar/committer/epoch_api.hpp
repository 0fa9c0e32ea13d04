// The runtime's own view of the next epoch, SubnetInfoRuntimeApi_get_next_epoch_start_block
// (subtensor bcfe01269, 2026-05; runtimes with the stateful epoch storage), used to cross-check
// the storage rule of epoch.hpp. Its argument and answer types come from the block's metadata.
//
// Where both are available they are compared and the storage rule is kept: the runtime API is
// LastEpochBlock + period, or PendingEpochAt when earlier, and by its own doc comment leaves out
// the BlocksSinceLastStep safety net, which the storage rule (read from the same block's state)
// includes; so a disagreement is either that net or a runtime whose scheduling changed, and the
// warning plus pylon_epoch_rule_disagreements_total is what tells an operator to look.
#pragma once

#include <optional>

#include "chain/chain_client.hpp"
#include "committer/epoch.hpp"

namespace pylon::committer {

inline constexpr const char* kNextEpochStartMethod = "SubnetInfoRuntimeApi_get_next_epoch_start_block";

enum class EpochApiErrc : std::uint8_t {
  kShape,      // the metadata's argument or answer type is not an integer netuid / Option<integer>
  kMalformed,  // the answer's bytes do not decode as that type
};

// The SCALE argument (netuid) as the method's input type in `md` declares it.
Result<Bytes> next_epoch_start_args(const codec::Metadata& md, std::uint16_t netuid);
// The answer decoded with the method's output type in `md`: nullopt for None (tempo 0). All bytes
// must be consumed.
Result<std::optional<std::uint64_t>> decode_next_epoch_start(const codec::Metadata& md, ByteSpan answer);

// Compares the storage rule's span at `block` with the runtime API's answer: true when they
// agree. A disagreement is logged as a warning naming both values and counted; the span is not
// changed (see the header comment for why the storage rule wins).
bool cross_check_next_epoch(const EpochSpan& span, std::optional<std::uint64_t> api_next,
                            std::uint16_t netuid, std::uint64_t block);

// Disagreements seen by cross_check_next_epoch since the process started (for /metrics).
// Thread contract: any thread; the count is one relaxed atomic.
std::uint64_t epoch_rule_disagreements();

// Where the runtime at `at` offers the method: calls it and cross-checks `span`. Nothing to do
// (Ok) where the metadata lacks it. Node and decoding errors are returned.
Status cross_check_with_runtime(chain::ChainClient& chain, const codec::Metadata& md, std::uint16_t netuid,
                                const chain::BlockRef& at, const EpochSpan& span);

}  // namespace pylon::committer

// Reading SubtensorModule storage items the committer needs, by name through the metadata of the
// block at hand: scalar items keyed by netuid (with the runtime's default when the key holds
// nothing), and the hash commits of one hotkey (WeightCommits).
#pragma once

#include <optional>
#include <vector>

#include "chain/chain_client.hpp"
#include "chain/mechanisms.hpp"
#include "codec/storage_value.hpp"
#include "codec/views/mechanisms.hpp"

namespace pylon::committer {

// SCALE u16 netuid as a storage map key.
Bytes netuid_key(std::uint16_t netuid);

// The generic storage decoding lives in codec (storage_value.hpp), the subnet's mechanisms in
// codec/views/mechanisms.hpp, where the follower reads them too; their names stay usable here.
using codec::as_u64;
using codec::decode_storage_value;
using codec::has_storage_item;
using codec::views::decode_mechanisms;
using codec::views::has_mechanisms;
using codec::views::Mechanisms;

// A decoded SubtensorModule.Weights row as (uid, value) pairs, and one uid's entry of a decoded
// SubtensorModule.LastUpdate (0 when it holds none): the shapes read_weights_row and
// read_last_update read, for callers holding the raw answers.
Result<std::vector<std::pair<std::uint16_t, std::uint16_t>>> weights_row_from(
    const std::optional<codec::Value>& v);
Result<std::uint64_t> last_update_from(const std::optional<codec::Value>& v, std::uint16_t uid);

// `SubtensorModule.<item>(netuid)` as an unsigned integer; the entry's default when absent.
Result<std::uint64_t> read_netuid_u64(chain::ChainClient& chain, const codec::Metadata& md,
                                      std::string_view item, std::uint16_t netuid, const chain::BlockRef& at);

// One hash commit (spec 293 layout: (H256 hash, u64 commit_block, u64 first_reveal_block,
// u64 last_reveal_block)). The meaning of the three numbers is subtensor's do_commit_weights:
// the reveal is accepted in blocks first_reveal_block..=last_reveal_block.
struct WeightCommit {
  std::array<std::uint8_t, 32> hash{};
  std::uint64_t commit_block = 0;
  std::uint64_t first_reveal_block = 0;
  std::uint64_t last_reveal_block = 0;
};

// A plain (unkeyed) `<pallet>.<item>` as an unsigned integer; the entry's default when absent.
Result<std::uint64_t> read_plain_u64(chain::ChainClient& chain, const codec::Metadata& md,
                                     std::string_view pallet, std::string_view item,
                                     const chain::BlockRef& at);

// The key a mechanism's per-mechanism storage (Weights, LastUpdate, WeightCommits,
// TimelockedWeightCommits) is under on this runtime: extrinsic::mechanism_storage_index where the
// metadata has mechanisms, the netuid itself otherwise. A mechanism above 0 on a runtime without
// mechanisms is an error MechanismErrc::kNoSuchMechanism (weights_call.hpp): it cannot have
// weights there.
Result<std::uint16_t> mechanism_index(const codec::Metadata& md, std::uint16_t netuid,
                                      std::uint8_t mechanism);

// The subnet's mechanisms at `at`: the one read in chain/mechanisms.hpp, which the follower's
// snapshots carry too (reads nothing on a runtime without them).
using chain::read_mechanisms;

// The hotkey's unrevealed commits on the subnet, oldest first; empty when none. An entry shape
// other than the 4-tuple above is an error naming the shape (a runtime Pylon does not know).
Result<std::vector<WeightCommit>> read_weight_commits(chain::ChainClient& chain, std::uint16_t netuid,
                                                      const AccountId& hotkey, const chain::BlockRef& at);

// The hotkey uid's row of SubtensorModule.Weights: (uid, value) pairs; empty when none.
Result<std::vector<std::pair<std::uint16_t, std::uint16_t>>> read_weights_row(chain::ChainClient& chain,
                                                                              std::uint16_t netuid,
                                                                              std::uint16_t uid,
                                                                              const chain::BlockRef& at);

// The block `uid` last set (or committed) weights in on the netuid storage index `index` (the
// netuid for mechanism 0, extrinsic::mechanism_storage_index for a mechanism): its entry of
// SubtensorModule.LastUpdate, the Vec<u64> subtensor's check_rate_limit reads; 0 when the vector
// holds no entry for the uid (never set, as subtensor reads it).
Result<std::uint64_t> read_last_update(chain::ChainClient& chain, std::uint16_t index, std::uint16_t uid,
                                       const chain::BlockRef& at);

}  // namespace pylon::committer

// An epoch's stored weights (hotkey -> float) turned into what set_weights / commit_weights take,
// checked against the subnet's rules at the snapshot's block the way subtensor checks them:
// hotkeys -> uids (unknown hotkeys reported by SS58, never silently dropped), zero weights
// dropped, max-normalised to u16 (the largest becomes 65535), max_weights_limit (the largest
// share of the sum) and min_allowed_weights respected or refused with the reason, and the
// version_key from the subnet's weights_version.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "follower/snapshot.hpp"

namespace pylon::committer {

struct WeightsCall {
  std::vector<std::uint16_t> uids;    // ascending
  std::vector<std::uint16_t> values;  // max-normalised: the largest is 65535
  std::uint64_t version_key = 0;
  std::vector<std::string> unknown_hotkeys;  // SS58 of stored hotkeys not registered at that block
  bool capped = false;                       // shares were capped to max_weights_limit

  // {"uids":[…],"values":[…],"version_key":N,"unknown_hotkeys":[…]} for the attempt record.
  std::string json() const;
  // The call's arguments for extrinsic::encode_call_json.
  std::string set_weights_args(std::uint16_t netuid) const;
  // The encrypted commit of commit_timelocked_weights: the SCALE WeightsTlockPayload of these
  // uids, values and version_key for `hotkey` (the signer), timelock-encrypted to drand quicknet
  // `round`. Errors: timelock::TimelockErrc.
  Result<Bytes> seal(const AccountId& hotkey, std::uint64_t round) const;
};

// The arguments of commit_timelocked_weights (netuid, commit, reveal_round,
// commit_reveal_version), or of commit_timelocked_mechanism_weights when `mecid` is given, for
// extrinsic::encode_call_json.
std::string timelocked_commit_args(std::uint16_t netuid, std::optional<std::uint8_t> mecid, ByteSpan commit,
                                   std::uint64_t reveal_round, std::uint16_t commit_reveal_version);

Result<WeightsCall> build_weights_call(const follower::Snapshot& snapshot,
                                       const std::map<AccountId, double>& weights);

// The share cap subtensor applies (check_vec_max_limited): no value may exceed `limit`/65535 of
// the sum. Redistributes the excess over the uncapped weights, as the bittensor SDK's
// normalize_max_weight does; error when `count * limit < 65535` (no assignment can satisfy it).
Result<std::vector<double>> cap_shares(std::vector<double> weights, std::uint16_t limit);

}  // namespace pylon::committer

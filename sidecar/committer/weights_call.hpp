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

#include "committer/chain_storage.hpp"
#include "follower/snapshot.hpp"
#include "weights/attempt_state.hpp"

namespace pylon::committer {

struct WeightsCall {
  std::vector<std::uint16_t> uids;    // ascending
  std::vector<std::uint16_t> values;  // max-normalised: the largest is 65535
  std::uint64_t version_key = 0;
  std::vector<std::string> unknown_hotkeys;  // SS58 of stored hotkeys not registered at that block
  bool capped = false;                       // shares were capped to max_weights_limit

  // {"uids":[…],"values":[…],"version_key":N,"unknown_hotkeys":[…]} for the attempt record.
  std::string json() const;
  // The call's arguments for extrinsic::encode_call_json: set_weights, or set_mechanism_weights
  // (with `mecid`) for a mechanism >= 1.
  std::string set_weights_args(std::uint16_t netuid, std::uint8_t mechanism = 0) const;
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

// The runtime call that carries `kind` for `mechanism`: mechanism 0 takes the plain calls
// (set_weights, commit_weights, reveal_weights, commit_timelocked_weights), which every runtime
// has, so a chain without mechanisms sees exactly what it saw before; a mechanism >= 1 takes
// set_mechanism_weights, commit_mechanism_weights, reveal_mechanism_weights or
// commit_timelocked_mechanism_weights, whose arguments add `mecid` after `netuid`.
std::string weights_call_name(weights::CallKind kind, std::uint8_t mechanism);

// The arguments of commit_weights / commit_mechanism_weights.
std::string commit_hash_args(std::uint16_t netuid, std::uint8_t mechanism,
                             const std::array<std::uint8_t, 32>& hash);
// The arguments of reveal_weights / reveal_mechanism_weights.
std::string reveal_weights_args(std::uint16_t netuid, std::uint8_t mechanism,
                                const std::vector<std::uint16_t>& uids,
                                const std::vector<std::uint16_t>& values,
                                const std::vector<std::uint16_t>& salt, std::uint64_t version_key);
// The hash a commit for `mechanism` carries and its reveal must match: over the mechanism's
// storage index (extrinsic::mechanism_storage_index), as subtensor computes it on reveal.
std::array<std::uint8_t, 32> mechanism_commit_hash(const AccountId& hotkey, std::uint16_t netuid,
                                                   std::uint8_t mechanism,
                                                   const std::vector<std::uint16_t>& uids,
                                                   const std::vector<std::uint16_t>& values,
                                                   const std::vector<std::uint16_t>& salt,
                                                   std::uint64_t version_key);

// What kind of failure a mechanism check is (Error::kind_of<MechanismErrc>()).
enum class MechanismErrc : std::uint8_t {
  kNoSuchMechanism,  // the subnet has fewer mechanisms than the one named
};

// Weights for `mechanism` are refused unless the subnet has it (mechanism < count): the chain
// would refuse the call (MechanismDoesNotExist) after the fee. Error MechanismErrc::kNoSuchMechanism.
Status check_mechanism(std::uint8_t mechanism, const Mechanisms& mechanisms, std::uint16_t netuid);

Result<WeightsCall> build_weights_call(const follower::Snapshot& snapshot,
                                       const std::map<AccountId, double>& weights);

// The share cap subtensor applies (check_vec_max_limited): no value may exceed `limit`/65535 of
// the sum. Redistributes the excess over the uncapped weights, as the bittensor SDK's
// normalize_max_weight does; error when `count * limit < 65535` (no assignment can satisfy it).
Result<std::vector<double>> cap_shares(std::vector<double> weights, std::uint16_t limit);

}  // namespace pylon::committer

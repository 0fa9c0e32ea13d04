// JSON bodies of the v1 reads (pylon-v1.md §3), built from one snapshot. Those served whole are
// cached per snapshot in RenderedSnapshot (rest/render.hpp) beside the legacy bodies.
#pragma once

#include <optional>
#include <string>

#include "follower/snapshot.hpp"
#include "rest/v1/options.hpp"

namespace pylon::rest::v1 {

// GET /api/v1/block/latest: {"number", "hash", "timestamp"} (Unix seconds).
std::string render_block_latest(const follower::Snapshot& s);
// {"block": Block, "commitments": {hotkey: "0x…"}}: hex-data commitments of registered hotkeys
// only (timelock-encrypted ones are left out); requires s.commitments.
std::string render_commitments(const follower::Snapshot& s);

// One hotkey's flat commitment: the body, or why there is none.
enum class CommitmentLookup : std::uint8_t { found, absent, timelocked };
struct OneCommitment {
  CommitmentLookup lookup = CommitmentLookup::absent;
  std::string body;  // {"block", "commitment_block_number", "hotkey", "commitment"} when found
};
// requires s.commitments.
OneCommitment render_commitment(const follower::Snapshot& s, const AccountId& hotkey);

// {"block": Block, "neurons": {hotkey: Neuron}} in uid order; requires s.stakes. A Neuron is the
// legacy /metagraph neuron plus "stakes": {"alpha", "tao", "total"} (rao/1e9).
std::string render_neurons(const follower::Snapshot& s);
// {"block": Block, "validators": [Neuron…]}: the validator_permit neurons by stakes.total,
// largest first, ties in uid order; requires s.stakes.
std::string render_validators(const follower::Snapshot& s);

// GET /api/v1/identities: {"identities": {name: netuid}}, never tokens.
std::string render_identities(const Options& o);

}  // namespace pylon::rest::v1

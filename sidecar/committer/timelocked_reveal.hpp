// Whether the chain has revealed one of this validator's timelocked weight commits (commit-reveal
// v4), decided from the storage of the block at hand, read through its metadata. The chain reveals
// a timelocked commit itself: once the drand pulse of its round is stored, the reveal epoch's
// reveal_crv3_commits takes it out of SubtensorModule.TimelockedWeightCommits, decrypts it and
// sets the validator's row of SubtensorModule.Weights (updating LastUpdate). So, at a block:
//   - awaiting: TimelockedWeightCommits (any epoch, under the mechanism's storage index) still
//     holds an entry of this hotkey sealed to the round, or the commit is not yet in the block;
//   - revealed: no such entry, the round's pulse is stored (Drand.LastStoredRound >= round) and
//     LastUpdate for the uid moved past the commit's block: the Weights row is what the reveal set
//     (or anything this hotkey set after it: last_update says when);
//   - dropped: no such entry, yet the weights were not updated after the commit (or the pulse was
//     never stored): the chain removed the commit without applying it (it did not decrypt or
//     decode, or its reveal epoch passed).
// The storage index is the mechanism's (mecid * 4096 + netuid) where the metadata has mechanisms,
// the netuid otherwise (chain_storage.hpp mechanism_index).
//
// Thread contract: free functions; safe from any thread (the ChainClient is thread-safe).
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "chain/chain_client.hpp"

namespace pylon::committer {

// What kind of failure a reveal read is (Error::kind_of<TimelockedRevealErrc>()); the chain
// client's and the decoder's errors keep their own kinds.
enum class TimelockedRevealErrc : std::uint8_t {
  kNotInRuntime,  // the block's runtime has no SubtensorModule.TimelockedWeightCommits
  kBadShape,      // a storage answer does not fit the metadata's type (or a queue entry is not
                  // (AccountId, u64, Bytes, u64) in this runtime)
};

enum class ChainRevealState : std::uint8_t { kAwaiting, kRevealed, kDropped };
std::string_view to_string(ChainRevealState state);  // "awaiting", "revealed", "dropped"

// The commit asked about.
struct TimelockedCommitRef {
  std::uint16_t netuid = 0;
  std::uint8_t mechanism = 0;
  AccountId hotkey{};
  std::uint16_t uid = 0;           // the hotkey's uid on the subnet at the block read
  std::uint64_t reveal_round = 0;  // the drand round it is sealed to
  std::uint64_t commit_block = 0;  // the block it was included in
};

// The raw storage answers the decision reads (nullopt: the key holds nothing).
struct TimelockedRevealStorage {
  std::uint64_t block = 0;                 // the block they were read at
  std::vector<Bytes> pending;              // every value of TimelockedWeightCommits(index, *)
  std::optional<Bytes> last_stored_round;  // Drand.LastStoredRound
  std::optional<Bytes> last_update;        // SubtensorModule.LastUpdate(index)
  std::optional<Bytes> weights_row;        // SubtensorModule.Weights(index, uid)
};

struct ChainReveal {
  ChainRevealState state = ChainRevealState::kAwaiting;
  std::uint64_t block = 0;                                       // the block it was decided at
  std::uint64_t last_stored_round = 0;                           // Drand.LastStoredRound there
  std::uint64_t last_update = 0;                                 // the uid's LastUpdate there
  std::vector<std::pair<std::uint16_t, std::uint16_t>> weights;  // revealed only: the Weights row
};

// The decision from raw answers, each decoded with the metadata's type for it; an answer that does
// not fit its type (or a runtime without TimelockedWeightCommits) is an error, never a guess.
Result<ChainReveal> decide_timelocked_reveal(const codec::Metadata& md, const TimelockedCommitRef& commit,
                                             const TimelockedRevealStorage& storage);

// Reads the answers at `at` (keys built from its metadata) and decides.
Result<ChainReveal> read_timelocked_reveal(chain::ChainClient& chain, const TimelockedCommitRef& commit,
                                           const chain::BlockRef& at);

}  // namespace pylon::committer

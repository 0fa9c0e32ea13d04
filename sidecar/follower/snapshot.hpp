// One subnet at one block: what every reader (REST, shared memory, the committer) sees. Built
// whole and published only when everything in it decoded; never changed afterwards.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "chain/chain_client.hpp"
#include "codec/views/commitment.hpp"
#include "codec/views/neuron_lite.hpp"
#include "codec/views/record.hpp"
#include "follower/stakes.hpp"

namespace pylon::follower {

struct HotkeyCommitment {
  AccountId hotkey{};
  codec::views::Commitment commitment;
};

// The epoch holding the snapshot's block, as that block's runtime computes it.
struct SnapshotEpoch {
  std::uint64_t start = 0;  // first block of the epoch (its id in the weights store)
  std::uint64_t end = 0;    // first block of the next epoch
};

struct Snapshot {
  std::uint16_t netuid = 0;
  std::uint64_t block = 0;
  BlockHash block_hash{};
  std::uint64_t timestamp_ms = 0;  // the block's Timestamp.Now (0 when not read)
  std::uint32_t spec_version = 0;
  std::vector<codec::views::NeuronLite> neurons;
  // nullopt when this source cannot give them (e.g. replayed recordings without them); the
  // reason says why.
  std::optional<codec::views::Record> hyperparams;
  std::optional<std::vector<HotkeyCommitment>> commitments;
  std::optional<SnapshotEpoch> epoch;  // nullopt when BuildOptions::epoch is not given
  // Per neuron, in the order of `neurons` (stakes[i] is neurons[i]'s), read at the same block.
  // Only the /api/v1 neurons and validators read them, so a failure to get them never fails the
  // build: nullopt, and stakes_unavailable says why (a runtime without the API, the call failed,
  // an answer that does not match the neurons).
  std::optional<std::vector<NeuronStakes>> stakes;
  std::string stakes_unavailable;
  std::string unavailable_reason;
  // When the build of this block began, i.e. when Pylon set out to read a block it knew was
  // finalized (the snapshot's age in /metrics counts from here), and when it was complete.
  std::chrono::steady_clock::time_point seen_at{};
  std::chrono::steady_clock::time_point built_at{};

  const codec::views::NeuronLite* neuron_by_hotkey(const AccountId& hotkey) const;
  const codec::views::NeuronLite* neuron_by_uid(std::uint16_t uid) const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// What to read besides the neurons. A source that cannot give a part (recorded traffic without
// it) turns it off; the snapshot then says so in unavailable_reason rather than inventing it.
struct BuildOptions {
  bool hyperparams = true;
  bool commitments = true;
  bool timestamp = true;
  bool stakes = true;  // the subnet state's per-neuron stakes (Snapshot::stakes)
  // How the epoch of a block is computed (the committer's epoch rules, injected by the app so the
  // follower does not depend on the committer). Unset: the snapshot carries no epoch.
  std::function<Result<SnapshotEpoch>(chain::ChainClient&, std::uint16_t netuid, const chain::BlockRef&)>
      epoch;
};

// Kinds of build_snapshot's errors that callers tell apart (Error::kind_of<SnapshotErrc>()):
//   kSubnetAbsent  the subnet does not exist at that block (registered later, or dissolved): a
//                  fact the chain stated, not a failure to read it
// Any other failure (reading or decoding) carries the kind of the module that failed, or none.
enum class SnapshotErrc : std::uint8_t { kSubnetAbsent };

// Reads everything for `netuid` at `at` with the metadata of that block's runtime.
Result<Snapshot> build_snapshot(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at,
                                const BuildOptions& options = {});

}  // namespace pylon::follower

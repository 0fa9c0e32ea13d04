// One subnet at one block: what every reader (REST, shared memory, the committer) sees. Built
// whole and published only when everything in it decoded; never changed afterwards.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "chain/chain_client.hpp"
#include "codec/views/commitment.hpp"
#include "codec/views/mechanisms.hpp"
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

// One mechanism's (sub-subnet's) own neuron fields, for a mechanism >= 1: what the runtime keeps
// per mechanism (get_selective_mechagraph); every other neuron field is the subnet's, as
// `neurons` carry it. Mechanism 0's are the neurons' own.
struct MechanismNeurons {
  std::uint8_t mechanism = 0;
  // Its part of the subnet's emission (of 65535) from MechanismEmissionSplit; nullopt when the
  // subnet has no split stored (or one without an entry for this mechanism).
  std::optional<std::uint16_t> emission_share;
  // Per uid, indexed by uid. A column may be shorter than the neurons: subtensor reads a missing
  // entry as 0 (e.g. a mechanism whose first epoch has not run yet).
  std::vector<std::uint16_t> incentives;
  std::vector<std::uint64_t> last_update;
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
  // The subnet's mechanisms at this block (count 1 on a runtime without them), and for each
  // mechanism >= 1 its own neuron fields, in mechanism order. nullopt / empty when they could not
  // be read (the node refused a read, or a recorded source lacks them): mechanisms_unavailable
  // says why, and mechanism 0 (the neurons) is served as ever. A runtime whose count is above 1
  // but that has no get_selective_mechagraph keeps the count with no fields, and says so there.
  // Answers that do not decode fail the build instead, as for the neurons.
  std::optional<codec::views::Mechanisms> mechanisms;
  std::vector<MechanismNeurons> mechanism_neurons;
  std::string mechanisms_unavailable;
  std::string unavailable_reason;
  // When the build of this block began, i.e. when Pylon set out to read a block it knew was
  // finalized (the snapshot's age in /metrics counts from here), and when it was complete.
  std::chrono::steady_clock::time_point seen_at{};
  std::chrono::steady_clock::time_point built_at{};

  const codec::views::NeuronLite* neuron_by_hotkey(const AccountId& hotkey) const;
  const codec::views::NeuronLite* neuron_by_uid(std::uint16_t uid) const;
  // The fields of mechanism `m` >= 1, nullptr when the snapshot has none for it.
  const MechanismNeurons* mechanism(std::uint8_t m) const;
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
  // build_snapshots: how many subnets' reads are asked at once (chain/read_ahead.hpp); 0 asks
  // each read when the build comes to it. 16 subnets of 256 neurons hold ~2 MiB of answers.
  std::size_t read_ahead_subnets = 16;
};

// Kinds of build_snapshot's errors that callers tell apart (Error::kind_of<SnapshotErrc>()):
//   kSubnetAbsent  the subnet does not exist at that block (registered later, or dissolved): a
//                  fact the chain stated, not a failure to read it
// Any other failure (reading or decoding) carries the kind of the module that failed, or none.
enum class SnapshotErrc : std::uint8_t { kSubnetAbsent };

// What every subnet's snapshot of one block shares: the block's runtime (its version and
// metadata) and, when BuildOptions::timestamp asks for it, its Timestamp.Now. Read once per block
// by read_block and handed to each subnet's build_snapshot, so following N subnets does not ask
// the node N times for the same block's facts. Immutable once read; may be shared by threads.
struct BlockReads {
  // Declared so that BlockReads is no aggregate: build_snapshot(chain, netuid, {hash, number})
  // then means the BlockRef overload, as it did before this one existed.
  BlockReads() = default;
  chain::BlockRef at;
  std::uint32_t spec_version = 0;
  std::shared_ptr<const codec::Metadata> metadata;  // never null once read
  std::uint64_t timestamp_ms = 0;                   // 0 when not read (or none stored)
};

// The block's shared facts as `options` asks for them (old blocks: from the archive).
Result<BlockReads> read_block(chain::ChainClient& chain, const chain::BlockRef& at,
                              const BuildOptions& options);

// Reads everything for `netuid` at `block.at`, with that block's metadata from `block`.
Result<Snapshot> build_snapshot(chain::ChainClient& chain, std::uint16_t netuid, const BlockReads& block,
                                const BuildOptions& options = {});
// The same for one subnet alone: read_block, then the build.
Result<Snapshot> build_snapshot(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at,
                                const BuildOptions& options = {});

// One subnet of build_snapshots, with the reads its last build made (learned anew by each build).
struct SubnetToBuild {
  std::uint16_t netuid = 0;
  chain::ReadPattern* reads = nullptr;  // null: this subnet is not read ahead
};

// build_snapshot for each subnet at one block, in order, with their reads asked ahead in groups of
// options.read_ahead_subnets; `each` gets subnet i's result as soon as it is built, on this thread.
void build_snapshots(chain::ChainClient& chain, const BlockReads& block, const BuildOptions& options,
                     std::span<const SubnetToBuild> subnets,
                     const std::function<void(std::size_t index, Result<Snapshot> snapshot)>& each);

}  // namespace pylon::follower

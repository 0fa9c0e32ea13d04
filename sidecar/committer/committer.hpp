// The commit loop: on each new snapshot, decides whether this epoch's weights are due on chain
// (every PYLON_COMMIT_EVERY_EPOCHS epochs, inside PYLON_COMMIT_WINDOW, respecting the subnet's
// weights_rate_limit against the neuron's last_update), turns them into the call the chain wants
// (hotkeys -> uids at that block, max-normalised to u16, max/min weight limits, version_key) and
// drives set_weights, or commit_weights then reveal_weights inside the reveal window when
// commit-reveal is on. Every attempt is recorded in the store before it is submitted; a restart
// finds pending attempts and reveals and finishes them. A committer works one lane
// (weights::Lane: its subnet and its submitter's hotkey): two validators' hotkeys on one subnet have
// two committers that never read or commit each other's rows.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "committer/epoch.hpp"
#include "committer/submitter.hpp"
#include "config/config.hpp"
#include "follower/snapshot_store.hpp"
#include "weights/store.hpp"

namespace pylon::committer {

struct CommitterOptions {
  std::uint16_t netuid = 0;
  std::uint32_t every_epochs = 1;
  config::CommitWindow window;
};

// What the committer is doing. Rendered as text only at the REST edge (to_string), with the
// names /health and /weights_status have always shown.
enum class Phase {
  kIdle,           // "idle": nothing due (done for the epoch, off-cadence, or no weights)
  kWaitingWindow,  // "waiting_window": due, but before the window, rate-limited or backing off
  kCommitting,     // "committing": a commit is being sent or its outcome looked for
  kRevealing,      // "revealing": a commit awaits its reveal window or is being revealed
  kBlocked,        // "blocked": cannot commit (not registered, no validator permit): see the reason
};
std::string_view to_string(Phase phase);

// What the committer is doing, for /health, /metrics and /weights_status.
//
// Thread contract (Committer): every member may be called from any thread; start() and stop() are
// not called concurrently with each other. force_commit() blocks until the loop thread answers.
struct CommitterState {
  Phase phase = Phase::kIdle;
  std::string blocked_reason;  // e.g. "hotkey 5DCS… is not registered on subnet 2", "no validator permit"
  std::uint64_t last_epoch_committed = 0;  // mechanism 0's
  std::map<weights::AttemptStatus, std::uint64_t>
      outcomes;  // attempts by how they ended (and reveals missed), every mechanism's
  // Per mechanism (sub-subnet): the last epoch committed and the outcomes, for /metrics.
  std::map<std::uint8_t, std::uint64_t> last_epoch_by_mechanism;
  std::map<std::uint8_t, std::map<weights::AttemptStatus, std::uint64_t>> outcomes_by_mechanism;
};

struct ForceResult {
  std::uint64_t block = 0;
  std::map<AccountId, double> committed_weights;  // as stored for the epoch
  ExtrinsicHash extrinsic_hash{};
  weights::CallKind call = weights::CallKind::kSetWeights;
};

class Committer {
 public:
  Committer(chain::ChainClient& chain, follower::SnapshotStore& snapshots, weights::Store& store,
            Submitter& submitter, CommitterOptions options);
  ~Committer();  // stop()

  // Starts the loop thread: first finishes what a previous run left (pending attempts, owed
  // reveals), then reacts to each new snapshot.
  Status start();
  void stop();

  // Commits the current epoch's weights now, outside the window (POST /force_commit_weights);
  // answers once the extrinsic is submitted. Error weights::StoreErrc::kNotFound when the epoch has no
  // weights.
  Result<ForceResult> force_commit();

  CommitterState state() const;

  // The block of the latest snapshot the loop has ticked on (acted on, or decided to wait), 0
  // before the first. Once it reaches a block, nothing more is decided until a newer snapshot
  // (or a force request) arrives.
  std::uint64_t last_ticked_block() const;
  // Blocks until last_ticked_block() >= block or the timeout passed; returns last_ticked_block().
  std::uint64_t wait_ticked(std::uint64_t block, std::chrono::milliseconds timeout) const;

  struct Impl;  // committer_impl.hpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pylon::committer

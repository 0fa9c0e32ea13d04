// The commit loop's private state and steps, shared by committer.cpp (the thread and the
// decisions), commit_submit.cpp (building, persisting and submitting a call), commit_reveal.cpp
// (owed reveals) and commit_resume.cpp (finding what happened to attempts whose outcome is unknown).
#pragma once

#include <atomic>
#include <condition_variable>
#include <future>
#include <optional>
#include <thread>

#include "committer/committer.hpp"
#include "committer/policy.hpp"
#include "committer/weights_call.hpp"
#include "common/sync.hpp"

namespace pylon::committer {

std::int64_t now_ms();

struct Committer::Impl {
  Impl(chain::ChainClient& c, follower::SnapshotStore& s, weights::Store& w, Submitter& sub,
       CommitterOptions o)
      : chain(c), snapshots(s), store(w), submitter(sub), options(o) {}

  chain::ChainClient& chain;
  follower::SnapshotStore& snapshots;
  weights::Store& store;
  Submitter& submitter;
  CommitterOptions options;

  // The thread and its wake-ups: a published snapshot (the SnapshotStore listener sets
  // new_snapshot), a force request, or stop. No timed poll: each of these notifies cv.
  std::thread thread;
  Mutex mu;
  std::condition_variable cv;
  bool stopping PYLON_GUARDED_BY(mu) = false;
  bool running PYLON_GUARDED_BY(mu) = false;
  bool new_snapshot PYLON_GUARDED_BY(mu) = true;  // true at start: a snapshot may be there already
  std::optional<follower::SnapshotStore::ListenerId> listener;  // start()/stop() only
  // The block of the snapshot last ticked (0 before the first), for any thread to read;
  // ticked_cv (with mu) is told when it moves.
  std::atomic<std::uint64_t> last_ticked{0};
  std::condition_variable ticked_cv;
  struct ForceRequest {
    std::promise<Result<ForceResult>> promise;
    bool answered = false;
  };
  std::shared_ptr<ForceRequest> force PYLON_GUARDED_BY(mu);

  mutable Mutex state_mu;
  CommitterState state PYLON_GUARDED_BY(state_mu);

  // Loop-thread bookkeeping (only the loop thread touches these).
  bool resumed = false;
  std::uint64_t last_block = 0;
  std::map<std::uint8_t, std::uint64_t> last_committed_epoch;  // per mechanism (R12, R15)
  std::uint64_t memo_epoch = UINT64_MAX;                       // the epoch `memos` are for
  std::map<std::uint8_t, EpochMemo> memos;                     // per mechanism, the current epoch's
  std::map<std::int64_t, std::uint64_t> searched_until;        // pending attempt id -> last block searched
  // (epoch, mechanism) -> retry state of its reveal
  std::map<std::pair<std::uint64_t, std::uint8_t>, RevealMemo> reveal_memo;

  void run();
  void tick(const follower::SnapshotPtr& snap);
  void serve_force(const std::shared_ptr<ForceRequest>& req);

  // The snapshot's epoch when the follower computed it, else epoch_at at its block.
  Result<EpochSpan> epoch_of(const follower::Snapshot& snap);
  // Whether the snapshot block's runtime has commit_timelocked_weights (R9).
  Result<bool> timelocked_at(const follower::Snapshot& snap);

  // Steps.
  Status resolve_pending(const follower::Snapshot& snap);
  Status reveal_owed(const follower::Snapshot& snap);
  // Builds, persists and submits the epoch's call; the attempt's id and final status in the store.
  // `on_accepted` runs once the signed extrinsic is in the store and the node has taken it into its
  // pool (force_commit answers there, without waiting for inclusion).
  struct CommitResult {
    weights::AttemptStatus status = weights::AttemptStatus::kPending;  // after submission (pending: unknown)
    std::string error;
    weights::CallKind call = weights::CallKind::kSetWeights;
    ExtrinsicHash extrinsic_hash{};
  };
  Result<CommitResult> commit_epoch(const follower::Snapshot& snap, std::uint64_t epoch,
                                    std::uint8_t mechanism, weights::CallKind call,
                                    const std::map<AccountId, double>& weights,
                                    const std::function<void(const weights::CommitAttempt&)>& on_accepted);
  // Records the outcome of an attempt (and of the reveal it commits or reveals).
  Status finish_attempt(const weights::CommitAttempt& attempt, const chain::TxOutcome& outcome);
  Status record_missed(const follower::Snapshot& snap, std::uint64_t epoch, std::uint8_t mechanism,
                       weights::CallKind call, const std::string& reason);
  void sweep_missed(const follower::Snapshot& snap, std::uint64_t current);
  // Decides and executes one mechanism's commit of the current epoch (R15); `facts` holds the
  // facts every mechanism shares.
  void decide_mechanism(const follower::Snapshot& snap, ChainFacts facts, const Mechanisms& mechanisms,
                        std::span<const LedgerEntry> attempts);
  // The executor of one decide() answer for the current epoch and one mechanism.
  void execute(const Action& action, const follower::Snapshot& snap, std::uint64_t epoch,
               std::uint8_t mechanism, const std::map<AccountId, double>& weights);
  PolicyOptions policy_options() const { return {options.every_epochs, options.window}; }

  void set_phase(Phase phase, const std::string& reason = {});
  void count(weights::AttemptStatus status, std::uint8_t mechanism);
  // The mechanism's last committed epoch, in the loop's memory and the state.
  void committed(std::uint8_t mechanism, std::uint64_t epoch);
  chain::BlockRef ref(const follower::Snapshot& s) const { return {s.block_hash, s.block}; }
  // The committer's lane: its subnet and its submitter's hotkey. It reads and commits only that
  // lane's weights, attempts and reveals.
  weights::Lane lane() const { return {options.netuid, submitter.account()}; }
};

// Attempt status for a submission outcome: included/finalized when it succeeded, failed with
// the dispatch error or the pool's verdict, pending when nobody knows yet (timed out).
weights::AttemptStatus status_of(const chain::TxOutcome& outcome);
// The store's attempts as the policy sees them.
std::vector<LedgerEntry> ledger_of(const std::vector<weights::CommitAttempt>& attempts);

}  // namespace pylon::committer

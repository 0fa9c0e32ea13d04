// The loop: one thread ("pylon-commit") sleeps until the SnapshotStore publishes a snapshot, a
// force_commit arrives or stop() is called, and acts when the latest snapshot is of a new block.
// There is no timed poll: all the committer decides on comes with a snapshot (every retry and
// backoff is counted in blocks), and every publish notifies the loop. Per block, in order: attempts whose
// outcome is unknown are looked for on chain, owed reveals are revealed when their window is open, and the
// current epoch's weights are committed when due. The snapshot is the committer's only view of the chain
// besides the few storage reads the steps make at the snapshot's block.
//
// The decisions (cadence, window, rate limit, backoff, at most once per epoch, blocked, missed
// epochs, reveals, resuming) are policy.hpp's pure rules R1-R14; this file gathers their facts and
// executes their answers.
#include <pthread.h>

#include <set>

#include "codec/ss58.hpp"
#include "committer/committer_impl.hpp"
#include "committer/timelocked_target.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"
#include "extrinsic/weights_hash.hpp"

namespace pylon::committer {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::kIdle:
      return "idle";
    case Phase::kWaitingWindow:
      return "waiting_window";
    case Phase::kCommitting:
      return "committing";
    case Phase::kRevealing:
      return "revealing";
    case Phase::kBlocked:
      return "blocked";
  }
  return "unknown";  // not reached: every Phase is named above
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Committer::Committer(chain::ChainClient& chain, follower::SnapshotStore& snapshots, weights::Store& store,
                     Submitter& submitter, CommitterOptions options)
    : impl_(std::make_unique<Impl>(chain, snapshots, store, submitter, options)) {}

Committer::~Committer() {
  stop();
}

Status Committer::start() {
  {
    Lock lock(impl_->mu);
    if (impl_->running) return make_error("the committer is already running");
    if (impl_->options.every_epochs == 0) return make_error("commit every 0 epochs: must be at least 1");
    impl_->stopping = false;
    impl_->running = true;
    impl_->new_snapshot = true;
  }
  // Subscribed outside mu: the listener takes mu, and runs under the store's listener lock.
  Impl* impl = impl_.get();
  impl_->listener = impl_->snapshots.subscribe([impl](const follower::SnapshotPtr&) {
    {
      Lock lock(impl->mu);
      impl->new_snapshot = true;
    }
    impl->cv.notify_all();
  });
  impl_->thread = std::thread([impl] {
    pthread_setname_np(pthread_self(), "pylon-commit");
    impl->run();
  });
  return {};
}

void Committer::stop() {
  {
    Lock lock(impl_->mu);
    if (!impl_->running) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
  if (impl_->listener) impl_->snapshots.unsubscribe(*impl_->listener);
  impl_->listener.reset();
  Lock lock(impl_->mu);
  impl_->running = false;
  if (impl_->force && !impl_->force->answered) {
    impl_->force->promise.set_value(make_error("the committer stopped"));
    impl_->force.reset();
  }
}

CommitterState Committer::state() const {
  Lock lock(impl_->state_mu);
  return impl_->state;
}

std::uint64_t Committer::last_ticked_block() const {
  return impl_->last_ticked.load(std::memory_order_acquire);
}

std::uint64_t Committer::wait_ticked(std::uint64_t block, std::chrono::milliseconds timeout) const {
  Lock lock(impl_->mu);
  lock.wait_for(impl_->ticked_cv, timeout, [&] { return impl_->last_ticked.load() >= block; });
  return impl_->last_ticked.load();
}

Result<ForceResult> Committer::force_commit() {
  auto req = std::make_shared<Impl::ForceRequest>();
  auto answer = req->promise.get_future();
  {
    Lock lock(impl_->mu);
    if (!impl_->running || impl_->stopping) return make_error("the committer is not running");
    if (impl_->force) return make_error("a forced commit is already in progress");
    impl_->force = req;
  }
  impl_->cv.notify_all();
  return answer.get();  // the loop answers once the extrinsic is persisted and sent, or with the error
}

void Committer::Impl::set_phase(Phase phase, const std::string& reason) {
  Lock lock(state_mu);
  state.phase = phase;
  state.blocked_reason = reason;
}

void Committer::Impl::count(weights::AttemptStatus status, std::uint8_t mechanism) {
  Lock lock(state_mu);
  ++state.outcomes[status];
  ++state.outcomes_by_mechanism[mechanism][status];
}

void Committer::Impl::committed(std::uint8_t mechanism, std::uint64_t epoch) {
  last_committed_epoch[mechanism] = epoch;
  Lock lock(state_mu);
  if (mechanism == 0) state.last_epoch_committed = epoch;
  state.last_epoch_by_mechanism[mechanism] = epoch;
}

Result<EpochSpan> Committer::Impl::epoch_of(const follower::Snapshot& snap) {
  if (snap.epoch) {  // computed by the follower with epoch_at (the app injects it)
    EpochSpan s;
    s.start = snap.epoch->start;
    s.end = snap.epoch->end;
    return s;
  }
  return epoch_at(chain, options.netuid, ref(snap));
}

Result<bool> Committer::Impl::timelocked_at(const follower::Snapshot& snap) {
  PYLON_ASSIGN(auto md, chain.metadata(snap.block_hash));
  return has_timelocked_commits(*md);
}

void Committer::Impl::run() {
  for (;;) {
    std::shared_ptr<ForceRequest> req;
    {
      Lock lock(mu);
      lock.wait(cv, [&]() PYLON_REQUIRES(mu) { return stopping || force != nullptr || new_snapshot; });
      if (stopping) return;
      req = force;
      if (!req) new_snapshot = false;  // a force request first; the snapshot flag stays for after
    }
    if (req) {
      serve_force(req);
      Lock lock(mu);
      force.reset();
      continue;
    }
    follower::SnapshotPtr snap = snapshots.latest();
    if (!snap || snap->block == last_block) continue;
    tick(snap);
    last_block = snap->block;
    {
      Lock lock(mu);
      last_ticked.store(snap->block, std::memory_order_release);
    }
    ticked_cv.notify_all();
  }
}

std::vector<LedgerEntry> ledger_of(const std::vector<weights::CommitAttempt>& attempts) {
  std::vector<LedgerEntry> out;
  out.reserve(attempts.size());
  for (const auto& a : attempts) out.push_back({a.epoch, a.call, a.status, a.mechanism});
  return out;
}

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

// Gathers the facts the policy needs (the snapshot, the store's record, the loop's memory), asks
// decide() and executes its answer. The I/O steps of the block (pending attempts, owed reveals,
// the missed-epoch sweep) run first and ask their own rules (policy.hpp).
void Committer::Impl::tick(const follower::SnapshotPtr& snap) {
  if (!resumed) {
    // What a previous run left (R12): the epoch last committed. Pending attempts are found below.
    std::vector<LedgerEntry> record;
    for (weights::AttemptStatus st :
         {weights::AttemptStatus::kIncluded, weights::AttemptStatus::kFinalized}) {
      auto done = store.attempts_with_status(lane(), st);
      if (!done.ok()) {
        log::warn("committer", "cannot read past attempts", {{"error", done.error().message}});
        return;
      }
      const auto entries = ledger_of(*done);
      record.insert(record.end(), entries.begin(), entries.end());
    }
    std::set<std::uint8_t> mechanisms;
    for (const LedgerEntry& e : record) mechanisms.insert(e.mechanism);
    for (std::uint8_t m : mechanisms)
      if (auto last = committer::last_committed_epoch(record, m)) committed(m, *last);
    resumed = true;
  }
  if (auto s = resolve_pending(*snap); !s.ok())
    log::warn("committer", "looking for pending extrinsics failed", {{"error", s.error().message}});
  if (auto s = reveal_owed(*snap); !s.ok())
    log::warn("committer", "reveal step failed", {{"error", s.error().message}});

  auto span = epoch_of(*snap);
  if (!span.ok()) {
    log::warn("committer", "cannot tell the epoch",
              {{"block", std::to_string(snap->block)}, {"error", span.error().message}});
    return;
  }
  const std::uint64_t epoch = span->start;
  if (memo_epoch != epoch) {
    memos.clear();
    memo_epoch = epoch;
    sweep_missed(*snap, epoch);
  }

  ChainFacts facts;
  facts.block = snap->block;
  facts.epoch_start = span->start;
  facts.epoch_end = span->end;
  if (const codec::views::NeuronLite* own = snap->neuron_by_hotkey(submitter.account()))
    facts.own = ChainFacts::Neuron{own->validator_permit, own->last_update};
  if (snap->hyperparams) {
    facts.commit_reveal = snap->hyperparams->flag("commit_reveal_weights_enabled").value_or(false);
    facts.weights_rate_limit = snap->hyperparams->u64("weights_rate_limit").value_or(0);
  }
  if (facts.commit_reveal) {  // which commit (R9) follows the block's metadata
    auto timelocked = timelocked_at(*snap);
    if (!timelocked.ok()) {
      log::warn("committer", "cannot read the block's metadata", {{"error", timelocked.error().message}});
      return;
    }
    facts.timelocked = *timelocked;
  }
  auto past = store.attempts(lane(), epoch);
  if (!past.ok()) {
    log::warn("committer", "cannot read the epoch's attempts", {{"error", past.error().message}});
    return;
  }
  auto stored = store.mechanisms(lane(), epoch);
  if (!stored.ok()) {
    log::warn("committer", "cannot read the epoch's mechanisms", {{"error", stored.error().message}});
    return;
  }
  // Mechanism 0 always (its phases are what a subnet without mechanisms always showed), then
  // each other mechanism holding weights for the epoch, in order.
  std::set<std::uint8_t> decided(stored->begin(), stored->end());
  decided.insert(0);
  // R15: every subnet has mechanism 0, so the count is read (at the block, through its metadata)
  // only when another mechanism holds weights: without such weights nothing more is read from the
  // chain than before mechanisms existed.
  Mechanisms mechanisms;
  if (*decided.rbegin() != 0) {
    auto md = chain.metadata(snap->block_hash);
    if (!md.ok()) {
      log::warn("committer", "cannot read the block's metadata", {{"error", md.error().message}});
      return;
    }
    auto read = read_mechanisms(chain, **md, options.netuid, ref(*snap));
    if (!read.ok()) {
      log::warn("committer", "cannot read the subnet's mechanisms", {{"error", read.error().message}});
      return;
    }
    mechanisms = *read;
  }
  const std::vector<LedgerEntry> entries = ledger_of(*past);
  for (std::uint8_t m : decided) {
    facts.mechanism = m;
    decide_mechanism(*snap, facts, mechanisms, entries);
  }
}

void Committer::Impl::decide_mechanism(const follower::Snapshot& snap, ChainFacts facts,
                                       const Mechanisms& mechanisms, std::span<const LedgerEntry> attempts) {
  const std::uint8_t m = facts.mechanism;
  const std::uint64_t epoch = facts.epoch_start;
  EpochMemo& memo = memos[m];
  memo.epoch = epoch;
  facts.mechanism_count = mechanisms.count;
  if (!mechanism_exists(facts)) {
    if (!memo.no_such_mechanism_logged) {
      const Status refused = check_mechanism(m, mechanisms, options.netuid);
      log::warn("committer", "weights stored for a mechanism the subnet does not have are not committed",
                {{"epoch", std::to_string(epoch)},
                 {"error", refused.ok() ? std::string() : refused.error().message}});
    }
    memo.no_such_mechanism_logged = true;
    return;
  }
  auto weights = store.weights(lane(), epoch, m);
  if (!weights.ok()) {
    log::warn("committer", "cannot read the epoch's weights",
              {{"mechanism", std::to_string(m)}, {"error", weights.error().message}});
    return;
  }
  if (m != 0 && facts.own && !weights->empty()) {
    // R7 per mechanism: the snapshot's last_update is mechanism 0's; another's is LastUpdate at
    // its storage index, as subtensor's check_rate_limit reads it.
    const codec::views::NeuronLite* own = snap.neuron_by_hotkey(submitter.account());
    auto last =
        read_last_update(chain, extrinsic::mechanism_storage_index(options.netuid, m), own->uid, ref(snap));
    if (!last.ok()) {
      log::warn("committer", "cannot read the mechanism's last weights update",
                {{"mechanism", std::to_string(m)}, {"error", last.error().message}});
      return;
    }
    facts.own->last_update = *last;
  }
  Ledger ledger;
  if (auto it = last_committed_epoch.find(m); it != last_committed_epoch.end())
    ledger.last_committed_epoch = it->second;
  ledger.epoch_attempts = attempts;
  ledger.has_weights = !weights->empty();
  ledger.memo = memo;
  execute(decide(facts, ledger, policy_options()), snap, epoch, m, *weights);
}

void Committer::Impl::execute(const Action& action, const follower::Snapshot& snap, std::uint64_t epoch,
                              std::uint8_t mechanism, const std::map<AccountId, double>& weights) {
  using namespace action;
  EpochMemo& memo = memos[mechanism];
  std::visit(
      Overloaded{
          [&](const Blocked& b) {
            const std::string who = codec::ss58_encode(submitter.account());
            std::string reason;
            switch (b.why) {
              case BlockedWhy::kNotRegistered:
                reason = "hotkey " + who + " is not registered on subnet " + std::to_string(options.netuid);
                break;
              case BlockedWhy::kNoPermit: {
                const codec::views::NeuronLite* own = snap.neuron_by_hotkey(submitter.account());
                reason = "hotkey " + who + " (uid " + std::to_string(own ? own->uid : 0) +
                         ") has no validator permit on subnet " + std::to_string(options.netuid);
                break;
              }
            }
            if (!memo.blocked_logged)
              log::warn("committer", "blocked", {{"reason", reason}, {"epoch", std::to_string(epoch)}});
            memo.blocked_logged = true;
            set_phase(Phase::kBlocked, reason);
          },
          [&](const Idle& i) {
            switch (i.why) {
              case IdleWhy::kWindowClosed:
                memo.closed = true;
                break;
              case IdleWhy::kDone:
              case IdleWhy::kOffCadence:
              case IdleWhy::kNoWeights:
                break;
            }
            set_phase(Phase::kIdle);
          },
          [&](const Wait& w) {
            switch (w.why) {
              case WaitWhy::kOutcomeUnknown:
                set_phase(Phase::kCommitting, "waiting for the outcome of the epoch's extrinsic");
                break;
              case WaitWhy::kBeforeWindow:
                set_phase(Phase::kWaitingWindow);
                break;
              case WaitWhy::kRateLimit:
                set_phase(Phase::kWaitingWindow,
                          "weights_rate_limit: next possible at block " + std::to_string(w.until));
                break;
              case WaitWhy::kBackoff:
                break;  // the phase still tells the failure being backed off from
            }
          },
          [&](const RecordMissed& m) {
            const std::string reason = "the commit window (blocks " + std::to_string(m.window.start) + ".." +
                                       std::to_string(m.window.end) + ") closed" +
                                       (memo.last_error.empty() ? "" : ": " + memo.last_error);
            if (auto s = record_missed(snap, epoch, mechanism, m.call, reason); !s.ok())
              return;  // tried again next block
            memo.closed = true;
            set_phase(Phase::kIdle);
          },
          [&](const Commit& c) {
            set_phase(Phase::kCommitting);
            auto r = commit_epoch(snap, epoch, mechanism, c.call, weights, {});
            std::string error;
            if (!r.ok())
              error = r.error().message;
            else if (r->status == weights::AttemptStatus::kFailed)
              error = r->error;
            if (error.empty()) {
              if (r->status != weights::AttemptStatus::kPending) committed(mechanism, epoch);
              set_phase(r->call == weights::CallKind::kCommitWeights ? Phase::kRevealing : Phase::kIdle);
              return;
            }
            memo = after_commit_failure(std::move(memo), snap.block, error);
            log::warn("committer", "commit failed",
                      {{"epoch", std::to_string(epoch)},
                       {"mechanism", std::to_string(mechanism)},
                       {"error", error},
                       {"retry_at_block", std::to_string(memo.next_try_block)}});
            set_phase(Phase::kWaitingWindow, "epoch " + std::to_string(epoch) + ": " + error);
          },
      },
      action);
}

// Epochs before `current` whose weights never reached the chain and were never reported (R13):
// their window passed while the daemon was stopped, or before it could commit (a kill -9 between
// the acknowledgement and the commit). They cannot be committed any more; an operator asking "did
// my weights land?" must get a no with the reason, not silence. Runs once per new epoch.
void Committer::Impl::sweep_missed(const follower::Snapshot& snap, std::uint64_t current) {
  const PolicyOptions po = policy_options();
  if (!sweeps_missed(po)) return;
  auto epochs = store.epochs(lane(), 64);
  if (!epochs.ok()) {
    log::warn("committer", "cannot list stored epochs", {{"error", epochs.error().message}});
    return;
  }
  for (std::uint64_t e : *epochs) {
    if (e >= current) continue;
    auto attempts = store.attempts(lane(), e);
    if (!attempts.ok()) return;
    auto mechanisms = store.mechanisms(lane(), e);
    if (!mechanisms.ok()) return;
    const std::vector<LedgerEntry> entries = ledger_of(*attempts);
    for (std::uint8_t m : *mechanisms) {
      auto w = store.weights(lane(), e, m);
      const bool has_weights = w.ok() && !w->empty();
      if (!epoch_missed(e, current, has_weights, entries, po, m)) continue;
      const bool cr =
          snap.hyperparams && snap.hyperparams->flag("commit_reveal_weights_enabled").value_or(false);
      const auto tl = cr ? timelocked_at(snap) : Result<bool>(false);
      std::string reason =
          "the epoch ended before its weights were committed (the daemon was not running, or "
          "not following the chain, during its commit window)";
      const weights::CommitAttempt* last = nullptr;
      for (const auto& a : *attempts)
        if (a.mechanism == m) last = &a;
      if (last)
        reason += "; last attempt: " + std::string(weights::to_text(last->status)) + " " + last->error;
      (void)record_missed(snap, e, m, call_for(cr, tl.ok() && *tl), reason);
    }
  }
}

void Committer::Impl::serve_force(const std::shared_ptr<ForceRequest>& req) {
  auto answer = [&](Result<ForceResult> r) {
    if (req->answered) return;
    req->answered = true;
    req->promise.set_value(std::move(r));
  };
  follower::SnapshotPtr snap = snapshots.latest();
  if (!snap) return answer(make_error("no snapshot of the chain yet"));
  auto span = epoch_of(*snap);
  if (!span.ok()) return answer(make_error("cannot tell the epoch: " + span.error().message));
  auto weights = store.weights(lane(), span->start);
  if (!weights.ok()) return answer(weights.error());
  if (weights->empty())
    return answer(
        make_error(weights::StoreErrc::kNotFound, "no weights for epoch " + std::to_string(span->start)));
  const codec::views::NeuronLite* own = snap->neuron_by_hotkey(submitter.account());
  if (!own)
    return answer(make_error("hotkey " + codec::ss58_encode(submitter.account()) +
                             " is not registered on subnet " + std::to_string(options.netuid)));
  const bool cr =
      snap->hyperparams && snap->hyperparams->flag("commit_reveal_weights_enabled").value_or(false);
  auto tl = cr ? timelocked_at(*snap) : Result<bool>(false);
  if (!tl.ok()) return answer(tl.error());
  set_phase(Phase::kCommitting);
  ForceResult fr;
  fr.block = snap->block;
  fr.committed_weights = *weights;
  // The legacy surface: mechanism 0, the subnet's only one on runtimes without mechanisms.
  auto r =
      commit_epoch(*snap, span->start, 0, call_for(cr, *tl), *weights, [&](const weights::CommitAttempt& a) {
        fr.extrinsic_hash = a.extrinsic_hash;
        fr.call = a.call;
        answer(fr);  // persisted and in the node's pool: the REST call need not wait for inclusion
      });
  if (!r.ok()) {
    set_phase(Phase::kIdle);
    return answer(r.error());
  }
  if (weights::landed(r->status)) committed(0, span->start);
  set_phase(r->call == weights::CallKind::kCommitWeights && r->status != weights::AttemptStatus::kFailed
                ? Phase::kRevealing
                : Phase::kIdle);
  if (r->status == weights::AttemptStatus::kPending && !r->error.empty())
    // Signed, persisted and handed to the node, whose answer was lost: it may or may not be in
    // the pool. The attempt stays pending and is looked up on chain; the caller hears exactly that.
    return answer(make_error("the node's answer to extrinsic " + to_hex(r->extrinsic_hash) + " was lost (" +
                             r->error + "); it stays pending and is looked up on chain"));
  fr.extrinsic_hash = r->extrinsic_hash;
  fr.call = r->call;
  answer(fr);
}

}  // namespace pylon::committer

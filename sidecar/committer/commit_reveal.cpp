// Owed reveals (hash commit-reveal). The reveal window is the chain's own: spec 293's
// do_commit_weights stores each commit as (hash, commit_block, first_reveal_block,
// last_reveal_block), computed by get_reveal_blocks from the subnet's tempo and
// RevealPeriodEpochs (reveal epoch = commit epoch + RevealPeriodEpochs, epoch index
// (block + netuid + 1) / (tempo + 1)), and do_reveal_weights accepts the reveal only in that epoch
// (is_reveal_block_range: RevealTooEarly before it) and drops it after (is_commit_expired:
// ExpiredWeightCommit). A hash that matches no stored commit is InvalidRevealCommitHashNotMatch
// (or NoWeightsCommitFound when none is left). So the committer reads the hotkey's WeightCommits at
// the snapshot's block, finds its commit by hash and asks the policy (decide_reveal, rule R10):
// reveal when the next block falls inside [first_reveal_block, last_reveal_block]. A commit no
// longer stored was revealed (the Weights row then holds the revealed values) or expired.
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer_impl.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "extrinsic/weights_hash.hpp"

namespace pylon::committer {

namespace {

std::string reveal_args(const weights::PendingReveal& r) {
  return reveal_weights_args(r.netuid, r.mechanism, r.uids, r.values, r.salt, r.version_key);
}

// Dispatch errors after which revealing again cannot succeed: the commit is gone, never matched,
// or commit-reveal was turned off.
bool final_reveal_error(const chain::DispatchError& e) {
  for (const char* name : {"ExpiredWeightCommit", "InvalidRevealCommitHashNotMatch", "NoWeightsCommitFound",
                           "CommitRevealDisabled"})
    if (e.is("SubtensorModule", name)) return true;
  return false;
}

}  // namespace

Status Committer::Impl::reveal_owed(const follower::Snapshot& snap) {
  using weights::AttemptStatus;
  using weights::RevealStatus;
  PYLON_ASSIGN(auto owed, store.reveals_with_status(lane(), RevealStatus::kCommitted));
  if (owed.empty()) return {};
  // WeightCommits and Weights are keyed by the mechanism's storage index (the netuid for mechanism 0).
  std::map<std::uint8_t, std::vector<WeightCommit>> commits_of;
  for (weights::PendingReveal& r : owed) {
    const std::uint16_t index = extrinsic::mechanism_storage_index(options.netuid, r.mechanism);
    if (!commits_of.contains(r.mechanism)) {
      PYLON_ASSIGN(commits_of[r.mechanism],
                   read_weight_commits(chain, index, submitter.account(), ref(snap)));
    }
    const std::vector<WeightCommit>& commits = commits_of[r.mechanism];
    const std::pair<std::uint64_t, std::uint8_t> key{r.epoch, r.mechanism};
    RevealFacts facts;
    facts.block = snap.block;
    facts.commit_block = r.commit_block;
    for (const auto& x : commits)
      if (x.hash == r.commit_hash)
        facts.commit = RevealFacts::OnChain{x.first_reveal_block, x.last_reveal_block};
    PYLON_ASSIGN(auto past, store.attempts(lane(), r.epoch));
    for (const auto& a : past)
      facts.reveal_in_flight |= a.mechanism == r.mechanism && a.call == weights::CallKind::kRevealWeights &&
                                a.status == AttemptStatus::kPending;
    const auto memo_it = reveal_memo.find(key);
    facts.next_try_block = memo_it == reveal_memo.end() ? 0 : memo_it->second.next_try_block;

    switch (decide_reveal(facts)) {
      case RevealStep::kNotYet:
      case RevealStep::kBackoff:
      case RevealStep::kInFlight:  // its outcome is being looked for (commit_resume.cpp)
        continue;
      case RevealStep::kCheckGone: {
        const codec::views::NeuronLite* own = snap.neuron_by_hotkey(submitter.account());
        bool revealed = false;
        if (own) {
          PYLON_ASSIGN(auto row, read_weights_row(chain, index, own->uid, ref(snap)));
          std::vector<std::uint16_t> uids, values;
          for (auto [u, v] : row) {
            uids.push_back(u);
            values.push_back(v);
          }
          revealed = uids == r.uids && values == r.values;
        }
        r.status = revealed ? RevealStatus::kRevealed : RevealStatus::kFailed;
        r.error = revealed ? "" : "the commit is no longer on chain and was not revealed (expired)";
        PYLON_TRY(store.save_reveal(r));
        if (!revealed) count(AttemptStatus::kMissed, r.mechanism);
        log::info("committer", revealed ? "reveal found on chain" : "commit expired unrevealed",
                  {{"epoch", std::to_string(r.epoch)}});
        continue;
      }
      case RevealStep::kWaitWindow:
        set_phase(Phase::kRevealing, "epoch " + std::to_string(r.epoch) + ": reveal opens at block " +
                                         std::to_string(facts.commit->first_reveal_block));
        continue;
      case RevealStep::kWindowPassed:
        r.status = RevealStatus::kFailed;
        r.error = "the reveal window ended at block " + std::to_string(facts.commit->last_reveal_block);
        PYLON_TRY(store.save_reveal(r));
        PYLON_TRY(record_missed(snap, r.epoch, r.mechanism, weights::CallKind::kRevealWeights, r.error));
        continue;
      case RevealStep::kReveal:
        break;
    }

    set_phase(Phase::kRevealing, "epoch " + std::to_string(r.epoch));
    weights::CommitAttempt attempt;
    auto before = [&](const Prepared& p) -> Status {
      if (attempt.id != 0)
        PYLON_TRY(store.update_attempt(attempt.id, AttemptStatus::kFailed,
                                       "the node refused the nonce; signed again", std::nullopt));
      attempt = weights::CommitAttempt{};
      attempt.netuid = options.netuid;
      attempt.signer = submitter.account();
      attempt.epoch = r.epoch;
      attempt.mechanism = r.mechanism;
      attempt.block = p.block;
      attempt.call = weights::CallKind::kRevealWeights;
      attempt.extrinsic_hash = p.signed_tx.hash;
      attempt.extrinsic = p.signed_tx.bytes;
      attempt.nonce = p.nonce;
      attempt.mortal_until = p.mortal_until;
      attempt.status = AttemptStatus::kPending;
      attempt.created_ms = attempt.updated_ms = now_ms();
      PYLON_ASSIGN(attempt.id, store.record_attempt(attempt));
      return {};
    };
    auto sent = submitter.submit(weights_call_name(weights::CallKind::kRevealWeights, r.mechanism),
                                 reveal_args(r), ref(snap), before);
    std::string error;
    chain::DispatchError dispatch_error;  // what is decided on; `error` is for people
    if (!sent.ok()) {
      if (attempt.id != 0) continue;  // maybe sent: looked for on chain
      error = sent.error().message;
    } else {
      PYLON_TRY(finish_attempt(attempt, sent->outcome));
      if (status_of(sent->outcome) != AttemptStatus::kFailed) {
        reveal_memo.erase(key);
        set_phase(Phase::kIdle);
        continue;
      }
      error = sent->outcome.error;
      dispatch_error = sent->outcome.dispatch_error;
    }
    if (final_reveal_error(dispatch_error)) {
      r.status = RevealStatus::kFailed;
      r.error = error;
      PYLON_TRY(store.save_reveal(r));
      continue;
    }
    RevealMemo& m = reveal_memo[key];
    m = after_reveal_failure(m, snap.block, dispatch_error.is("SubtensorModule", "RevealTooEarly"));
    log::warn("committer", "reveal failed", {{"epoch", std::to_string(r.epoch)}, {"error", error}});
  }
  return {};
}

}  // namespace pylon::committer

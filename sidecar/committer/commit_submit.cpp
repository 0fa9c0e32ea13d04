// One epoch's call on its way to the chain: built from the stored weights at the snapshot's block,
// persisted (the attempt, and for commit-reveal the salt and everything the reveal needs) before
// a byte leaves the process, submitted, and its outcome written back.
#include <random>

#include "codec/ss58.hpp"
#include "committer/committer_impl.hpp"
#include "committer/timelocked_target.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "extrinsic/weights_hash.hpp"

namespace pylon::committer {

weights::AttemptStatus status_of(const chain::TxOutcome& o) {
  using S = chain::TxOutcome::Status;
  using A = weights::AttemptStatus;
  switch (o.status) {
    case S::Included:
      return o.success ? A::kIncluded : A::kFailed;
    case S::Finalized:
      return o.success ? A::kFinalized : A::kFailed;
    case S::Invalid:
    case S::Dropped:
    case S::Usurped:
      return A::kFailed;
    case S::TimedOut:
      return A::kPending;
  }
  return A::kPending;  // not reached: every status is named above
}

namespace {

std::vector<std::uint16_t> random_salt() {
  // The salt hides the weights until the reveal: 8 u16 from the OS's entropy source.
  std::random_device rd;
  std::vector<std::uint16_t> salt(8);
  for (auto& s : salt) s = static_cast<std::uint16_t>(rd());
  return salt;
}

}  // namespace

Status Committer::Impl::record_missed(const follower::Snapshot& snap, std::uint64_t epoch,
                                      std::uint8_t mechanism, weights::CallKind call,
                                      const std::string& reason) {
  weights::CommitAttempt a;
  a.netuid = options.netuid;
  a.signer = submitter.account();
  a.epoch = epoch;
  a.mechanism = mechanism;
  a.block = snap.block;
  a.call = call;
  a.status = weights::AttemptStatus::kMissed;
  a.error = reason;
  a.created_ms = a.updated_ms = now_ms();
  auto id = store.record_attempt(a);
  if (!id.ok()) {
    log::warn("committer", "cannot record a missed epoch", {{"error", id.error().message}});
    return id.error();
  }
  count(weights::AttemptStatus::kMissed, mechanism);
  log::warn("committer", "epoch missed",
            {{"epoch", std::to_string(epoch)}, {"mechanism", std::to_string(mechanism)}, {"reason", reason}});
  return {};
}

Status Committer::Impl::finish_attempt(const weights::CommitAttempt& a, const chain::TxOutcome& outcome) {
  using weights::AttemptStatus;
  using weights::CallKind;
  using weights::RevealStatus;
  const AttemptStatus status = status_of(outcome);
  if (status == AttemptStatus::kPending) return {};  // unknown: looked for on chain later
  std::optional<BlockHash> in;
  if (outcome.status == chain::TxOutcome::Status::Included ||
      outcome.status == chain::TxOutcome::Status::Finalized)
    in = outcome.block;
  PYLON_TRY(store.update_attempt(a.id, status, status == AttemptStatus::kFailed ? outcome.error : "", in));
  count(status, a.mechanism);
  log::info("committer", "attempt " + std::string(weights::to_text(status)),
            {{"call", std::string(weights::to_text(a.call))},
             {"epoch", std::to_string(a.epoch)},
             {"mechanism", std::to_string(a.mechanism)},
             {"extrinsic", to_hex(a.extrinsic_hash)},
             {"error", outcome.error}});
  // The reveal this attempt commits or reveals.
  switch (a.call) {
    case CallKind::kSetWeights:
    case CallKind::kCommitTimelockedWeights:  // the chain reveals it: nothing is owed
      return {};
    case CallKind::kCommitWeights:
    case CallKind::kRevealWeights:
      break;
  }
  PYLON_ASSIGN(std::optional<weights::PendingReveal> r, store.reveal(lane(), a.epoch, a.mechanism));
  if (!r) return {};
  if (a.call == CallKind::kCommitWeights) {
    if (status == AttemptStatus::kFailed) {
      r->status = RevealStatus::kFailed;
      r->error = "the commit failed: " + outcome.error;
    } else {
      PYLON_ASSIGN(chain::Header h, chain.header(outcome.block));
      r->status = RevealStatus::kCommitted;
      r->commit_block = h.number;
    }
  } else if (status != AttemptStatus::kFailed) {
    r->status = RevealStatus::kRevealed;
    r->error.clear();
  } else {
    return {};  // a failed reveal is retried while its window lasts (commit_reveal.cpp)
  }
  return store.save_reveal(*r);
}

Result<Committer::Impl::CommitResult> Committer::Impl::commit_epoch(
    const follower::Snapshot& snap, std::uint64_t epoch, std::uint8_t mechanism, weights::CallKind call,
    const std::map<AccountId, double>& weights,
    const std::function<void(const weights::CommitAttempt&)>& on_accepted) {
  PYLON_ASSIGN(WeightsCall wc, build_weights_call(snap, weights));
  if (!wc.unknown_hotkeys.empty())
    log::warn("committer", "hotkeys not registered on the subnet are left out",
              {{"epoch", std::to_string(epoch)},
               {"count", std::to_string(wc.unknown_hotkeys.size())},
               {"first", wc.unknown_hotkeys.front()}});
  const bool reveal = call == weights::CallKind::kCommitWeights;
  CommitResult result;
  result.call = call;
  std::string args;
  std::optional<std::uint64_t> reveal_round;
  if (call == weights::CallKind::kCommitTimelockedWeights) {
    PYLON_ASSIGN(TimelockedTarget t,
                 timelocked_target(chain, options.netuid, ref(snap), static_cast<std::uint64_t>(now_ms())));
    if (t.reveal.raised_to_stored)
      log::warn("committer", "the clock is behind the chain's drand pulses: sealing to the next round",
                {{"epoch", std::to_string(epoch)},
                 {"last_stored_round", std::to_string(t.last_stored_round)},
                 {"round", std::to_string(t.reveal.round)}});
    PYLON_ASSIGN(Bytes sealed, wc.seal(submitter.account(), t.reveal.round));
    const auto mecid = mechanism == 0 ? std::nullopt : std::optional<std::uint8_t>(mechanism);
    args = timelocked_commit_args(options.netuid, mecid, sealed, t.reveal.round, t.commit_reveal_version);
    reveal_round = t.reveal.round;
  } else if (reveal) {
    weights::PendingReveal r;
    r.netuid = options.netuid;
    r.signer = submitter.account();
    r.epoch = epoch;
    r.mechanism = mechanism;
    r.uids = wc.uids;
    r.values = wc.values;
    r.salt = random_salt();
    r.version_key = wc.version_key;
    // Over the mechanism's storage index (the netuid itself for mechanism 0), as subtensor checks it.
    r.commit_hash = mechanism_commit_hash(submitter.account(), options.netuid, mechanism, r.uids, r.values,
                                          r.salt, r.version_key);
    r.status = weights::RevealStatus::kPending;
    PYLON_TRY(store.save_reveal(r));  // before the commit exists anywhere else
    args = commit_hash_args(options.netuid, mechanism, r.commit_hash);
  } else {
    args = wc.set_weights_args(options.netuid, mechanism);
  }

  weights::CommitAttempt attempt;
  auto before = [&](const Prepared& p) -> Status {
    if (attempt.id != 0)  // the node refused the first signing's nonce: that one cannot land
      PYLON_TRY(store.update_attempt(attempt.id, weights::AttemptStatus::kFailed,
                                     "the node refused the nonce; signed again", std::nullopt));
    attempt = weights::CommitAttempt{};
    attempt.netuid = options.netuid;
    attempt.signer = submitter.account();
    attempt.epoch = epoch;
    attempt.mechanism = mechanism;
    attempt.block = p.block;
    attempt.call = result.call;
    attempt.extrinsic_hash = p.signed_tx.hash;
    attempt.extrinsic = p.signed_tx.bytes;
    attempt.nonce = p.nonce;
    attempt.mortal_until = p.mortal_until;
    attempt.status = weights::AttemptStatus::kPending;
    attempt.weights_json = wc.json();
    attempt.reveal_round = reveal_round;
    attempt.created_ms = attempt.updated_ms = now_ms();
    PYLON_ASSIGN(attempt.id, store.record_attempt(attempt));
    result.extrinsic_hash = attempt.extrinsic_hash;
    return {};
  };
  auto accepted = [&](const Prepared&) {
    if (on_accepted) on_accepted(attempt);
  };
  auto sent = submitter.submit(weights_call_name(result.call, mechanism), args, ref(snap), before, accepted);
  if (!sent.ok()) {
    // Sent or not, nobody knows: the attempt stays pending and is looked for on chain.
    if (attempt.id != 0) {
      result.status = weights::AttemptStatus::kPending;
      result.error = sent.error().message;
      return result;
    }
    return sent.error();
  }
  PYLON_TRY(finish_attempt(attempt, sent->outcome));
  result.status = status_of(sent->outcome);
  result.error = sent->outcome.error;
  return result;
}

}  // namespace pylon::committer

// Attempts whose outcome is unknown ("pending": persisted, maybe sent, no verdict — a crash, a
// lost connection, a watch that timed out) are looked for on chain: the extrinsic was signed at
// `block` with a mortal era, so it can only be in blocks block+1 ..= mortal_until. Each block in
// that range (up to the latest snapshot) is searched once for the exact signed bytes; found, its
// events give the verdict as if it had been watched; the era over without it, it can never land
// ("expired") and the epoch may be tried again. Searching is bounded per tick so a long outage
// does not stall the loop. The range and the expiry are policy.hpp's rule R11.
#include "committer/committer_impl.hpp"
#include "common/hex.hpp"
#include "common/log.hpp"

namespace pylon::committer {

Status Committer::Impl::resolve_pending(const follower::Snapshot& snap) {
  using weights::AttemptStatus;
  PYLON_ASSIGN(auto pending, store.attempts_with_status(lane(), AttemptStatus::kPending));
  for (const weights::CommitAttempt& a : pending) {
    if (a.extrinsic.empty()) {
      PYLON_TRY(store.update_attempt(a.id, AttemptStatus::kFailed, "nothing was signed", std::nullopt));
      continue;
    }
    std::uint64_t& searched = searched_until[a.id];
    searched = std::max(searched, a.block);
    const BlockRange range = pending_search(a.block, a.mortal_until, searched, snap.block);
    bool found = false;
    for (std::uint64_t n = range.from; n <= range.to; ++n) {
      PYLON_ASSIGN(std::optional<BlockHash> hash, chain.block_hash(n));
      if (!hash) break;
      auto out = chain.outcome_in_block(*hash, a.extrinsic);
      if (out.ok()) {
        log::info("committer", "found a pending extrinsic on chain",
                  {{"call", std::string(weights::to_text(a.call))},
                   {"epoch", std::to_string(a.epoch)},
                   {"block", std::to_string(n)}});
        PYLON_TRY(finish_attempt(a, *out));
        found = true;
        break;
      }
      if (!out.error().is(chain::ChainErrc::kNotInBlock)) return out.error();
      searched = n;
    }
    if (found) {
      searched_until.erase(a.id);
      continue;
    }
    if (pending_expired(searched, a.mortal_until, snap.block)) {
      const std::string why =
          "not included before its mortal era ended at block " + std::to_string(a.mortal_until);
      PYLON_TRY(store.update_attempt(a.id, AttemptStatus::kExpired, why, std::nullopt));
      count(AttemptStatus::kExpired, a.mechanism);
      searched_until.erase(a.id);
      log::warn("committer", "pending extrinsic expired",
                {{"call", std::string(weights::to_text(a.call))},
                 {"epoch", std::to_string(a.epoch)},
                 {"extrinsic", to_hex(a.extrinsic_hash)}});
      if (a.call == weights::CallKind::kCommitWeights) {
        PYLON_ASSIGN(std::optional<weights::PendingReveal> r, store.reveal(lane(), a.epoch, a.mechanism));
        if (r && r->status == weights::RevealStatus::kPending) {
          r->status = weights::RevealStatus::kFailed;
          r->error = "the commit expired: " + why;
          PYLON_TRY(store.save_reveal(*r));
        }
      }
    }
  }
  return {};
}

}  // namespace pylon::committer

// GET /weights_status?epoch=N&mechanism=M: for the epoch holding block N (default: the current
// one), what the store holds, every attempt to put it on chain and how it went, the owed reveals,
// what the committer is doing, and what the chain holds for this validator at the latest block.
// Every attempt and reveal names its mechanism (sub-subnet); ?mechanism=M keeps only that one's
// (the weights endpoints' parameter and 400 rules). Without it, the legacy members ("weights",
// "reveal", "chain") stay mechanism 0's, as before mechanisms existed, and every mechanism's
// attempts and reveals are listed.
#include <set>

#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer.hpp"
#include "committer/submitter.hpp"
#include "committer/timelocked_reveal.hpp"
#include "common/json_writer.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"
#include "rest/committer_json.hpp"
#include "rest/render.hpp"
#include "weights/store.hpp"

namespace pylon::rest {
namespace {

void append_pairs(std::string& out, const std::vector<std::pair<std::uint16_t, std::uint16_t>>& row) {
  out += '[';
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i) out += ',';
    out += '[' + std::to_string(row[i].first) + ',' + std::to_string(row[i].second) + ']';
  }
  out += ']';
}

// `revealed`: the "revealed" member's JSON for a landed timelocked commit, empty for none.
void append_attempt(std::string& out, const weights::CommitAttempt& a, const std::string& revealed) {
  out += "{\"id\":" + std::to_string(a.id);
  out += ",\"mechanism\":" + std::to_string(a.mechanism);
  out += ",\"call\":";
  append_json_string(out, weights::to_text(a.call));
  out += ",\"status\":";
  append_json_string(out, weights::to_text(a.status));
  out += ",\"error\":";
  append_json_string(out, a.error);
  out += ",\"block\":" + std::to_string(a.block);
  out += ",\"extrinsic_hash\":\"";
  append_hex(out, a.extrinsic_hash);
  out += "\",\"nonce\":" + std::to_string(a.nonce);
  out += ",\"mortal_until\":" + std::to_string(a.mortal_until);
  out += ",\"included_in\":";
  if (a.included_in) {
    out += '"';
    append_hex(out, *a.included_in);
    out += '"';
  } else {
    out += "null";
  }
  out += ",\"weights\":";
  out += a.weights_json.empty() ? std::string("null") : a.weights_json;
  if (a.reveal_round)  // a timelocked commit: the drand round the chain decrypts it with
    out += ",\"reveal_round\":" + std::to_string(*a.reveal_round);
  if (!revealed.empty()) out += ",\"revealed\":" + revealed;
  out += ",\"created_ms\":" + std::to_string(a.created_ms);
  out += ",\"updated_ms\":" + std::to_string(a.updated_ms);
  out += '}';
}

void append_u16s(std::string& out, const std::vector<std::uint16_t>& v) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(v[i]);
  }
  out += ']';
}

}  // namespace

// {"state", "block", "commit_block", "last_stored_round", "last_update", "weights"}: weights are the
// Weights row once revealed, null before.
std::string chain_reveal_json(const committer::ChainReveal& r, std::uint64_t commit_block) {
  std::string out = "{\"state\":";
  append_json_string(out, committer::to_string(r.state));
  out += ",\"block\":" + std::to_string(r.block) + ",\"commit_block\":" + std::to_string(commit_block) +
         ",\"last_stored_round\":" + std::to_string(r.last_stored_round) +
         ",\"last_update\":" + std::to_string(r.last_update) + ",\"weights\":";
  if (r.state == committer::ChainRevealState::kRevealed)
    append_pairs(out, r.weights);
  else
    out += "null";
  return out + '}';
}

namespace {

void append_reveal(std::string& out, const weights::PendingReveal& r) {
  out += "{\"mechanism\":" + std::to_string(r.mechanism) + ",\"status\":";
  append_json_string(out, weights::to_text(r.status));
  out += ",\"error\":";
  append_json_string(out, r.error);
  out += ",\"commit_hash\":\"";
  append_hex(out, r.commit_hash);
  out += "\",\"commit_block\":" + std::to_string(r.commit_block) + ",\"uids\":";
  append_u16s(out, r.uids);
  out += ",\"values\":";
  append_u16s(out, r.values);
  out += '}';
}

}  // namespace

void Api::get_weights_status(const Request& req, Reply reply) {
  if (!deps_.store) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  // Both parameters are read here: the request's text does not outlive this call. Without
  // ?mechanism= every mechanism is shown (the legacy members stay mechanism 0's); with it, that one
  // only, checked as the weights endpoints check it.
  auto epoch = epoch_query_param(req.query);
  if (!epoch.ok()) return reply(error_response(400, code::bad_request, epoch.error().message));
  const std::optional<std::uint64_t> block = *epoch;
  const bool filtered = query_param(req.query, "mechanism").has_value();
  with_mechanism_param(req, std::move(reply), [this, block, filtered](std::uint8_t m, Reply r) {
    auto answer = [this, filtered, m](EpochAnswer e, Reply rep) {
      weights_status(e, filtered, m, std::move(rep));
    };
    if (block) return with_epoch_at(*default_, *block, std::move(r), std::move(answer));
    with_current_epoch(*default_, std::move(r), std::move(answer));
  });
}

void Api::weights_status(EpochAnswer e, bool filtered, std::uint8_t mechanism, Reply reply) {
  auto snap = deps_.snapshots.latest();
  blocking(
      [this, e, filtered, mechanism, snap]() -> Response {
        const std::optional<std::uint8_t> only =
            filtered ? std::optional<std::uint8_t>(mechanism) : std::nullopt;
        // Whose weights, reveal and chain row the legacy members show.
        const std::uint8_t primary = only.value_or(0);
        auto w = deps_.store->weights(default_lane(), e.start, primary);
        if (!w.ok()) return error_response(500, code::internal, w.error().message);
        auto all_attempts = deps_.store->attempts(default_lane(), e.start);
        if (!all_attempts.ok()) return error_response(500, code::internal, all_attempts.error().message);
        std::vector<weights::CommitAttempt> attempts;
        for (auto& a : *all_attempts)
          if (!only || a.mechanism == *only) attempts.push_back(std::move(a));
        // The mechanisms this epoch concerns: those holding weights or attempts (0 always).
        std::set<std::uint8_t> mechanisms{primary};
        if (!only) {
          auto held = deps_.store->mechanisms(default_lane(), e.start);
          if (!held.ok()) return error_response(500, code::internal, held.error().message);
          mechanisms.insert(held->begin(), held->end());
          for (const auto& a : attempts) mechanisms.insert(a.mechanism);
        }
        std::vector<weights::PendingReveal> reveals;
        for (std::uint8_t m : mechanisms) {
          auto r = deps_.store->reveal(default_lane(), e.start, m);
          if (!r.ok()) return error_response(500, code::internal, r.error().message);
          if (*r) reveals.push_back(std::move(**r));
        }

        std::string out = "{\"epoch\":" + std::to_string(e.start) +
                          ",\"epoch_end\":" + std::to_string(e.end) + ",\"mechanism\":";
        out += only ? std::to_string(*only) : std::string("null");
        out += ",\"weights\":";
        append_weight_map(out, *w);
        out += ",\"mechanisms\":[";
        bool first = true;
        for (std::uint8_t m : mechanisms) {
          auto mw = m == primary ? w : deps_.store->weights(default_lane(), e.start, m);
          if (!mw.ok()) return error_response(500, code::internal, mw.error().message);
          if (!first) out += ',';
          first = false;
          out += "{\"mechanism\":" + std::to_string(m) + ",\"weights\":";
          append_weight_map(out, *mw);
          out += '}';
        }
        out += "],\"attempts\":[";
        auto chain_reveals = timelocked_reveals(attempts, snap);
        for (std::size_t i = 0; i < attempts.size(); ++i) {
          if (i) out += ',';
          append_attempt(out, attempts[i], chain_reveals[i]);
        }
        out += "],\"reveal\":";
        const weights::PendingReveal* legacy = nullptr;
        for (const auto& r : reveals)
          if (r.mechanism == primary) legacy = &r;
        if (legacy)
          append_reveal(out, *legacy);
        else
          out += "null";
        out += ",\"reveals\":[";
        for (std::size_t i = 0; i < reveals.size(); ++i) {
          if (i) out += ',';
          append_reveal(out, reveals[i]);
        }
        out += "],\"committer\":";
        if (deps_.committer) {
          const auto st = deps_.committer->state();
          out += '{';
          append_committer_phase(out, st);
          out += ",\"last_epoch_committed\":" + std::to_string(st.last_epoch_committed);
          out += ",\"last_block\":" + std::to_string(deps_.committer->last_ticked_block());
          out += ",\"mechanisms\":";
          append_committer_mechanisms(out, st, only);
          out += '}';
        } else {
          out += "null";
        }
        out += ",\"chain\":";
        out += chain_weights(snap, primary);
        out += '}';
        return json_response(200, std::move(out));
      },
      std::move(reply));
}

// What the chain holds for this validator at the snapshot's block: its row of Weights and its
// unrevealed hash commits, for the mechanism (under its storage index as the block's metadata
// has it). JSON; {"unavailable": why} when it cannot be read.
std::string Api::chain_weights(const follower::SnapshotPtr& snap, std::uint8_t mechanism) {
  auto unavailable = [](std::string_view why) {
    std::string out = "{\"unavailable\":";
    append_json_string(out, why);
    return out + '}';
  };
  if (!deps_.chain || !deps_.hotkey_submitter) return unavailable("no chain or hotkey configured");
  if (!snap) return unavailable("no snapshot yet");
  const auto& hotkey = deps_.hotkey_submitter->account();
  const auto* n = snap->neuron_by_hotkey(hotkey);
  if (!n)
    return unavailable("hotkey " + codec::ss58_encode(hotkey) + " is not registered at block " +
                       std::to_string(snap->block));
  const chain::BlockRef at{snap->block_hash, snap->block};
  auto index = [&]() -> Result<std::uint16_t> {
    PYLON_ASSIGN(auto md, deps_.chain->metadata(at));
    return committer::mechanism_index(*md, deps_.netuid, mechanism);
  }();
  metrics_.count_chain_call(index.ok());
  if (!index.ok()) return unavailable("the mechanism's storage index: " + index.error().message);
  auto row = committer::read_weights_row(*deps_.chain, *index, n->uid, at);
  metrics_.count_chain_call(row.ok());
  if (!row.ok()) return unavailable("reading Weights: " + row.error().message);
  auto commits = committer::read_weight_commits(*deps_.chain, *index, hotkey, at);
  metrics_.count_chain_call(commits.ok());
  std::string out = "{\"block\":" + std::to_string(snap->block) + ",\"uid\":" + std::to_string(n->uid) +
                    ",\"mechanism\":" + std::to_string(mechanism) +
                    ",\"last_update\":" + std::to_string(n->last_update) + ",\"weights\":";
  append_pairs(out, *row);
  out += ",\"commits\":";
  if (!commits.ok()) {
    append_json_string(out, "unreadable: " + commits.error().message);
  } else {
    out += '[';
    for (std::size_t i = 0; i < commits->size(); ++i) {
      const auto& c = (*commits)[i];
      if (i) out += ',';
      out += "{\"hash\":\"";
      append_hex(out, c.hash);
      out += "\",\"commit_block\":" + std::to_string(c.commit_block) +
             ",\"first_reveal_block\":" + std::to_string(c.first_reveal_block) +
             ",\"last_reveal_block\":" + std::to_string(c.last_reveal_block) + '}';
    }
    out += ']';
  }
  return out + '}';
}

// For each attempt, what the chain did with it when it is a landed timelocked commit (the JSON of
// its "revealed" member: committer/timelocked_reveal.hpp's decision at the snapshot's block, with
// the Weights row once revealed), empty for every other attempt. Decided answers are kept per
// snapshot (reveals_): polling /weights_status reads the chain once per attempt per block.
std::vector<std::string> Api::timelocked_reveals(const std::vector<weights::CommitAttempt>& attempts,
                                                 const follower::SnapshotPtr& snap) {
  std::vector<std::string> out(attempts.size());
  auto unavailable = [](std::string_view why) {
    std::string o = "{\"unavailable\":";
    append_json_string(o, why);
    return o + '}';
  };
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const auto& a = attempts[i];
    if (a.call != weights::CallKind::kCommitTimelockedWeights || !weights::landed(a.status) ||
        !a.reveal_round || !a.included_in)
      continue;
    if (!deps_.chain || !deps_.hotkey_submitter) {
      out[i] = unavailable("no chain or hotkey configured");
      continue;
    }
    if (!snap) {
      out[i] = unavailable("no snapshot yet");
      continue;
    }
    const auto* n = snap->neuron_by_hotkey(deps_.hotkey_submitter->account());
    if (!n) {
      out[i] = unavailable("the hotkey is not registered at block " + std::to_string(snap->block));
      continue;
    }
    if (auto kept = reveals_.find(snap, a.id)) {
      out[i] = std::move(*kept);
      continue;
    }
    auto commit_block = reveals_.block_number(*a.included_in);
    if (!commit_block) {
      auto header = deps_.chain->header(*a.included_in);
      metrics_.count_chain_call(header.ok());
      if (!header.ok()) {
        out[i] = unavailable("the commit's block: " + header.error().message);
        continue;
      }
      reveals_.keep_block_number(*a.included_in, header->number);
      commit_block = header->number;
    }
    committer::TimelockedCommitRef ref;
    ref.netuid = deps_.netuid;
    ref.mechanism = a.mechanism;
    ref.hotkey = deps_.hotkey_submitter->account();
    ref.uid = n->uid;
    ref.reveal_round = *a.reveal_round;
    ref.commit_block = *commit_block;
    auto r =
        committer::read_timelocked_reveal(*deps_.chain, ref, chain::BlockRef{snap->block_hash, snap->block});
    metrics_.count_chain_call(r.ok());
    if (!r.ok()) {
      out[i] = unavailable("reading the reveal: " + r.error().message);
      continue;
    }
    out[i] = chain_reveal_json(*r, ref.commit_block);
    reveals_.keep(snap, a.id, out[i]);  // only decided answers: an unavailable one is asked again
  }
  return out;
}

}  // namespace pylon::rest

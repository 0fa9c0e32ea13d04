// GET /weights_status?epoch=N: for the epoch holding block N (default: the current one), what the
// store holds, every attempt to put it on chain and how it went, the owed reveal, what the
// committer is doing, and what the chain holds for this validator at the latest block.
#include "codec/ss58.hpp"
#include "committer/chain_storage.hpp"
#include "committer/committer.hpp"
#include "committer/submitter.hpp"
#include "common/json_writer.hpp"
#include "rest/api.hpp"
#include "rest/committer_json.hpp"
#include "weights/store.hpp"

namespace pylon::rest {
namespace {

void key(std::string& out, std::string_view k) {
  out += '"';
  out += k;
  out += "\":";
}

void append_attempt(std::string& out, const weights::CommitAttempt& a) {
  out += "{\"id\":" + std::to_string(a.id);
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

void Api::get_weights_status(const Request& req, Reply reply) {
  if (!deps_.store) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_epoch_param(req, std::move(reply), [this](EpochAnswer e, Reply rep) {
    auto snap = deps_.snapshots.latest();
    blocking(
        [this, e, snap]() -> Response {
          auto w = deps_.store->weights(deps_.netuid, e.start);
          if (!w.ok()) return error_response(500, code::internal, w.error().message);
          auto attempts = deps_.store->attempts(deps_.netuid, e.start);
          if (!attempts.ok()) return error_response(500, code::internal, attempts.error().message);
          auto reveal = deps_.store->reveal(deps_.netuid, e.start);
          if (!reveal.ok()) return error_response(500, code::internal, reveal.error().message);

          std::string out =
              "{\"epoch\":" + std::to_string(e.start) + ",\"epoch_end\":" + std::to_string(e.end);
          out += ",\"weights\":{";
          bool first = true;
          for (const auto& [hk, v] : *w) {
            if (!first) out += ',';
            first = false;
            key(out, codec::ss58_encode(hk));
            append_float(out, v);
          }
          out += "},\"attempts\":[";
          for (std::size_t i = 0; i < attempts->size(); ++i) {
            if (i) out += ',';
            append_attempt(out, (*attempts)[i]);
          }
          out += "],\"reveal\":";
          if (*reveal) {
            const auto& r = **reveal;
            out += "{\"status\":";
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
          } else {
            out += "null";
          }
          out += ",\"committer\":";
          if (deps_.committer) {
            const auto st = deps_.committer->state();
            out += '{';
            append_committer_phase(out, st);
            out += ",\"last_epoch_committed\":" + std::to_string(st.last_epoch_committed);
            out += ",\"last_block\":" + std::to_string(deps_.committer->last_ticked_block()) + '}';
          } else {
            out += "null";
          }
          out += ",\"chain\":";
          out += chain_weights(snap);
          out += '}';
          return json_response(200, std::move(out));
        },
        std::move(rep));
  });
}

// What the chain holds for this validator at the snapshot's block: its row of Weights and its
// unrevealed commits. JSON; {"unavailable": why} when it cannot be read.
std::string Api::chain_weights(const follower::SnapshotPtr& snap) {
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
  auto row = committer::read_weights_row(*deps_.chain, deps_.netuid, n->uid, at);
  metrics_.count_chain_call(row.ok());
  if (!row.ok()) return unavailable("reading Weights: " + row.error().message);
  auto commits = committer::read_weight_commits(*deps_.chain, deps_.netuid, hotkey, at);
  metrics_.count_chain_call(commits.ok());
  std::string out = "{\"block\":" + std::to_string(snap->block) + ",\"uid\":" + std::to_string(n->uid) +
                    ",\"last_update\":" + std::to_string(n->last_update) + ",\"weights\":[";
  for (std::size_t i = 0; i < row->size(); ++i) {
    if (i) out += ',';
    out += '[' + std::to_string((*row)[i].first) + ',' + std::to_string((*row)[i].second) + ']';
  }
  out += "],\"commits\":";
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

}  // namespace pylon::rest

// Operations endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document.
#include <array>
#include <cstdio>

#include "codec/ss58.hpp"
#include "committer/committer.hpp"
#include "committer/epoch_api.hpp"
#include "common/build_info.hpp"
#include "common/json_writer.hpp"
#include "rest/api.hpp"
#include "rest/committer_json.hpp"
#include "rest/openapi.hpp"
#include "rest/process_metrics.hpp"
#include "weights/writer.hpp"

namespace pylon::rest {
namespace {

// The outcomes an attempt ends with (weights/attempt_state.hpp); pending ones are not counted.
constexpr std::array<weights::AttemptStatus, 5> kCommitOutcomes = {
    weights::AttemptStatus::kIncluded, weights::AttemptStatus::kFinalized, weights::AttemptStatus::kFailed,
    weights::AttemptStatus::kExpired, weights::AttemptStatus::kMissed};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

void Api::get_live(Reply reply) {
  reply(shared_response(200, live_body_));
}

// {"netuid", "status", "block", "snapshot_age_seconds", "stale_reason"?, "committer"?} of one
// followed subnet; status "loading" (and block null) before its first snapshot.
void Api::append_subnet_health(std::string& out, SubnetContext& sub) const {
  out += "{\"netuid\":" + std::to_string(sub.netuid());
  const auto s = sub.snapshots().latest();
  const auto stale = sub.snapshots().staleness();
  if (!s) {
    out += ",\"status\":\"loading\",\"block\":null";
  } else {
    const double age = seconds_since(s->built_at);
    const bool fresh = age <= std::chrono::duration<double>(options_.fresh_within).count();
    out += fresh ? ",\"status\":\"ok\"" : ",\"status\":\"stale\"";
    out += ",\"block\":" + std::to_string(s->block) + ",\"snapshot_age_seconds\":";
    append_float(out, age);
  }
  if (stale.stale) {
    out += ",\"stale_reason\":";
    append_json_string(out, stale.reason);
  }
  if (sub.parts().committer) {
    out += ",\"committer\":{";
    append_committer_phase(out, sub.parts().committer->state());
    out += '}';
  }
  out += '}';
}

void Api::get_health(Reply reply) {
  auto s = deps_.snapshots.latest();
  if (!s)
    return reply(json_response(
        503,
        "{\"status\":\"loading\",\"detail\":\"no snapshot yet: the follower has not read a block\","
        "\"error\":\"not_ready\"}"));
  const double age = seconds_since(s->built_at);
  const bool fresh = age <= std::chrono::duration<double>(options_.fresh_within).count();
  const auto stale = deps_.snapshots.staleness();
  std::string out = fresh ? "{\"status\":\"ok\"" : "{\"status\":\"stale\"";
  out += ",\"block\":" + std::to_string(s->block) + ",\"snapshot_age_seconds\":";
  append_float(out, age);
  if (stale.stale) {
    out += ",\"stale_reason\":";
    append_json_string(out, stale.reason);
  }
  if (deps_.committer) {
    out += ",\"committer\":{";
    append_committer_phase(out, deps_.committer->state());
    out += '}';
  }
  // The other followed subnets, each as the top level tells the default one (its status does not
  // change the answer's: the default subnet's is the daemon's readiness, as before).
  if (subnets_.size() > 1) {
    out += ",\"subnets\":[";
    bool first = true;
    for (SubnetContext* sub : followed_subnets()) {
      if (sub == default_) continue;
      if (!first) out += ',';
      first = false;
      append_subnet_health(out, *sub);
    }
    out += ']';
  }
  if (!fresh) {
    out += ",\"detail\":";
    append_json_string(out, "the latest snapshot is older than " +
                                std::to_string(options_.fresh_within.count() / 1000) + " s" +
                                (stale.stale ? ": " + stale.reason : std::string()));
    out += ",\"error\":\"not_ready\"";
  }
  out += '}';
  reply(json_response(fresh ? 200 : 503, std::move(out)));
}

void Api::get_metrics(Reply reply) {
  std::string out;
  out.reserve(16384);
  const auto& b = build_info();
  append_family(out, "pylon_build_info", "gauge",
                "Always 1: the version, git commit and runtime spec (proven against) of this binary.");
  append_sample(out, "pylon_build_info",
                "version=\"" + label_value(b.version) + "\",commit=\"" + label_value(b.commit) +
                    "\",spec=\"" + std::to_string(b.runtime_spec) + "\"",
                1);
  metrics_.render(out);
  if (deps_.chain_metrics) deps_.chain_metrics->render(out);
  if (auto s = deps_.snapshots.latest()) {
    out += "# HELP pylon_snapshot_block Block of the latest snapshot.\n# TYPE pylon_snapshot_block gauge\n";
    append_sample(out, "pylon_snapshot_block", "", static_cast<double>(s->block));
    out +=
        "# HELP pylon_snapshot_age_seconds Seconds since the follower set out to read the latest "
        "snapshot's finalized block.\n";
    out += "# TYPE pylon_snapshot_age_seconds gauge\n";
    append_sample(out, "pylon_snapshot_age_seconds", "", seconds_since(s->seen_at));
    out +=
        "# HELP pylon_snapshot_neurons Neurons in the latest snapshot.\n# TYPE pylon_snapshot_neurons "
        "gauge\n";
    append_sample(out, "pylon_snapshot_neurons", "", static_cast<double>(s->neurons.size()));
  }
  const auto builds = deps_.snapshots.build_times();
  append_family(out, "pylon_snapshot_build_duration_seconds", "histogram",
                "Time the follower took to read a finalized block into a snapshot.");
  append_histogram(out, "pylon_snapshot_build_duration_seconds", "", follower::kBuildTimeBuckets,
                   builds.counts, builds.sum_seconds);
  out += "# HELP pylon_snapshot_stale 1 while the follower cannot read the newest block.\n";
  out += "# TYPE pylon_snapshot_stale gauge\n";
  append_sample(out, "pylon_snapshot_stale", "", deps_.snapshots.staleness().stale ? 1 : 0);
  out += "# HELP pylon_snapshots_published_total Snapshots published by the follower.\n";
  out += "# TYPE pylon_snapshots_published_total counter\n";
  append_sample(out, "pylon_snapshots_published_total", "",
                static_cast<double>(deps_.snapshots.published_count()));
  out += "# HELP pylon_epoch_rule_disagreements_total Epoch reads where the runtime's get_next_epoch_start_block "
         "differed from the storage rule (which was kept).\n";
  out += "# TYPE pylon_epoch_rule_disagreements_total counter\n";
  append_sample(out, "pylon_epoch_rule_disagreements_total", "",
                static_cast<double>(committer::epoch_rule_disagreements()));
  if (deps_.writer) {
    const auto w = deps_.writer->stats();
    out += "# HELP pylon_weights_queue_depth Weight batches waiting for the writer.\n";
    out += "# TYPE pylon_weights_queue_depth gauge\n";
    append_sample(out, "pylon_weights_queue_depth", "", static_cast<double>(w.pending));
    out += "# HELP pylon_weights_transactions_total Synced weights transactions.\n";
    out += "# TYPE pylon_weights_transactions_total counter\n";
    append_sample(out, "pylon_weights_transactions_total", "", static_cast<double>(w.transactions));
    out += "# HELP pylon_weights_batches_total Weight batches committed.\n";
    out += "# TYPE pylon_weights_batches_total counter\n";
    append_sample(out, "pylon_weights_batches_total", "", static_cast<double>(w.batches));
    out += "# HELP pylon_weights_queue_entries_total Shared-memory queue entries drained.\n";
    out += "# TYPE pylon_weights_queue_entries_total counter\n";
    append_sample(out, "pylon_weights_queue_entries_total", "outcome=\"applied\"",
                  static_cast<double>(w.queue_entries));
    append_sample(out, "pylon_weights_queue_entries_total", "outcome=\"rejected\"",
                  static_cast<double>(w.queue_rejected));
  }
  if (deps_.committer) {
    const auto st = deps_.committer->state();
    // Every outcome from the start (0 until it happens), so a rate over it is defined: mechanism
    // 0 always, every other mechanism once the committer has worked on it.
    auto mechanisms = st.outcomes_by_mechanism;
    mechanisms.try_emplace(0);
    for (const auto& [mechanism, epoch] : st.last_epoch_by_mechanism) mechanisms.try_emplace(mechanism);
    append_family(out, "pylon_weight_commits_total", "counter",
                  "Weight commit attempts by how they ended, per mechanism.");
    for (const auto& [mechanism, outcomes] : mechanisms)
      for (const auto outcome : kCommitOutcomes) {
        const auto it = outcomes.find(outcome);
        append_sample(out, "pylon_weight_commits_total",
                      "outcome=\"" + std::string(weights::to_text(outcome)) + "\",mechanism=\"" +
                          std::to_string(mechanism) + "\"",
                      it == outcomes.end() ? 0 : static_cast<double>(it->second));
      }
    auto last_epochs = st.last_epoch_by_mechanism;
    last_epochs.try_emplace(0, st.last_epoch_committed);
    append_family(out, "pylon_commit_last_epoch", "gauge",
                  "Start block of the last epoch whose weights were committed, per mechanism.");
    for (const auto& [mechanism, epoch] : last_epochs)
      append_sample(out, "pylon_commit_last_epoch", "mechanism=\"" + std::to_string(mechanism) + "\"",
                    static_cast<double>(epoch));
    out += "# HELP pylon_commit_blocked 1 while the committer cannot commit (see /health).\n";
    out += "# TYPE pylon_commit_blocked gauge\n";
    append_sample(out, "pylon_commit_blocked", "", st.blocked_reason.empty() ? 0 : 1);
  }
  // Every followed subnet, the default one included, by netuid: one panel shows them all.
  append_family(out, "pylon_subnet_snapshot_block", "gauge",
                "Block of the latest snapshot of each followed subnet (absent before its first).");
  for (SubnetContext* sub : followed_subnets())
    if (auto s = sub->snapshots().latest())
      append_sample(out, "pylon_subnet_snapshot_block", "netuid=\"" + std::to_string(sub->netuid()) + "\"",
                    static_cast<double>(s->block));
  append_family(out, "pylon_subnet_commit_blocked", "gauge",
                "1 while the committer of a followed subnet cannot commit (subnets with a committer).");
  for (SubnetContext* sub : followed_subnets())
    if (sub->parts().committer)
      append_sample(out, "pylon_subnet_commit_blocked", "netuid=\"" + std::to_string(sub->netuid()) + "\"",
                    sub->parts().committer->state().blocked_reason.empty() ? 0 : 1);
  // A subnet's further signing hotkeys (lanes) have their own committers: labelled with the hotkey
  // too (the default lane's series keeps the netuid label alone).
  for (SubnetContext* sub : followed_subnets())
    for (const auto& [hotkey, lane] : sub->parts().lanes)
      if (lane.committer)
        append_sample(
            out, "pylon_subnet_commit_blocked",
            "netuid=\"" + std::to_string(sub->netuid()) + "\",hotkey=\"" + codec::ss58_encode(hotkey) + "\"",
            lane.committer->state().blocked_reason.empty() ? 0 : 1);
  render_process_metrics(out);
  reply(shared_response(200, std::make_shared<const std::string>(std::move(out)),
                        "text/plain; version=0.0.4; charset=utf-8"));
}

void Api::get_openapi(Reply reply) {
  Response r = shared_response(200, openapi_body_);
  r.compressed = openapi_compressed_;  // compressed once, at construction
  reply(std::move(r));
}

}  // namespace pylon::rest

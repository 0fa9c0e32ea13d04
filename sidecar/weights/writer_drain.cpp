// The writer's side of the shm weight queue: entries become updates of the current epoch, ride
// in the same transaction as the REST batches, and become durable for their producers only after
// that transaction committed.
#include <map>

#include "common/log.hpp"
#include "weights/drain_batch.hpp"
#include "weights/writer.hpp"
#include "weights/writer_round.hpp"

namespace pylon::weights {

bool Writer::drain_into(Round& r) {
  std::optional<DrainContext> ctx = context_ ? context_() : std::nullopt;
  no_context_ = !ctx;
  if (!ctx) return false;  // no snapshot yet: entries wait in the queue
  Result<shm::DrainReport> report = queue_->drain(
      [&](std::span<const shm::DrainedEntry> entries) -> Status {
        QueueBatch q = to_queue_batch(entries, *ctx);
        for (WeightUpdate& u : q.updates) u.signer = options_.signer;
        r.result = store_.commit_group(r.batches, &q);
        r.committed = true;
        return r.result.committed;
      },
      Store::kMaxBatch);
  if (!report) {
    if (report.error().is(shm::QueueErrc::damaged)) {
      recover_queue(report.error().message);
      return false;
    }
    // A failed commit inside the drain is logged by round(); this is for the queue's own errors.
    if (!r.committed) {
      note_problem("weights writer: queue drain failed, entries stay queued: " + report.error().message);
    }
    return false;
  }
  if (report->drained_to.empty()) return false;
  if (!report->problems.empty()) {
    // A corrupt slot is reported on every drain: log the list when it changes, not every period.
    std::string all;
    for (const std::string& p : report->problems) all += (all.empty() ? "" : "; ") + p;
    if (all != last_queue_problems_) log::warn("weights", "shm queue: " + all);
    last_queue_problems_ = std::move(all);
  }
  if (report->rejected > 0) {
    // The queue skipped entries it could not read; their positions may lie past the last entry
    // committed above, so record the full drained positions too (never backwards).
    r.drain_rejected = report->rejected;
    QueueBatch marks;
    marks.netuid = ctx->netuid;
    for (auto [producer, seq] : report->drained_to) marks.marks.push_back(QueueMark{producer, seq});
    GroupResult m = store_.commit_group({}, &marks);
    if (!m.committed) {
      // Not durable then: the producers see them again after a restart and they are skipped again.
      note_problem("weights writer: recording queue positions failed: " + m.committed.error().message);
    }
  }
  if (Status s = queue_->mark_durable(*report); !s) note_problem("weights writer: " + s.error().message);
  return true;
}

void Writer::recover_queue(const std::string& why) {
  auto netuid = static_cast<std::uint16_t>(queue_->geometry().netuid);
  // The store forgets the old segment's positions first, and only then does a new segment number
  // its entries from 1: a crash between the two finds the damaged segment at the next start and
  // replaces it again, never a new segment beside stale positions (which would skip its entries).
  if (Status s = store_.reset_queue(netuid); !s) {
    note_problem("weights writer: the shm queue is damaged and forgetting its positions failed: " +
                 s.error().message);
    return;
  }
  if (Status s = queue_->recreate(why); !s) {
    note_problem("weights writer: the shm queue is damaged and recreating it failed: " + s.error().message);
    return;
  }
  log::warn("weights", "shm weight queue segment damaged: created a new one; producers reopen it by name",
            {{"name", "/dev/shm/" + queue_->name()}, {"why", why}});
}

void Writer::sync_queue_positions() {
  if (queue_ == nullptr) return;
  auto netuid = static_cast<std::uint16_t>(queue_->geometry().netuid);
  // A segment created afresh numbers its entries from 1 again: positions of an older segment would
  // skip real entries.
  if (queue_->origin() != shm::QueueOrigin::adopted) {
    if (Status s = store_.reset_queue(netuid); !s) note_problem("weights writer: " + s.error().message);
    return;
  }
  Result<std::map<std::uint32_t, std::uint64_t>> known = store_.queue_durable(netuid);
  if (!known) {
    note_problem("weights writer: reading the queue positions failed: " + known.error().message);
    return;
  }
  for (auto [producer, seq] : *known) {
    if (Status s = queue_->mark_durable(producer, seq); !s) {
      log::warn(
          "weights", "shm queue position the store recorded does not fit the segment",
          {{"producer", std::to_string(producer)}, {"seq", std::to_string(seq)}, {"why", s.error().message}});
    }
  }
}

}  // namespace pylon::weights

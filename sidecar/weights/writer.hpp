// The one thread that writes weights: REST requests and the shm queue drain hand it batches; it
// groups whatever is waiting into one synced transaction (group commit) and answers each batch
// after that commit. Between requests it drains the shm weight queue (the queue's single
// consumer), resolving uids to hotkeys and the current epoch from the latest snapshot, and
// advances each producer's durable position only after the transaction holding its entries has
// committed.
//
// Idle, it sleeps on the queue's doorbell (WeightQueue::wait_for_entries): a push or a submit
// wakes it at once; it does not poll. It still wakes every idle_check_every by itself, to check
// the queue segment (a producer may have damaged it, which no push would announce) and to bound
// what a hostile producer resetting the doorbell can delay.
//
// Thread contract: submit, apply, stop and stats from any thread; everything else on the writer
// thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/sync.hpp"
#include "weights/drain_batch.hpp"
#include "weights/store.hpp"

namespace pylon::shm {
class WeightQueue;
}

namespace pylon::weights {

// nullopt while there is no snapshot yet: the queue is then left untouched (entries wait).
using DrainContextFn = std::function<std::optional<DrainContext>()>;

struct WriterOptions {
  std::size_t max_group = 256;  // batches per transaction
  // Idle self-wake period: the queue segment's integrity check (not a poll for entries: pushes
  // and submits wake the writer themselves), and the wait for a snapshot while entries queue.
  std::chrono::milliseconds idle_check_every{100};
  // The lane the writer writes (weights::Lane): its signing hotkey is stamped on every update it
  // takes, REST batches and queue entries alike. One writer per lane.
  AccountId signer{};
};

struct WriterStats {
  std::uint64_t transactions = 0;
  std::uint64_t batches = 0;
  std::uint64_t queue_entries = 0;   // drained from shm and committed
  std::uint64_t queue_rejected = 0;  // drained and refused (recorded)
  std::size_t pending = 0;           // batches waiting now
};

class Writer {
 public:
  using Done = std::function<void(Result<std::vector<double>>)>;

  // `queue` may be null (no shm queue). Both must outlive the writer. Starts the thread.
  Writer(Store& store, shm::WeightQueue* queue, DrainContextFn context, WriterOptions options = {});
  ~Writer();  // stop()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a batch; `done` runs on the writer thread after its transaction committed (or failed).
  // After stop() it runs at once with an error.
  void submit(std::vector<WeightUpdate> updates, Done done);
  // submit() and wait for the answer. Not from a Done callback (it runs on the writer thread).
  Result<std::vector<double>> apply(std::vector<WeightUpdate> updates);

  // Commits everything already submitted, drains the queue one last time, joins the thread.
  void stop();
  WriterStats stats() const;
  // The signing hotkey of the writer's lane (WriterOptions::signer).
  const AccountId& signer() const { return options_.signer; }

 private:
  struct Pending {
    std::vector<WeightUpdate> updates;
    Done done;
  };
  struct Round;  // one transaction's worth of work (writer.cpp)

  void run();
  // Wait for work when the last round found none.
  void idle_wait();
  // One transaction: the batches taken plus, when there is a queue and a context, a drain.
  // Returns whether anything was done (the loop then goes again without waiting).
  bool round(std::vector<Pending>& work);
  // Drains the queue with the REST batches riding in the same transaction (writer_drain.cpp).
  bool drain_into(Round& r);
  // At start: tells the queue what the store already committed, so a crashed daemon's replays
  // are skipped.
  void sync_queue_positions();
  // The queue segment was truncated, replaced or overwritten: forget its positions, recreate it.
  void recover_queue(const std::string& why);
  void note_problem(const std::string& what);

  Store& store_;
  shm::WeightQueue* queue_;
  DrainContextFn context_;
  WriterOptions options_;

  mutable Mutex mu_;
  std::condition_variable cv_;  // with mu_
  std::deque<Pending> pending_ PYLON_GUARDED_BY(mu_);
  bool stopping_ PYLON_GUARDED_BY(mu_) = false;
  bool joined_ PYLON_GUARDED_BY(mu_) = false;
  WriterStats stats_ PYLON_GUARDED_BY(mu_);
  // Writer thread only: a problem repeating every round is logged once (until a round succeeds).
  std::string last_problem_;
  std::string last_queue_problems_;
  bool no_context_ = false;  // the last drain waited for a snapshot: entries queued, none drainable
  std::thread thread_;
};

}  // namespace pylon::weights

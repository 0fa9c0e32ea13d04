#include "weights/writer.hpp"

#include <pthread.h>

#include <future>

#include "common/log.hpp"
#include "weights/writer_round.hpp"

namespace pylon::weights {

Writer::Writer(Store& store, shm::WeightQueue* queue, DrainContextFn context, WriterOptions options)
    : store_(store), queue_(queue), context_(std::move(context)), options_(options) {
  if (options_.max_group == 0) options_.max_group = 1;
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  stop();
}

void Writer::submit(std::vector<WeightUpdate> updates, Done done) {
  for (WeightUpdate& u : updates) u.signer = options_.signer;
  {
    Lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      if (done) done(make_error(StoreErrc::kStopped, "weights writer: stopped; the update was not applied"));
      return;
    }
    pending_.push_back(Pending{std::move(updates), std::move(done)});
    cv_.notify_one();
  }
  if (queue_ != nullptr) queue_->wake();  // the writer may sleep on the queue's doorbell
}

Result<std::vector<double>> Writer::apply(std::vector<WeightUpdate> updates) {
  // Not from a Done callback: that runs on the writer thread, which would wait on itself.
  std::promise<Result<std::vector<double>>> answer;
  std::future<Result<std::vector<double>>> got = answer.get_future();
  submit(std::move(updates), [&answer](Result<std::vector<double>> r) { answer.set_value(std::move(r)); });
  return got.get();
}

void Writer::stop() {
  {
    Lock lock(mu_);
    stopping_ = true;
    cv_.notify_one();
    if (joined_) return;
    joined_ = true;
  }
  if (queue_ != nullptr) queue_->wake();
  if (thread_.joinable()) thread_.join();
}

WriterStats Writer::stats() const {
  Lock lock(mu_);
  WriterStats s = stats_;
  s.pending = pending_.size();
  return s;
}

void Writer::note_problem(const std::string& what) {
  if (what == last_problem_) return;
  last_problem_ = what;
  log::warn("weights", what);
}

void Writer::idle_wait() {
  auto has_work = [&]() PYLON_REQUIRES(mu_) { return !pending_.empty() || stopping_; };
  // Entries queued but no snapshot to resolve them: the doorbell would say "entries" at once, so
  // wait on the condition variable for the period instead of spinning.
  if (queue_ != nullptr && !no_context_ && queue_->wait_for_entries(options_.idle_check_every, [&] {
        Lock lock(mu_);
        return has_work();
      })) {
    return;
  }
  Lock lock(mu_);
  lock.wait_for(cv_, options_.idle_check_every, has_work);
}

void Writer::run() {
  pthread_setname_np(pthread_self(), "pylon-weights");
  sync_queue_positions();
  bool busy = false;
  for (;;) {
    // Wait only when the last round found nothing: a producer pushing steadily is drained as fast
    // as the disk syncs; an idle writer sleeps until a push or a submit wakes it.
    if (!busy) idle_wait();
    std::vector<Pending> work;
    bool last = false;
    {
      Lock lock(mu_);
      while (!pending_.empty() && work.size() < options_.max_group) {
        work.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      // Stopping with nothing left: this round is the last drain.
      last = stopping_ && pending_.empty();
    }
    busy = round(work);
    if (last) break;
  }
}

bool Writer::round(std::vector<Pending>& work) {
  Round r;
  r.batches.reserve(work.size());
  for (const Pending& p : work) r.batches.emplace_back(p.updates);
  bool drained = false;
  if (queue_ != nullptr) {
    queue_->heartbeat();
    drained = drain_into(r);
  }
  if (!r.committed && !work.empty()) {
    r.result = store_.commit_group(r.batches, nullptr);
    r.committed = true;
  }
  if (r.committed && !r.result.committed) {
    note_problem(r.result.committed.error().message);
  } else if (r.committed) {
    last_problem_.clear();  // recovered: the next failure is news again
  }
  {
    Lock lock(mu_);
    if (r.committed) ++stats_.transactions;
    stats_.batches += work.size();
    if (r.result.committed) {
      stats_.queue_entries += r.result.queue_applied;
      stats_.queue_rejected += r.result.queue_rejected;
    }
    stats_.queue_rejected += r.drain_rejected;
  }
  // Answers after the commit (or its failure), outside the lock: a Done may submit again.
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (work[i].done) work[i].done(std::move(r.result.batches[i]));
  }
  return drained || !work.empty();
}

}  // namespace pylon::weights

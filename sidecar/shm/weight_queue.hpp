// Daemon side of the weight queue: owns the queue segment (producers write it) and its ack
// segment (only the daemon writes it; producers map it read-only), drains every producer's ring in
// batches and publishes two positions per producer in the ack segment: drained (taken by drain)
// and durable (committed by the weights store, via mark_durable after its commit). Keeping those
// words out of the producers' segment is what stops a producer from faking another producer's
// acknowledgement or retiring the queue (layout.hpp).
//
// Thread contract: one consumer thread calls drain, wait_for_entries, mark_durable, positions,
// recreate, close and detach; heartbeat and wake may be called from any other thread meanwhile.
//
// The queue segment is writable by every producer in the group, so the daemon trusts none of its bytes
// and never lets a producer crash it: every access to the mapping runs under fault_guarded()
// (fault_guard.hpp), so a truncation, even one landing between a check and an access, turns into
// an error of kind QueueErrc::damaged instead of a SIGBUS. Each drain first checks the segment
// (size, the name still refers to it, the header is what the daemon wrote); a damaged segment is
// not drained at all. The consumer then recreates it (recreate(), after the
// weights store forgot the old positions): the old segment is retired and unlinked, a new one
// with a new generation takes the name, and producers reopen it by name. Entries the store had
// committed are safe in SQLite; entries pushed into the damaged segment and not yet durable were
// never acknowledged: their producers never see them durable (wait_durable reports Errc::retired
// once the old segment is marked retired) and push them again into the new segment.
//
// Restart: an existing segment with this ABI and geometry is adopted, not replaced, and every
// producer's drained position is wound back to durable, so entries a crashed daemon drained but
// never committed are delivered again (at-least-once; the store records the last durable seq per
// producer slot and may call mark_durable with it first to skip what it already has).
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/sync.hpp"
#include "pylon/shm/detail/queue_protocol.hpp"
#include "pylon/shm/layout.hpp"
#include "shm/shared_segment.hpp"

namespace pylon::shm {

// Error kinds of the weight queue (Error::kind_of<QueueErrc>()).
enum class QueueErrc {
  config,         // bad WeightQueueConfig
  closed,         // the queue was closed
  no_such_slot,   // producer slot index out of range
  beyond_head,    // mark_durable past what the producer published
  damaged,        // the segment was truncated, replaced, removed or its header overwritten:
                  // nothing was drained; recreate() it
  create_failed,  // the segment could not be created
};

// What open() (or recreate()) found under the name.
enum class QueueOrigin {
  created,   // nothing usable there: a new segment (sequence numbers start at 1 again)
  adopted,   // the previous daemon's segment, kept with its entries
  replaced,  // a segment was there but unusable (or damaged while running): a new one
};

struct WeightQueueConfig {
  std::string name;  // the queue segment's name, e.g. queue_segment_name(snapshot name)
  std::uint32_t netuid = 0;
  std::optional<gid_t> group;  // producers in this group may map it read-write
  std::uint32_t producer_slots = 16;
  std::uint32_t ring_capacity = 4096;  // power of two
  std::uint64_t lease_timeout_ms = kDefaultLeaseTimeoutMs;
};

struct DrainedEntry {
  std::uint32_t producer = 0;  // producer slot
  std::uint64_t seq = 0;       // the producer's sequence number (what push returned)
  std::uint32_t lease_epoch = 0;
  WeightOp op = WeightOp::set;
  KeyKind key_kind = KeyKind::uid;
  std::uint16_t uid = 0;
  std::array<std::uint8_t, 32> hotkey{};
  double weight = 0;
  // As the producer wrote it: whether the subnet has it is the weights writer's check (it needs
  // the chain), not the queue's.
  std::uint8_t mechanism = 0;
};

struct DrainReport {
  std::size_t entries = 0;   // handed to the callback
  std::size_t rejected = 0;  // skipped: bad stamp, unknown op/key, non-finite weight
  // Per producer slot touched: the position drained up to (what mark_durable(report) commits).
  std::vector<std::pair<std::uint32_t, std::uint64_t>> drained_to;
  std::vector<std::string> problems;  // corrupt slots / rejected entries, for the log
};

class WeightQueue {
 public:
  using BatchFn = std::function<Status(std::span<const DrainedEntry>)>;

  static Result<std::unique_ptr<WeightQueue>> open(WeightQueueConfig config);
  ~WeightQueue();
  WeightQueue(const WeightQueue&) = delete;
  WeightQueue& operator=(const WeightQueue&) = delete;

  // What open() did: created, adopted (with pending entries), or replaced an unusable segment;
  // origin() for decisions, open_note() for the log.
  // Both may be read from any thread while the draining thread recreates the segment.
  QueueOrigin origin() const {
    Lock lock(swap_mu_);
    return origin_;
  }
  std::string open_note() const {
    Lock lock(swap_mu_);
    return note_;
  }
  const QueueSegmentHeader& geometry() const { return geo_; }
  const std::string& ack_name() const { return ack_name_; }
  const std::string& name() const { return config_.name; }

  // Take up to max_entries published entries from all producers and hand them to fn in one batch.
  // drained advances only when fn succeeds; on failure the same entries come again next time.
  // QueueErrc::damaged: the segment is no longer intact (see above); call recreate().
  Result<DrainReport> drain(const BatchFn& fn, std::size_t max_entries = 65536);
  // Whether the segment is still intact (what drain checks first). QueueErrc::damaged if not.
  Status check_intact();
  // Retire and unlink the current segment and create a new one under the name (origin()
  // becomes replaced). The caller first makes the store forget the old segment's positions.
  Status recreate(const std::string& why);
  // After the store committed entries up to seq (inclusive) of producer: advance durable.
  Status mark_durable(std::uint32_t producer, std::uint64_t seq);
  Status mark_durable(const DrainReport& report);

  // Sleep until a producer rings the doorbell, timeout passes, or at once when a ring holds
  // entries not yet drained or other_work() (checked after announcing the sleep) says so; see
  // queue_protocol.hpp for the handshake. False when it could not wait on the doorbell (no
  // segment, or it faulted): the caller then waits its own way.
  bool wait_for_entries(std::chrono::milliseconds timeout, const std::function<bool()>& other_work);
  // Wake wait_for_entries (any thread): rings the doorbell if the consumer sleeps on it.
  void wake();

  Result<SlotPositions> positions(std::uint32_t producer) const;
  void heartbeat();
  void close();   // clean shutdown: retire (producers get Errc::retired) and unlink
  void detach();  // planned restart: unmap only; the next daemon adopts the segment

 private:
  explicit WeightQueue(WeightQueueConfig config) : config_(std::move(config)) {}
  Status create_fresh();
  Status try_adopt();
  void retire_current() PYLON_REQUIRES(swap_mu_);
  // fault_guarded over the current queue mapping.
  template <class F>
  bool guarded(F&& f) const;
  AckSegmentHeader* ack_header() const { return reinterpret_cast<AckSegmentHeader*>(ack_.data()); }
  AckSlot* ack_slot_of(std::uint32_t i) const { return ack_slot(ack_.data(), ack_geo_, i); }

  WeightQueueConfig config_;
  std::string ack_name_;
  SharedSegment segment_;  // the queue segment: producers write it, so only guarded access
  SharedSegment ack_;      // the ack segment: only this daemon writes it
  QueueSegmentHeader geo_{};
  AckSegmentHeader ack_geo_{};
  QueueOrigin origin_ PYLON_GUARDED_BY(swap_mu_) = QueueOrigin::created;
  bool closed_ = false;  // close() or detach() was called
  std::string note_ PYLON_GUARDED_BY(swap_mu_);
  std::vector<DrainedEntry> batch_;
  std::vector<WeightEntry> raw_;          // private copies of the ring cells being drained
  std::vector<SlotPositions> positions_;  // per slot, copied at the start of a drain
  // Held while the mapping is replaced (recreate, close) and by heartbeat() and wake(), the calls
  // made from other threads. The draining thread, the only one that replaces the mapping, reads
  // it without the lock.
  mutable Mutex swap_mu_;
};

}  // namespace pylon::shm

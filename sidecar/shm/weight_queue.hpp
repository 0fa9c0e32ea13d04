// Daemon side of the weight queue: owns the queue segment, drains every producer's ring in
// batches and publishes two positions per producer: drained (taken by drain) and durable
// (committed by the weights store, via mark_durable after its commit). Single consumer: drain and
// mark_durable are called from one daemon thread.
//
// Restart: an existing segment with this ABI and geometry is adopted, not replaced, and every
// producer's drained position is wound back to durable, so entries a crashed daemon drained but
// never committed are delivered again (at-least-once; the store records the last durable seq per
// producer slot and may call mark_durable with it first to skip what it already has).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/queue_protocol.hpp"
#include "shm/shared_segment.hpp"

namespace pylon::shm {

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

  // What open() did: created, adopted (with pending entries), or replaced an unusable segment.
  const std::string& open_note() const { return note_; }
  const QueueSegmentHeader& geometry() const { return geo_; }
  const std::string& name() const { return config_.name; }

  // Take up to max_entries published entries from all producers and hand them to fn in one batch.
  // drained advances only when fn succeeds; on failure the same entries come again next time.
  Result<DrainReport> drain(const BatchFn& fn, std::size_t max_entries = 65536);
  // After the store committed entries up to seq (inclusive) of producer: advance durable.
  Status mark_durable(std::uint32_t producer, std::uint64_t seq);
  Status mark_durable(const DrainReport& report);

  Result<SlotPositions> positions(std::uint32_t producer) const;
  void heartbeat();
  void close();   // clean shutdown: retire (producers get Errc::retired) and unlink
  void detach();  // planned restart: unmap only; the next daemon adopts the segment

 private:
  explicit WeightQueue(WeightQueueConfig config) : config_(std::move(config)) {}
  Status create_fresh();
  Status try_adopt();

  WeightQueueConfig config_;
  SharedSegment segment_;
  QueueSegmentHeader geo_{};
  std::string note_;
  std::vector<DrainedEntry> batch_;
};

}  // namespace pylon::shm

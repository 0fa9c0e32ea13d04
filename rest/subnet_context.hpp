// One followed subnet as the API serves it: its parts (RestDeps' own fields for the default
// subnet, a RestDeps::subnets entry for the others) and what the API keeps of it between
// requests: the latest snapshot's rendered bodies, the few older snapshots asked for, the epochs
// of blocks asked for, and the block of the last snapshot whose bodies were prepared.
//
// Thread contract: netuid() and parts() never change after construction and may be read from any
// thread. The caches are shared by the I/O threads and the workers' continuations under one
// short lock per subnet (cache_mu_), held only to look up or swap a pointer, never while rendering
// or waiting; wait_prepared blocks on its own mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>

#include "common/sync.hpp"
#include "rest/render.hpp"
#include "rest/server.hpp"

namespace pylon::rest {

class SubnetContext {
 public:
  using Rendered = std::shared_ptr<RenderedSnapshot>;
  // How long after the last read a subnet's snapshots are still prepared at publish: above one
  // epoch at tempo 360 (72 min), so a validator reading once an epoch finds them compressed.
  static constexpr std::chrono::minutes kPrepareIdle{90};

  // `parts.snapshots` must not be null; `old_kept`: older snapshots kept rendered (at least 1).
  SubnetContext(std::uint16_t netuid, SubnetDeps parts, std::size_t old_kept,
                std::chrono::nanoseconds prepare_idle = kPrepareIdle);
  SubnetContext(const SubnetContext&) = delete;
  SubnetContext& operator=(const SubnetContext&) = delete;

  std::uint16_t netuid() const { return netuid_; }
  const SubnetDeps& parts() const { return parts_; }
  follower::SnapshotStore& snapshots() const { return *parts_.snapshots; }

  // The latest snapshot, rendered (once: the same object until the store publishes another), or
  // null before the first.
  Rendered latest();
  // The snapshot of `block` when the store or the cache holds it, else null.
  Rendered kept(std::uint64_t block);
  // Keeps `r` (a snapshot built from the chain for a block the store does not keep).
  void remember(const Rendered& r);

  std::optional<EpochAnswer> known_epoch(std::uint64_t block);
  void remember_epoch(std::uint64_t block, EpochAnswer e);

  // Renders and compresses the latest snapshot's bodies (blocking: a worker's job), then wakes
  // wait_prepared. Skipped for a subnet nobody read (latest() or kept()) for kPrepareIdle: a
  // daemon following 128 subnets for the few that are read does not render and compress the
  // others at every block (the bodies are still rendered on a request, as for any snapshot not
  // prepared yet, and the read makes the following snapshots prepared again).
  void prepare_latest();
  bool wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout);

 private:
  Rendered latest_locked() PYLON_REQUIRES(cache_mu_);
  void remember_locked(const Rendered& r) PYLON_REQUIRES(cache_mu_);

  const std::uint16_t netuid_;
  const SubnetDeps parts_;
  const std::size_t old_kept_;
  const std::chrono::nanoseconds prepare_idle_;
  // steady_clock nanoseconds of the last read (construction counts as one): any thread.
  std::atomic<std::int64_t> last_read_ns_;

  Mutex cache_mu_;
  Rendered latest_ PYLON_GUARDED_BY(cache_mu_);
  std::list<Rendered> old_ PYLON_GUARDED_BY(cache_mu_);  // most recent first, at most old_kept_
  std::map<std::uint64_t, EpochAnswer> epochs_ PYLON_GUARDED_BY(cache_mu_);  // by block, for blocks asked

  Mutex prepared_mu_;
  std::condition_variable prepared_cv_;
  std::optional<std::uint64_t> prepared_block_ PYLON_GUARDED_BY(prepared_mu_);
};

}  // namespace pylon::rest

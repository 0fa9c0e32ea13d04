// Snapshots of subnets this Pylon does not follow (issue 15: open-access reads of any other
// subnet are read from the chain on request and cached per block). The API builds one with
// follower::build_snapshot on a worker the first time a (netuid, block) is asked for and keeps the
// last kKept of them rendered, so every later read of that subnet at that block, neurons,
// validators or commitments, is answered from memory. A build in flight is shared: requests for
// the same (netuid, block) that arrive while it runs wait for its result instead of reading the
// chain again, so a burst of clients costs the node one build per subnet and block.
//
// Thread contract: every member may be called from any thread; one mutex, held only to look up,
// insert or take the waiters, never across a build or a waiter's call.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/sync.hpp"
#include "rest/render.hpp"

namespace pylon::rest {

class OnDemandSnapshots {
 public:
  using Rendered = std::shared_ptr<RenderedSnapshot>;
  // Called once with the build's result (outside the lock, on the building thread).
  using Waiter = std::function<void(const Result<Rendered>&)>;

  static constexpr std::size_t kKept = 16;  // (netuid, block) pairs: a few subnets over a block or two

  Rendered find(std::uint16_t netuid, std::uint64_t block) const;
  // Adds `w` to the waiters of (netuid, block). True when no build of it was in flight: the
  // caller must build it and call finish(); false when one is, and `w` gets its result.
  bool join(std::uint16_t netuid, std::uint64_t block, Waiter w);
  // The build of (netuid, block) ended: a success is kept (the oldest beyond kKept dropped) and
  // every waiter, the builder's own included, is called with `r`.
  void finish(std::uint16_t netuid, std::uint64_t block, const Result<Rendered>& r);
  // Builds in flight (tests).
  std::size_t in_flight() const;

 private:
  using Key = std::pair<std::uint16_t, std::uint64_t>;
  mutable Mutex mu_;
  std::list<std::pair<Key, Rendered>> kept_ PYLON_GUARDED_BY(mu_);    // newest first
  std::map<Key, std::vector<Waiter>> waiting_ PYLON_GUARDED_BY(mu_);  // builds in flight
};

}  // namespace pylon::rest

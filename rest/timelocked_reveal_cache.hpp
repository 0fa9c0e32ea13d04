// What /weights_status keeps of the chain's reveals of timelocked commits between requests.
// Each landed commit_timelocked_weights attempt costs a header read (its block's number) and four
// storage reads (committer/timelocked_reveal.hpp) to answer: asked on every request, a dashboard
// polling /weights_status would cost the node that much per attempt per poll. Storage at a block
// never changes, so an answer is kept for the snapshot it was decided at and reused until a newer
// snapshot is asked about; a block hash's number never changes, so it is kept for good (bounded).
//
// Thread contract: every member may be called from any thread; one mutex, held only to look up
// or insert, never across a chain read. Two requests that miss at once both read the chain and
// both answers are the same block's.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/ids.hpp"
#include "common/sync.hpp"
#include "follower/snapshot.hpp"

namespace pylon::rest {

class TimelockedRevealCache {
 public:
  static constexpr std::size_t kKeptNumbers = 1024;  // inclusion blocks: a few per epoch

  // The "revealed" JSON of attempt `attempt` decided at `snap`, if kept.
  std::optional<std::string> find(const follower::SnapshotPtr& snap, std::int64_t attempt) const;
  // Keeps it; answers kept for an older snapshot are dropped first.
  void keep(const follower::SnapshotPtr& snap, std::int64_t attempt, std::string json);

  std::optional<std::uint64_t> block_number(const BlockHash& hash) const;
  void keep_block_number(const BlockHash& hash, std::uint64_t number);

 private:
  mutable Mutex mu_;
  std::weak_ptr<const follower::Snapshot> snap_ PYLON_GUARDED_BY(mu_);
  std::map<std::int64_t, std::string> answers_ PYLON_GUARDED_BY(mu_);  // decided at snap_, by attempt id
  std::map<BlockHash, std::uint64_t> numbers_ PYLON_GUARDED_BY(mu_);
};

}  // namespace pylon::rest

// One followed subnet's parts in the daemon: its snapshot store (the follower publishes into it),
// its shared-memory snapshot segment, and, per hotkey that signs on it, a lane (weights::Lane): a
// weights writer thread taking that hotkey's REST writes and a commit loop committing them with
// that hotkey's Submitter. The first signer's lane is the default one: the subnet's weight queue
// (which names no signer) drains into it, and the legacy surface serves it on PYLON_NETUID. The
// lanes share the subnet's snapshot store and the one weights store, where their rows are apart.
// A subnet followed only for open-access reads (PYLON_RECENT_OBJECTS_NETUIDS) has a store and a
// segment, no queue: nothing would ever commit what a validator pushed into it.
//
// Thread contract: created, started and stopped on the daemon's main thread; publish_new() and
// heartbeat() only from the main thread (the segment writer has one thread); snapshots(),
// has_new() and the parts handed to REST from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/chain_client.hpp"
#include "committer/committer.hpp"
#include "committer/submitter.hpp"
#include "config/config.hpp"
#include "follower/snapshot_store.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"
#include "weights/store.hpp"
#include "weights/writer.hpp"

namespace pylon::app {

struct SubnetWiring {
  std::uint16_t netuid = 0;
  std::string shm_name;            // its snapshot segment (the queue's name follows from it)
  std::optional<gid_t> shm_group;  // PYLON_SHM_GROUP
  // The hotkeys that sign on the subnet, one lane each, the default lane's first; no repeats.
  // Empty: followed for reads only.
  std::vector<committer::Submitter*> signers;
};

class MechanismCountAt;  // subnet_parts.cpp

class SubnetParts {
 public:
  // One signing hotkey's parts.
  struct Lane {
    committer::Submitter* signer = nullptr;
    std::unique_ptr<weights::Writer> writer;
    std::unique_ptr<committer::Committer> committer;
  };

  // Creates the segment (and with signers the queue and per signer a writer thread and a
  // committer, not yet started). `chain`, `store` and the signers outlive the parts.
  static Result<std::unique_ptr<SubnetParts>> create(const SubnetWiring& wiring, const config::Config& cfg,
                                                     chain::ChainClient& chain, weights::Store& store);
  ~SubnetParts();
  SubnetParts(const SubnetParts&) = delete;
  SubnetParts& operator=(const SubnetParts&) = delete;

  std::uint16_t netuid() const { return netuid_; }
  follower::SnapshotStore& snapshots() { return snapshots_; }
  // The default lane's parts; null without a signer.
  weights::Writer* writer() { return lanes_.empty() ? nullptr : lanes_.front().writer.get(); }
  committer::Committer* committer() { return lanes_.empty() ? nullptr : lanes_.front().committer.get(); }
  committer::Submitter* signer() { return lanes_.empty() ? nullptr : lanes_.front().signer; }
  // Every lane, the default one first.
  const std::vector<Lane>& lanes() const { return lanes_; }

  // Starts every lane's commit loop (no-op without a signer).
  Status start_committer();
  // A snapshot newer than the last publish_new() is in the store.
  bool has_new() const { return snapshots_.published_count() != shm_seen_; }
  // Publishes the store's latest snapshot into the segment when it is new.
  void publish_new();
  void heartbeat();
  // In the daemon's drain order: stop_committer() of every subnet, then (after the follower)
  // stop_rest(): the writer commits what was acknowledged, the queue is left for the next daemon
  // and the segment retired.
  void stop_committer();
  void stop_rest();
  weights::WriterStats writer_stats() const;

 private:
  SubnetParts(std::uint16_t netuid, std::size_t keep);

  const std::uint16_t netuid_;
  follower::SnapshotStore snapshots_;
  std::unique_ptr<shm::SnapshotWriter> segment_;
  std::unique_ptr<shm::WeightQueue> queue_;
  std::unique_ptr<MechanismCountAt> mechanisms_;
  std::vector<Lane> lanes_;     // after the queue: the default lane's writer drains it
  std::uint64_t shm_seen_ = 0;  // main thread only
  bool rest_stopped_ = false;   // main thread only
};

}  // namespace pylon::app

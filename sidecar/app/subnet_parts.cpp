#include "app/subnet_parts.hpp"

#include "chain/mechanisms.hpp"
#include "codec/ss58.hpp"
#include "common/log.hpp"
#include "shm/from_snapshot.hpp"

namespace pylon::app {

namespace log = pylon::log;

// The subnet's mechanism count at a block, for the queue drain's check of entries naming a
// mechanism above 0. The follower already read it for its snapshot (Snapshot::mechanisms, through
// chain::read_mechanisms), so the snapshot at the block asked answers it without a read; only
// where that snapshot has no count (its read failed) is the chain asked, the first time such an
// entry comes at a new block (two storage reads at most, nothing on a runtime without
// mechanisms), and the answer kept for that block, so a stream of mechanism-1 pushes costs one
// read per block, not one per drain; mechanism-0 entries never ask. A failed read is not kept:
// the next batch asks again.
// Thread contract: only the weights writer thread calls at() (through the DrainContext).
class MechanismCountAt {
 public:
  MechanismCountAt(chain::ChainClient& chain, std::uint16_t netuid) : chain_(chain), netuid_(netuid) {}
  // The count at `snapshot`'s block.
  Result<std::uint8_t> at(const follower::Snapshot& snapshot) {
    if (snapshot.mechanisms) return snapshot.mechanisms->count;
    const chain::BlockRef block{snapshot.block_hash, snapshot.block};
    if (known_ && known_->first == block.hash) return known_->second;
    PYLON_ASSIGN(auto md, chain_.metadata(block));
    PYLON_ASSIGN(codec::views::Mechanisms m, chain::read_mechanisms(chain_, *md, netuid_, block));
    known_.emplace(block.hash, m.count);
    return m.count;
  }

 private:
  chain::ChainClient& chain_;
  const std::uint16_t netuid_;
  std::optional<std::pair<BlockHash, std::uint8_t>> known_;
};

namespace {

// The drain's view of the chain: the latest snapshot's epoch, uid -> hotkey table and (on demand)
// the subnet's mechanism count at its block.
std::optional<weights::DrainContext> drain_context(const follower::SnapshotStore& snapshots,
                                                   MechanismCountAt& mechanisms) {
  follower::SnapshotPtr s = snapshots.latest();
  if (!s || !s->epoch) return std::nullopt;
  weights::DrainContext c;
  c.netuid = s->netuid;
  c.epoch = s->epoch->start;
  c.hotkey_of = [s](std::uint16_t uid) -> std::optional<AccountId> {
    const auto* n = s->neuron_by_uid(uid);
    if (!n) return std::nullopt;
    return n->hotkey;
  };
  c.mechanism_count = [s, &mechanisms] { return mechanisms.at(*s); };
  return c;
}

}  // namespace

Result<std::unique_ptr<SubnetParts>> SubnetParts::create(const SubnetWiring& w, const config::Config& cfg,
                                                         chain::ChainClient& chain, weights::Store& store) {
  std::unique_ptr<SubnetParts> p(new SubnetParts(w.netuid, cfg.snapshot_keep));
  const std::string subnet = std::to_string(w.netuid);
  // Shared memory: the snapshot segment validators map read-only, the weight queue they push into.
  shm::SnapshotWriterConfig wc;
  wc.name = w.shm_name;
  wc.netuid = w.netuid;
  wc.group = w.shm_group;
  auto segment = shm::SnapshotWriter::create(wc);
  if (!segment.ok())
    return with_context("subnet " + subnet + ": cannot create the snapshot segment", segment.error());
  p->segment_ = std::move(segment).value();
  log::info("shm", "snapshot segment ready",
            {{"netuid", subnet}, {"name", "/dev/shm/" + p->segment_->name()}});
  if (w.signers.empty()) return p;

  shm::WeightQueueConfig qc;
  qc.name = shm::queue_segment_name(p->segment_->name());
  qc.netuid = w.netuid;
  qc.group = w.shm_group;
  auto queue = shm::WeightQueue::open(qc);
  if (!queue.ok())
    return with_context("subnet " + subnet + ": cannot open the weight queue segment", queue.error());
  p->queue_ = std::move(queue).value();
  log::info(
      "shm", "weight queue ready",
      {{"netuid", subnet}, {"name", "/dev/shm/" + p->queue_->name()}, {"note", p->queue_->open_note()}});

  // Per lane, the one thread that writes its weights (REST batches, and for the default lane the
  // queue drain) and its commit loop.
  p->mechanisms_ = std::make_unique<MechanismCountAt>(chain, w.netuid);
  committer::CommitterOptions co;
  co.netuid = w.netuid;
  co.every_epochs = cfg.commit_every_epochs;
  co.window = cfg.commit_window;
  for (committer::Submitter* signer : w.signers) {
    const bool first = p->lanes_.empty();
    weights::WriterOptions wo;
    wo.signer = signer->account();
    Lane lane;
    lane.signer = signer;
    lane.writer = std::make_unique<weights::Writer>(
        store, first ? p->queue_.get() : nullptr,
        [snapshots = &p->snapshots_, mechanisms = p->mechanisms_.get()] {
          return drain_context(*snapshots, *mechanisms);
        },
        wo);
    lane.committer = std::make_unique<committer::Committer>(chain, p->snapshots_, store, *signer, co);
    p->lanes_.push_back(std::move(lane));
    if (!first)
      log::info("weights", "lane ready",
                {{"netuid", subnet}, {"hotkey", codec::ss58_encode(signer->account())}});
  }
  return p;
}

SubnetParts::SubnetParts(std::uint16_t netuid, std::size_t keep) : netuid_(netuid), snapshots_(keep) {}

SubnetParts::~SubnetParts() {
  stop_committer();
  stop_rest();
}

Status SubnetParts::start_committer() {
  for (Lane& lane : lanes_) PYLON_TRY(lane.committer->start());
  return {};
}

void SubnetParts::publish_new() {
  const std::uint64_t published = snapshots_.published_count();
  if (published == shm_seen_) return;
  shm_seen_ = published;
  auto data = shm::to_snapshot_data(*snapshots_.latest());
  auto st = data.ok() ? segment_->publish(*data) : Status(data.error());
  if (!st.ok())
    log::error("shm", "snapshot not published to shared memory",
               {{"netuid", std::to_string(netuid_)}, {"error", st.error().message}});
}

void SubnetParts::heartbeat() {
  if (segment_) segment_->heartbeat();
  if (queue_) queue_->heartbeat();  // an atomic store: safe beside the writer thread's drain
}

void SubnetParts::stop_committer() {
  for (Lane& lane : lanes_) lane.committer->stop();
}

void SubnetParts::stop_rest() {
  if (rest_stopped_) return;
  rest_stopped_ = true;
  for (Lane& lane : lanes_) lane.writer->stop();
  if (queue_) queue_->detach();
  if (segment_) segment_->close();
}

weights::WriterStats SubnetParts::writer_stats() const {
  weights::WriterStats all;
  for (const Lane& lane : lanes_) {
    const auto w = lane.writer->stats();
    all.transactions += w.transactions;
    all.batches += w.batches;
    all.queue_entries += w.queue_entries;
    all.queue_rejected += w.queue_rejected;
    all.pending += w.pending;
  }
  return all;
}

}  // namespace pylon::app

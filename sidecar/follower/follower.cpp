#include "follower/follower.hpp"

#include <set>

#include "common/thread_name.hpp"
#include "follower/head_notification.hpp"

namespace pylon::follower {

Follower::Follower(chain::ChainClient& chain, net::RpcClient& rpc, SnapshotStore& store,
                   FollowerOptions options, LogFn log)
    : Follower(chain, rpc, {FollowedSubnet{options.netuid, &store}}, options, std::move(log)) {}

Follower::Follower(chain::ChainClient& chain, net::RpcClient& rpc, std::vector<FollowedSubnet> subnets,
                   FollowerOptions options, LogFn log)
    : chain_(chain), rpc_(rpc), options_(options), log_(std::move(log)) {
  if (options_.every_n_blocks == 0) options_.every_n_blocks = 1;
  std::set<std::uint16_t> seen;
  for (const FollowedSubnet& f : subnets) {
    // Wiring errors, not input: the daemon builds the list from checked settings.
    if (f.store == nullptr || !seen.insert(f.netuid).second) std::abort();
    Subnet s;
    s.netuid = f.netuid;
    s.store = f.store;
    subnets_.push_back(std::move(s));
  }
  if (subnets_.empty()) std::abort();
}

Follower::~Follower() {
  stop();
}

Status Follower::start() {
  net::SubscribeSpec spec{"chain_subscribeFinalizedHeads", "[]", "chain_unsubscribeFinalizedHeads"};
  PYLON_ASSIGN(net::SubscriptionId id,
               rpc_.subscribe(spec, [this](std::string_view json) { on_head(json); }));
  sub_ = id;
  worker_ = std::thread([this] { run(); });
  return {};
}

void Follower::stop() {
  {
    Lock lock(mu_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (sub_) {
    (void)rpc_.unsubscribe(*sub_);
    sub_.reset();
  }
  if (worker_.joinable()) worker_.join();
}

void Follower::mark_all_stale(const std::string& reason) {
  for (const Subnet& s : subnets_) s.store->mark_stale(reason);
}

void Follower::on_head(std::string_view json) {
  // Runs on the network thread: parse the number, nothing else.
  auto parsed = parse_head_number(json);
  if (!parsed.ok()) {
    // The chain moved on and this node cannot say where to: readers must not take the last
    // snapshots as current. The next published snapshot of each subnet clears its mark.
    mark_all_stale("the node sent an unreadable finalized head: " + parsed.error().message);
    if (log_) log_("warn", parsed.error().message);
    return;
  }
  const std::uint64_t n = *parsed;
  {
    Lock lock(mu_);
    if (have_head_ && n == newest_) return;
    // Finalized heads only move forward on one chain; a lower one means the node is on another
    // history now (a restarted dev chain, a resynced node): follow it rather than wait for it to
    // pass the old number.
    if (have_head_ && n < newest_) rewound_ = true;
    newest_ = n;
    have_head_ = true;
    last_head_at_ = std::chrono::steady_clock::now();
  }
  chain_.note_finalized(n);
  cv_.notify_all();
}

bool Follower::any_behind(std::uint64_t target) const {
  for (const Subnet& s : subnets_)
    if (s.behind(target)) return true;
  return false;
}

bool Follower::build_all(std::uint64_t target) {
  const auto started = std::chrono::steady_clock::now();
  // The block's own facts (hash, runtime, metadata, timestamp) are read once and shared by every
  // subnet's build.
  auto block = [&]() -> Result<BlockReads> {
    PYLON_ASSIGN(std::optional<BlockHash> hash, chain_.block_hash(target));
    if (!hash) return make_error("the node has no block #" + std::to_string(target));
    return read_block(chain_, chain::BlockRef{*hash, target}, options_.build);
  }();
  if (!block.ok()) {
    // Nothing can be built at this block: every subnet still behind it says why.
    for (const Subnet& s : subnets_)
      if (s.behind(target)) s.store->mark_stale(block.error().message);
    if (log_)
      log_("warn",
           "snapshot #" + std::to_string(target) + " failed, keeping the last one: " + block.error().message);
    return false;
  }
  bool all = true;
  std::string published;  // "netuid: neurons" of each subnet built, for the one log line
  std::vector<Subnet*> behind;
  std::vector<SubnetToBuild> builds;
  for (Subnet& sub : subnets_) {
    if (!sub.behind(target)) continue;
    behind.push_back(&sub);
    builds.push_back(SubnetToBuild{sub.netuid, &sub.reads});
  }
  // Each build's time runs from the end of the one before (the first's from the block's own
  // reads, part of reading it), so the read-ahead of a group counts in its first build.
  auto sub_started = started;
  build_snapshots(chain_, *block, options_.build, builds, [&](std::size_t i, Result<Snapshot> s) {
    Subnet& sub = *behind[i];
    const auto from = sub_started;
    if (!s.ok()) {
      all = false;
      sub.store->mark_stale(s.error().message);
      if (log_)
        log_("warn", "snapshot #" + std::to_string(target) + " of subnet " + std::to_string(sub.netuid) +
                         " failed, keeping the last one: " + s.error().message);
      sub_started = std::chrono::steady_clock::now();
      return;
    }
    s->seen_at = from;
    sub.store->record_build_time(s->built_at - from);
    const std::size_t neurons = s->neurons.size();
    sub.store->publish(std::make_shared<const Snapshot>(std::move(s).value()));
    sub.done = target;
    sub.have_done = true;
    if (subnets_.size() == 1) {
      published = std::to_string(neurons) + " neurons";
    } else if (subnets_.size() <= 8) {
      published += (published.empty() ? "subnet " : ", subnet ") + std::to_string(sub.netuid) + ": " +
                   std::to_string(neurons) + " neurons";
    }
    sub_started = std::chrono::steady_clock::now();
  });
  if (log_ && (!published.empty() || subnets_.size() > 8)) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    const std::string took = std::to_string(ms) + " ms)";
    log_("info", "snapshot #" + std::to_string(target) +
                     (published.empty() ? " built for the followed subnets (" +
                                              std::to_string(subnets_.size()) + " subnets, " + took
                                        : " published (" + published + ", " + took));
  }
  return all;
}

void Follower::run() {
  name_this_thread("pylon-follower");
  // The current head first, so readers have a snapshot before the next block.
  if (auto head = chain_.finalized_head(); head.ok()) {
    if (auto h = chain_.header(*head); h.ok()) {
      Lock lock(mu_);
      if (!have_head_ || h->number > newest_) {
        newest_ = h->number;
        have_head_ = true;
        last_head_at_ = std::chrono::steady_clock::now();
      }
    }
  }
  Lock lock(mu_);
  while (!stopping_) {
    // The block to build: the newest head, rounded down to a multiple of every_n_blocks.
    auto target_of = [&]() PYLON_REQUIRES(mu_) {
      std::uint64_t t = newest_;
      if (options_.every_n_blocks > 1) t -= t % options_.every_n_blocks;
      return t;
    };
    const bool woke = lock.wait_for(cv_, options_.stale_after, [&]() PYLON_REQUIRES(mu_) {
      return stopping_ || rewound_ || (have_head_ && any_behind(target_of()));
    });
    if (stopping_) break;
    if (rewound_) {
      rewound_ = false;
      for (Subnet& s : subnets_) s.have_done = false;
      if (log_)
        log_("warn", "the node's finalized head went back to #" + std::to_string(newest_) + "; following it");
    }
    if (!woke) {  // nothing to build for stale_after: say why readers see old snapshots
      const bool connected = rpc_.connected();
      // Heads that keep coming while every_n_blocks skips them are not "no new block".
      const bool no_heads =
          !have_head_ || std::chrono::steady_clock::now() - last_head_at_ >= options_.stale_after;
      for (const Subnet& s : subnets_) {
        const SnapshotPtr last = s.store->latest();
        const bool old =
            !last || (no_heads && std::chrono::steady_clock::now() - last->built_at >= options_.stale_after);
        if (!connected) {
          s.store->mark_stale("no connection to the chain");
        } else if (old) {
          s.store->mark_stale("no new finalized block for " +
                              std::to_string(options_.stale_after.count() / 1000) + " s");
        }
      }
      continue;
    }
    const std::uint64_t target = target_of();
    lock.unlock();
    const bool all = build_all(target);
    lock.lock();
    // A failed subnet is retried after a pause (at the newest head by then), not at once.
    if (!all) lock.wait_for(cv_, options_.retry_after, [&]() PYLON_REQUIRES(mu_) { return stopping_; });
  }
}

}  // namespace pylon::follower

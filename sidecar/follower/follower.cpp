#include "follower/follower.hpp"

#include "common/thread_name.hpp"
#include "follower/head_notification.hpp"

namespace pylon::follower {

Follower::Follower(chain::ChainClient& chain, net::RpcClient& rpc, SnapshotStore& store,
                   FollowerOptions options, LogFn log)
    : chain_(chain), rpc_(rpc), store_(store), options_(options), log_(std::move(log)) {
  if (options_.every_n_blocks == 0) options_.every_n_blocks = 1;
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

void Follower::on_head(std::string_view json) {
  // Runs on the network thread: parse the number, nothing else.
  auto parsed = parse_head_number(json);
  if (!parsed.ok()) {
    // The chain moved on and this node cannot say where to: readers must not take the last
    // snapshot as current. The next published snapshot clears the mark.
    store_.mark_stale("the node sent an unreadable finalized head: " + parsed.error().message);
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
  }
  chain_.note_finalized(n);
  cv_.notify_all();
}

Status Follower::build(std::uint64_t number) {
  const auto started = std::chrono::steady_clock::now();
  PYLON_ASSIGN(std::optional<BlockHash> hash, chain_.block_hash(number));
  if (!hash) return make_error("the node has no block #" + std::to_string(number));
  PYLON_ASSIGN(Snapshot s,
               build_snapshot(chain_, options_.netuid, chain::BlockRef{*hash, number}, options_.build));
  s.seen_at = started;  // the hash lookup is part of reading the block
  store_.record_build_time(s.built_at - started);
  store_.publish(std::make_shared<const Snapshot>(std::move(s)));
  return {};
}

void Follower::run() {
  name_this_thread("pylon-follower");
  std::uint64_t done = 0;
  bool have_done = false;
  // The current head first, so readers have a snapshot before the next block.
  if (auto head = chain_.finalized_head(); head.ok()) {
    if (auto h = chain_.header(*head); h.ok()) {
      Lock lock(mu_);
      if (!have_head_ || h->number > newest_) {
        newest_ = h->number;
        have_head_ = true;
      }
    }
  }
  Lock lock(mu_);
  while (!stopping_) {
    const bool woke = lock.wait_for(cv_, options_.stale_after, [&]() PYLON_REQUIRES(mu_) {
      return stopping_ || rewound_ || (have_head_ && (!have_done || newest_ > done));
    });
    if (stopping_) break;
    if (rewound_) {
      rewound_ = false;
      have_done = false;
      if (log_)
        log_("warn", "the node's finalized head went back to #" + std::to_string(newest_) + "; following it");
    }
    if (!woke) {  // nothing new for stale_after: say why readers see an old snapshot
      const SnapshotPtr last = store_.latest();
      const bool old = !last || std::chrono::steady_clock::now() - last->built_at >= options_.stale_after;
      if (!rpc_.connected()) {
        store_.mark_stale("no connection to the chain");
      } else if (old) {
        store_.mark_stale("no new finalized block for " +
                          std::to_string(options_.stale_after.count() / 1000) + " s");
      }
      continue;
    }
    std::uint64_t target = newest_;
    if (options_.every_n_blocks > 1) {
      target -= target % options_.every_n_blocks;
      if (have_done && target <= done) {  // wait for the next multiple
        done = std::max(done, target);
        lock.wait(cv_, [&]() PYLON_REQUIRES(mu_) {
          return stopping_ || newest_ >= done + options_.every_n_blocks;
        });
        continue;
      }
    }
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    auto s = build(target);
    lock.lock();
    if (s.ok()) {
      done = target;
      have_done = true;
      if (log_) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                .count();
        log_("info", "snapshot #" + std::to_string(target) + " published (" +
                         std::to_string(store_.latest()->neurons.size()) + " neurons, " + std::to_string(ms) +
                         " ms)");
      }
    } else {
      store_.mark_stale(s.error().message);
      if (log_)
        log_("warn",
             "snapshot #" + std::to_string(target) + " failed, keeping the last one: " + s.error().message);
      lock.wait_for(cv_, options_.retry_after, [&]() PYLON_REQUIRES(mu_) { return stopping_; });
    }
  }
}

}  // namespace pylon::follower

// ChainClient::watch_runtime: the runtime version subscription, and the thread that fetches a newly
// announced spec's metadata ahead of the first block that needs it. Blocking RPC calls are not
// allowed on the network thread, where notifications arrive, hence the thread of its own.
#include <condition_variable>
#include <deque>
#include <thread>

#include "chain/chain_client.hpp"
#include "common/log.hpp"
#include "common/thread_name.hpp"

namespace pylon::chain {

struct ChainClient::RuntimeWatch {
  Mutex mu;
  std::condition_variable cv;  // with mu
  std::deque<std::uint32_t> wanted PYLON_GUARDED_BY(mu);  // specs announced and not cached, oldest first
  bool stopping PYLON_GUARDED_BY(mu) = false;
  std::optional<RuntimeVersion> announced PYLON_GUARDED_BY(mu);
  // Set once by watch_runtime before (on_runtime, worker) or as (sub) the subscription starts;
  // read by the destructor after it ended.
  std::function<void(const RuntimeVersion&)> on_runtime;
  std::optional<net::SubscriptionId> sub;
  std::thread worker;
};

ChainClient::~ChainClient() {
  if (!watch_) return;
  // No notification is delivered once unsubscribe returns; then the worker can go.
  if (watch_->sub) (void)rpc_.unsubscribe(*watch_->sub);
  {
    Lock lock(watch_->mu);
    watch_->stopping = true;
  }
  watch_->cv.notify_all();
  if (watch_->worker.joinable()) watch_->worker.join();
}

// Called once, at startup, before other threads use the client.
Status ChainClient::watch_runtime(std::function<void(const RuntimeVersion&)> on_runtime) {
  if (watch_) return make_error("watch_runtime: already watching");
  auto w = std::make_shared<RuntimeWatch>();
  w->on_runtime = std::move(on_runtime);
  watch_ = w;
  w->worker = std::thread([this, w] {
    name_this_thread("pylon-runtime");
    Lock lock(w->mu);
    for (;;) {
      lock.wait(w->cv, [&]() PYLON_REQUIRES(w->mu) { return w->stopping || !w->wanted.empty(); });
      if (w->stopping) return;
      const std::uint32_t spec = w->wanted.front();
      w->wanted.pop_front();
      lock.unlock();
      prefetch_metadata(spec);
      lock.lock();
    }
  });

  auto on_version = [this, w](std::string_view json) {
    auto v = parse_runtime_version(json);
    if (!v.ok()) {
      log::warn("chain", "runtime version notification not understood", {{"error", v.error().message}});
      return;
    }
    std::optional<RuntimeVersion> before;
    {
      Lock lock(w->mu);
      before = w->announced;
      w->announced = *v;
    }
    if (!before) {
      log::info("chain", "node runtime",
                {{"spec_name", v->spec_name}, {"spec_version", std::to_string(v->spec_version)}});
    } else if (before->spec_version != v->spec_version) {
      log::info("chain", "runtime upgrade on the best block",
                {{"from", std::to_string(before->spec_version)}, {"to", std::to_string(v->spec_version)}});
    }
    if (!has_metadata_for(v->spec_version)) {
      {
        Lock lock(w->mu);
        w->wanted.push_back(v->spec_version);
      }
      w->cv.notify_all();
    }
    if (w->on_runtime) w->on_runtime(*v);
  };
  net::SubscribeSpec spec{"state_subscribeRuntimeVersion", "[]", "state_unsubscribeRuntimeVersion"};
  auto sub = rpc_.subscribe(spec, on_version);
  if (!sub.ok()) {
    {
      Lock lock(w->mu);
      w->stopping = true;
    }
    w->cv.notify_all();
    w->worker.join();
    watch_.reset();
    return make_error("runtime version subscription: " + sub.error().message);
  }
  w->sub = *sub;
  return {};
}

void ChainClient::prefetch_metadata(std::uint32_t spec) {
  if (has_metadata_for(spec)) return;
  // The announcement names no block: take the best one, and only if it runs the announced spec
  // (a reorg or a second upgrade may have moved it on); otherwise the metadata is read when a
  // block of that spec is first decoded, as without the subscription.
  auto fetch = [&]() -> Result<bool> {
    PYLON_ASSIGN(BlockHash best, best_hash());
    PYLON_ASSIGN(RuntimeVersion v, runtime_version(rpc_, best));
    if (v.spec_version != spec) return false;
    PYLON_ASSIGN(auto md, fetch_metadata(rpc_, best));
    remember_metadata(spec, std::move(md));
    return true;
  };
  auto done = fetch();
  if (!done.ok()) {
    log::warn("chain", "metadata prefetch failed; it is read when first needed",
              {{"spec_version", std::to_string(spec)}, {"error", done.error().message}});
  } else if (*done) {
    log::info("chain", "metadata prefetched", {{"spec_version", std::to_string(spec)}});
  }
}

std::optional<RuntimeVersion> ChainClient::announced_runtime() {
  if (!watch_) return std::nullopt;
  Lock lock(watch_->mu);
  return watch_->announced;
}

bool ChainClient::has_metadata_for(std::uint32_t spec_version) {
  return cached_metadata(spec_version) != nullptr;
}

}  // namespace pylon::chain

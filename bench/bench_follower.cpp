// The follower on the real finney metagraph (block 6852690, netuid 1, 1024 neurons, spec 343),
// replayed by the loopback node of tests/replay (a WebSocket server on its own thread in this
// process, answering from shared/chain/finney-recordings.json):
//   BM_FollowerBlockToSnapshot  one finalized-head notification -> the snapshot published in the
//                               SnapshotStore, end to end (subscription, chain_getBlockHash,
//                               state_getRuntimeVersion, state_call get_neurons_lite, decode, publish)
//   BM_BuildSnapshot            build_snapshot alone, called directly (no notification, no worker)
//   BM_BuildSnapshotStakes/S    the same with (S=1) and without (S=0) the subnet state read for the
//                               stakes (state_call get_subnet_state + decode + match): the server
//                               answers it with the state written for the recorded neurons
//                               (tests/follower/subnet_state_answer.hpp, 129 rows of emission
//                               history as finney had 129 subnets), since no recording holds one
//   BM_RpcRoundTripNeuronsLite  the same get_neurons_lite state_call as raw JSON-RPC: the round trip
//                               floor, so Pylon's own share of the above is the difference
//   BM_FollowerMemory           10,000 notifications, each waited for until published; VmRSS
//                               before the rig, at start (first snapshot published) and at the end,
//                               and VmHWM, as counters. Run it alone (--benchmark_filter=Memory):
//                               after the other benchmarks the allocator's retained pages hide growth
// Blocks after the recorded one are the replay server's synthetic blocks: a new number and hash,
// answered with the recorded block's data (see tests/replay/replay_server.hpp).
#include <benchmark/benchmark.h>

#include <fstream>
#include <thread>

#include "chain/chain_client.hpp"
#include "proc_status.hpp"
#include "common/hex.hpp"
#include "follower/follower.hpp"
#include "net/rpc_client.hpp"

// The subnet state answer for the recorded neurons (test support, header only).
#include "../tests/follower/subnet_state_answer.hpp"

// The replay server is test support code: the pylon_replay_support library of tests/replay.
#include "replay_server.hpp"

namespace {

using namespace std::chrono_literals;
using namespace pylon;

using bench::status_kb;

// Server + client + store (+ follower when asked), or an error to skip with.
struct Rig {
  explicit Rig(bool with_follower) {
    const std::string dir = replay::find_shared_dir(PYLON_SHARED_DIR_DEFAULT);
    if (dir.empty()) {
      error = "shared reference files not found: set PYLON_SHARED_DIR";
      return;
    }
    auto s = replay::ReplayServer::start({dir, "metagraph"});
    if (!s.ok()) {
      error = s.error().message;
      return;
    }
    server = std::move(s).value();
    net::RpcClientOptions o;
    o.endpoints = {server->url()};
    auto c = net::RpcClient::create(net, std::move(o));
    if (!c.ok()) {
      error = c.error().message;
      return;
    }
    rpc = std::move(c).value();
    chain = std::make_unique<chain::ChainClient>(*rpc);
    if (!with_follower) return;
    follower::FollowerOptions fo;
    fo.netuid = 1;
    fo.build = {.hyperparams = false, .commitments = false, .timestamp = false, .epoch = {}};
    follower_ = std::make_unique<follower::Follower>(*chain, *rpc, store, fo, follower::LogFn{});
    if (auto st = follower_->start(); !st.ok()) {
      error = st.error().message;
      return;
    }
    if (!wait_published(0, 30s)) error = "no first snapshot: " + store.staleness().reason;
  }
  ~Rig() {
    if (follower_) follower_->stop();
    follower_.reset();
    chain.reset();
    rpc.reset();
  }
  // Waits (polling every 20 µs) until more than `before` snapshots were published.
  bool wait_published(std::uint64_t before, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (store.published_count() <= before) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20us);
    }
    return true;
  }
  // One new block: notification out, snapshot in.
  bool one_block() {
    const std::uint64_t before = store.published_count();
    server->advance_head();
    return wait_published(before, 30s);
  }

  std::string error;
  std::unique_ptr<replay::ReplayServer> server;
  net::NetContext net;
  std::unique_ptr<net::RpcClient> rpc;
  std::unique_ptr<chain::ChainClient> chain;
  follower::SnapshotStore store;
  std::unique_ptr<follower::Follower> follower_;
};

void BM_FollowerBlockToSnapshot(benchmark::State& state) {
  Rig rig(true);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  for (auto _ : state)
    if (!rig.one_block())
      return state.SkipWithError(("no snapshot: " + rig.store.staleness().reason).c_str());
  state.counters["neurons"] = static_cast<double>(rig.store.latest()->neurons.size());
}
BENCHMARK(BM_FollowerBlockToSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BuildSnapshot(benchmark::State& state) {
  Rig rig(false);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  auto hash = chain::parse_hash(rig.server->recorded_hash());
  const chain::BlockRef at{*hash, rig.server->recorded_number()};
  const follower::BuildOptions opts{
      .hyperparams = false, .commitments = false, .timestamp = false, .stakes = false, .epoch = {}};
  for (auto _ : state) {
    auto s = follower::build_snapshot(*rig.chain, 1, at, opts);
    if (!s.ok()) return state.SkipWithError(s.error().message.c_str());
    benchmark::DoNotOptimize(s->neurons.data());
  }
}
BENCHMARK(BM_BuildSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BuildSnapshotStakes(benchmark::State& state) {
  Rig rig(false);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  auto hash = chain::parse_hash(rig.server->recorded_hash());
  const chain::BlockRef at{*hash, rig.server->recorded_number()};
  follower::BuildOptions opts{
      .hyperparams = false, .commitments = false, .timestamp = false, .stakes = false, .epoch = {}};
  auto plain = follower::build_snapshot(*rig.chain, 1, at, opts);
  auto md = rig.chain->metadata(at);
  if (!plain.ok() || !md.ok()) return state.SkipWithError("the recorded block does not build");
  auto answer = test::subnet_state_answer(**md, 1, plain->neurons, 129);
  if (!answer.ok()) return state.SkipWithError(answer.error().message.c_str());
  const std::string result = "\"" + to_hex(*answer) + "\"";
  rig.server->set_override([&result](std::string_view method, std::string_view params) -> std::optional<std::string> {
    if (method == "state_call" && params.find(follower::kSubnetStateMethod) != std::string_view::npos) return result;
    return std::nullopt;
  });
  opts.stakes = state.range(0) != 0;
  for (auto _ : state) {
    auto s = follower::build_snapshot(*rig.chain, 1, at, opts);
    if (!s.ok()) return state.SkipWithError(s.error().message.c_str());
    if (opts.stakes && !s->stakes) return state.SkipWithError(s->stakes_unavailable.c_str());
    benchmark::DoNotOptimize(s->neurons.data());
  }
  state.counters["state_answer_bytes"] = static_cast<double>(answer->size());
  rig.server->set_override({});
}
// The decode and match of that answer alone (no transport): what the stakes cost beyond the bytes.
void BM_StakesFromSubnetState(benchmark::State& state) {
  Rig rig(false);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  auto hash = chain::parse_hash(rig.server->recorded_hash());
  const chain::BlockRef at{*hash, rig.server->recorded_number()};
  auto plain = follower::build_snapshot(
      *rig.chain, 1, at, {.hyperparams = false, .commitments = false, .timestamp = false, .stakes = false, .epoch = {}});
  auto md = rig.chain->metadata(at);
  if (!plain.ok() || !md.ok()) return state.SkipWithError("the recorded block does not build");
  auto answer = test::subnet_state_answer(**md, 1, plain->neurons, 129);
  auto view = codec::views::ColumnsView::resolve_api(*md, follower::kSubnetStateMethod);
  if (!answer.ok() || !view.ok()) return state.SkipWithError("no subnet state answer");
  // Arg 0: the ColumnsView decode of every column (what the stakes read did before it kept only
  // its four); arg 1: stakes_from_subnet_state as the follower calls it.
  for (auto _ : state) {
    if (state.range(0) == 0) {
      auto all = view->decode(*answer);
      if (!all.ok()) return state.SkipWithError(all.error().message.c_str());
      benchmark::DoNotOptimize(all->has_value());
      continue;
    }
    auto s = follower::stakes_from_subnet_state(*view, *answer, plain->neurons);
    if (!s.ok()) return state.SkipWithError(s.error().message.c_str());
    benchmark::DoNotOptimize(s->data());
  }
}
BENCHMARK(BM_StakesFromSubnetState)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_BuildSnapshotStakes)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_RpcRoundTripNeuronsLite(benchmark::State& state) {
  Rig rig(false);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  const std::string params =
      "[\"NeuronInfoRuntimeApi_get_neurons_lite\",\"0x0100\",\"" + rig.server->recorded_hash() + "\"]";
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto r = rig.rpc->call("state_call", params);
    if (!r.ok()) return state.SkipWithError(r.error().message.c_str());
    bytes = r->size();
    benchmark::DoNotOptimize(r->data());
  }
  state.counters["answer_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RpcRoundTripNeuronsLite)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FollowerMemory(benchmark::State& state) {
  const auto blocks = state.range(0);
  for (auto _ : state) {
    const double process_kb = status_kb("VmRSS");  // before the server, client and first snapshot
    Rig rig(true);
    if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
    const double start_kb = status_kb("VmRSS");
    for (std::int64_t i = 0; i < blocks; ++i)
      if (!rig.one_block())
        return state.SkipWithError(("no snapshot: " + rig.store.staleness().reason).c_str());
    state.counters["rss_process_MiB"] = process_kb / 1024;
    state.counters["rss_start_MiB"] = start_kb / 1024;
    state.counters["rss_end_MiB"] = status_kb("VmRSS") / 1024;
    state.counters["rss_peak_MiB"] = status_kb("VmHWM") / 1024;
    state.counters["blocks"] = static_cast<double>(blocks);
    state.counters["published"] = static_cast<double>(rig.store.published_count());
  }
}
// 10,000 blocks is the measurement; 1,000 shows where the kept window (32 snapshots) levels off.
BENCHMARK(BM_FollowerMemory)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

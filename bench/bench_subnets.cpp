// Following many subnets: what one finalized block costs Pylon when it keeps N subnets, and whether
// its memory stays flat. The node is pylon_replay_node in a process of its own (bench/rest:
// `--fill-gaps --subnets 128 --neurons K --advance-on-request`), serving netuids 1..128, each the
// recorded finney metagraph (block 6852690) cut to the neurons with uid < K (K = 1024: all of
// them) with a subnet state for their stakes; this process is Pylon's side alone, so its CPU time
// (CLOCK_PROCESS_CPUTIME_ID: this thread and the RPC client's network thread) and RSS are Pylon's.
//
// One iteration is one block, as the multi-subnet follower handles it: the benchmark asks the node
// for the next synthetic block (`bench_advanceHead`, outside the timing), then, timed:
//   block     chain_getBlockHash of the new number and follower::read_block (runtime version,
//             metadata, timestamp), once per block as Follower::build_all does; then for each
//             netuid 1..N in turn:
//     follower  build_snapshot with the daemon's options and the block's reads (neurons,
//               hyperparameters, commitments, stakes, the committer's epoch) +
//               SnapshotStore::publish (keeps 32)
//     shm       shm::to_snapshot_data + SnapshotWriter::publish into that netuid's segment
//     rest      a RenderedSnapshot of it prepared (every body rendered, the large ones gzip- and
//               zstd-compressed), as Api::prepare_latest does on a worker; the latest and the 8
//               before it kept per netuid, as the REST cache keeps them
// The counters split the process CPU time per block into those phases (each phase's own delta of
// the process clock; the network thread only works inside `follower`).
//
//   BM_SubnetBlock/N/K/R/A CPU per block for N subnets of K neurons; R=0 leaves the rest phase out;
//                          A=1 reads ahead as the follower does (16 subnets' reads asked at once,
//                          chain/read_ahead.hpp), A=0 asks each read in turn: its peer
//   BM_SubnetMemory/N/K/R/B  B blocks, VmRSS sampled after each: at the start (first block done),
//                          after the warm-up (64 blocks: the stores' 32 and the REST cache's 9
//                          full), the last, and the maximum after the warm-up; RssAnon and
//                          RssShmem (the segments' touched pages) at the end
// Run each size in its own process for the memory figures (allocator pages kept from an earlier
// benchmark hide growth). The segments are named pylon-bench-subnets-<pid>-<netuid> and removed at
// the end.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>

#include "chain/chain_client.hpp"
#include "committer/epoch.hpp"
#include "follower/snapshot.hpp"
#include "follower/snapshot_store.hpp"
#include "net/rpc_client.hpp"
#include "proc_status.hpp"
#include "rest/render.hpp"
#include "shm/from_snapshot.hpp"
#include "shm/snapshot_writer.hpp"

extern char** environ;

namespace {

using namespace pylon;

constexpr int kMaxSubnets = 128;
constexpr std::size_t kRestKept = 9;  // the latest and rest::RestOptions::old_block_cache (8)
constexpr std::int64_t kWarmupBlocks = 64;

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

using bench::status_kb;

// pylon_replay_node in its own process, serving kMaxSubnets netuids of `neurons` neurons.
// Thread contract: made and destroyed by the benchmark thread.
class NodeProcess {
 public:
  explicit NodeProcess(long neurons) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
      error = "pipe failed";
      return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    const std::string subnets = std::to_string(kMaxSubnets), k = std::to_string(neurons);
    std::string path = PYLON_REPLAY_NODE_PATH;
    std::vector<char*> argv = {path.data(),
                               const_cast<char*>("--fill-gaps"),
                               const_cast<char*>("--subnets"),
                               const_cast<char*>(subnets.c_str()),
                               const_cast<char*>("--neurons"),
                               const_cast<char*>(k.c_str()),
                               const_cast<char*>("--advance-on-request"),
                               nullptr};
    const int rc = posix_spawn(&pid_, path.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = -1;
      error = "cannot start " + path;
      return;
    }
    // Its first line is the URL (it prints it once its answers are made).
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    if (line.rfind("ws://", 0) != 0) {
      error = "the replay node did not start (see its stderr)";
      return;
    }
    url = line;
  }
  ~NodeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  std::string url, error;

 private:
  pid_t pid_ = -1;
};

// One node per neuron count for the whole run (starting one takes a few seconds of encoding).
NodeProcess& node_for(long neurons) {
  static std::map<long, std::unique_ptr<NodeProcess>> nodes;
  auto& n = nodes[neurons];
  if (!n) n = std::make_unique<NodeProcess>(neurons);
  return *n;
}

// What Pylon keeps per followed subnet.
struct Subnet {
  follower::SnapshotStore store{32};
  std::unique_ptr<shm::SnapshotWriter> writer;
  std::deque<std::shared_ptr<rest::RenderedSnapshot>> rendered;  // newest first
  chain::ReadPattern reads;                                      // its last build's requests
};

struct Phases {
  double follower = 0, shm = 0, rest = 0, block = 0;
};

// The client side: connection, chain client and the per-subnet state, for N subnets.
// Thread contract: used by the benchmark thread only (the RPC client runs its own network thread).
struct Rig {
  Rig(long n, long neurons, bool with_rest, bool read_ahead = true) : rest(with_rest) {
    NodeProcess& node = node_for(neurons);
    if (!node.error.empty()) {
      error = node.error;
      return;
    }
    net::RpcClientOptions o;
    o.endpoints = {node.url};
    auto c = net::RpcClient::create(net, std::move(o));
    if (!c.ok()) {
      error = c.error().message;
      return;
    }
    rpc = std::move(c).value();
    if (!rpc->wait_connected(std::chrono::seconds(10)).ok()) {
      error = "no connection to the replay node";
      return;
    }
    chain = std::make_unique<chain::ChainClient>(*rpc);
    options.epoch = committer::snapshot_epoch;
    if (!read_ahead) options.read_ahead_subnets = 0;
    for (long i = 1; i <= n; ++i) {
      auto& s = subnets.emplace_back(std::make_unique<Subnet>());
      shm::SnapshotWriterConfig wc;
      wc.name = "pylon-bench-subnets-" + std::to_string(getpid()) + "-" + std::to_string(i);
      wc.netuid = static_cast<std::uint16_t>(i);
      auto w = shm::SnapshotWriter::create(wc);
      if (!w.ok()) {
        error = "segment: " + w.error().message;
        return;
      }
      s->writer = std::move(w).value();
    }
  }
  ~Rig() {
    for (auto& s : subnets)
      if (s->writer) s->writer->close();
    chain.reset();
    rpc.reset();
  }

  // Makes the node's next block; its number, or an error.
  Result<std::uint64_t> next_block() {
    PYLON_ASSIGN(std::string n, rpc->call("bench_advanceHead", "[]"));
    return std::strtoull(n.c_str(), nullptr, 10);
  }

  // One block for every subnet, phase by phase; adds each phase's CPU to `p`.
  Status block(std::uint64_t number, Phases& p) {
    double t0 = process_cpu_ms();
    PYLON_ASSIGN(std::optional<BlockHash> hash, chain->block_hash(number));
    if (!hash) return make_error("the node has no block #" + std::to_string(number));
    PYLON_ASSIGN(follower::BlockReads reads,
                 follower::read_block(*chain, chain::BlockRef{*hash, number}, options));
    double t1 = process_cpu_ms();
    p.block += t1 - t0;
    std::vector<follower::SubnetToBuild> builds;
    for (std::size_t i = 0; i < subnets.size(); ++i)
      builds.push_back({static_cast<std::uint16_t>(i + 1), &subnets[i]->reads});
    // As Follower::build_all: the subnets' builds in order, their reads asked ahead in groups; the
    // follower phase of each runs from the end of the one before (a group's read-ahead included).
    Status failed;
    t0 = t1;
    follower::build_snapshots(*chain, reads, options, builds,
                              [&](std::size_t i, Result<follower::Snapshot> snap) {
                                if (!failed.ok()) return;
                                failed = publish(*subnets[i], snap, p, t0);
                                t0 = process_cpu_ms();
                              });
    return failed;
  }

  // One subnet's built snapshot through the store, its segment and (with `rest`) its REST bodies;
  // `t0` is where its follower phase began.
  Status publish(Subnet& s, Result<follower::Snapshot>& snap, Phases& p, double t0) {
    if (!snap.ok()) return snap.error();
    if (!snap->stakes) return make_error("no stakes: " + snap->stakes_unavailable);
    s.store.publish(std::make_shared<const follower::Snapshot>(std::move(snap).value()));
    double t1 = process_cpu_ms();
    p.follower += t1 - t0;
    t0 = t1;
    PYLON_ASSIGN(shm::SnapshotData data, shm::to_snapshot_data(*s.store.latest()));
    PYLON_TRY(s.writer->publish(data));
    t1 = process_cpu_ms();
    p.shm += t1 - t0;
    if (!rest) return {};
    t0 = t1;
    auto r = std::make_shared<rest::RenderedSnapshot>(s.store.latest());
    r->prepare();
    if (!r->compressed(rest::RenderedSnapshot::Body::v1_neurons))
      return make_error("the v1 neurons body was not compressed");
    s.rendered.push_front(std::move(r));
    while (s.rendered.size() > kRestKept) s.rendered.pop_back();
    t1 = process_cpu_ms();
    p.rest += t1 - t0;
    return {};
  }

  bool rest;
  std::string error;
  net::NetContext net;
  std::unique_ptr<net::RpcClient> rpc;
  std::unique_ptr<chain::ChainClient> chain;
  follower::BuildOptions options;
  std::vector<std::unique_ptr<Subnet>> subnets;
};

void set_phase_counters(benchmark::State& state, const Phases& p, std::int64_t blocks, long n) {
  const auto per_block = [&](double ms) { return ms / static_cast<double>(blocks); };
  state.counters["subnets"] = static_cast<double>(n);
  state.counters["block_ms"] = per_block(p.block);
  state.counters["follower_ms"] = per_block(p.follower);
  state.counters["shm_ms"] = per_block(p.shm);
  state.counters["rest_ms"] = per_block(p.rest);
  state.counters["cpu_ms"] = per_block(p.block + p.follower + p.shm + p.rest);
  state.counters["cpu_ms_per_subnet"] =
      per_block(p.block + p.follower + p.shm + p.rest) / static_cast<double>(n);
}

void BM_SubnetBlock(benchmark::State& state) {
  const long n = static_cast<long>(state.range(0));
  Rig rig(n, static_cast<long>(state.range(1)), state.range(2) != 0, state.range(3) != 0);
  if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
  Phases p;
  std::int64_t blocks = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto number = rig.next_block();
    state.ResumeTiming();
    if (!number.ok()) return state.SkipWithError(number.error().message.c_str());
    if (auto st = rig.block(*number, p); !st.ok()) return state.SkipWithError(st.error().message.c_str());
    ++blocks;
  }
  set_phase_counters(state, p, blocks, n);
  state.counters["neurons"] = static_cast<double>(rig.subnets.front()->store.latest()->neurons.size());
}
BENCHMARK(BM_SubnetBlock)
    ->ArgNames({"subnets", "neurons", "rest", "ahead"})
    ->Args({1, 256, 1, 1})
    ->Args({8, 256, 1, 1})
    ->Args({32, 256, 1, 1})
    ->Args({64, 256, 1, 1})
    ->Args({128, 256, 1, 1})
    ->Args({1, 256, 0, 1})
    ->Args({8, 256, 0, 1})
    ->Args({32, 256, 0, 1})
    ->Args({128, 256, 0, 1})
    ->Args({1, 256, 0, 0})  // ahead 0: every read asked when the build comes to it (the peer)
    ->Args({8, 256, 0, 0})
    ->Args({32, 256, 0, 0})
    ->Args({128, 256, 0, 0})
    ->Args({1, 1024, 1, 1})
    ->Args({64, 1024, 1, 1})
    ->Args({128, 1024, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_SubnetMemory(benchmark::State& state) {
  const long n = static_cast<long>(state.range(0));
  const std::int64_t blocks = state.range(3);
  for (auto _ : state) {
    Rig rig(n, static_cast<long>(state.range(1)), state.range(2) != 0);
    if (!rig.error.empty()) return state.SkipWithError(rig.error.c_str());
    Phases p;
    double first = 0, warm = 0, peak = 0;
    for (std::int64_t b = 1; b <= blocks; ++b) {
      auto number = rig.next_block();
      if (!number.ok()) return state.SkipWithError(number.error().message.c_str());
      if (auto st = rig.block(*number, p); !st.ok()) return state.SkipWithError(st.error().message.c_str());
      const double rss = status_kb("VmRSS") / 1024;
      if (b == 1) first = rss;
      if (b == kWarmupBlocks) warm = rss;
      if (b >= kWarmupBlocks) peak = std::max(peak, rss);
    }
    set_phase_counters(state, p, blocks, n);
    state.counters["rss_first_MiB"] = first;
    state.counters["rss_warm_MiB"] = warm;
    state.counters["rss_last_MiB"] = status_kb("VmRSS") / 1024;
    state.counters["rss_max_after_warm_MiB"] = peak;
    state.counters["rss_anon_MiB"] = status_kb("RssAnon") / 1024;
    state.counters["rss_shmem_MiB"] = status_kb("RssShmem") / 1024;
    state.counters["blocks"] = static_cast<double>(blocks);
  }
}
BENCHMARK(BM_SubnetMemory)
    ->ArgNames({"subnets", "neurons", "rest", "blocks"})
    ->Args({128, 256, 1, 1000})
    ->Args({128, 256, 0, 1000})
    ->Args({8, 256, 0, 5000})  // a longer run, to tell a drift per block from the allocator's steps
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

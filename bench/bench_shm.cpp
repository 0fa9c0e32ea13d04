// Shared-memory snapshot and weight queue: what a validator pays per call, next to the floor
// (memcpy, a cache-line ping-pong) and a peer (Boost.Lockfree spsc_queue in one process).
// Run: build/bench/bench_shm   (prints the CPU model in the context header)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pylon/shm/client.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"

namespace {

using namespace pylon::shm;
using pylon::Result;
using pylon::Status;

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string bench_name(const char* tag) {
  return std::string("pylon-bench-") + tag + "-" + std::to_string(::getpid());
}

SnapshotData make_data(std::uint64_t block, std::uint32_t neurons) {
  SnapshotData d;
  d.block_number = block;
  d.timestamp_ms = realtime_ns() / 1000000;
  for (std::uint32_t i = 0; i < neurons; ++i) {
    NeuronRecord n{};
    for (int k = 0; k < 32; ++k) n.hotkey[k] = static_cast<std::uint8_t>((i * 2654435761u) >> (k % 24));
    n.hotkey[0] = static_cast<std::uint8_t>(i);
    n.hotkey[1] = static_cast<std::uint8_t>(i >> 8);
    n.uid = static_cast<std::uint16_t>(i);
    n.stake = block + i;
    n.incentive = static_cast<std::uint16_t>(i);
    d.neurons.push_back(n);
  }
  for (std::uint32_t i = 0; i < 64; ++i) {
    CommitmentData c;
    std::memcpy(c.hotkey.data(), d.neurons[i].hotkey, 32);
    c.data.assign(64, static_cast<std::uint8_t>(i));
    d.commitments.push_back(c);
  }
  return d;
}

struct SnapshotEnv {
  explicit SnapshotEnv(std::uint32_t neurons, std::uint32_t slots = 2)
      : name(bench_name("snap")), data(make_data(1, neurons)) {
    SnapshotWriterConfig c;
    c.name = name;
    c.neuron_capacity = 4096;
    c.slots = slots;
    writer = std::move(SnapshotWriter::create(c)).value();
    if (!writer->publish(data).ok()) std::abort();
    reader = std::move(SnapshotReader::open(name.c_str())).value();
  }
  std::string name;
  SnapshotData data;
  std::unique_ptr<SnapshotWriter> writer;
  SnapshotReader reader;
};

// Consistent copy of a 1024-neuron snapshot (neurons + hotkey index + 64 commitments).
void BM_SnapshotCopy(benchmark::State& state) {
  SnapshotEnv env(1024);
  Snapshot s;
  for (auto _ : state) {
    if (!env.reader.copy(s).ok()) state.SkipWithError("copy failed");
    benchmark::DoNotOptimize(s.neurons());
  }
  std::size_t bytes = 1024 * sizeof(NeuronRecord) + 1024 * 2 + 64 * sizeof(CommitmentRecord) + 64 * 64 + 256;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_SnapshotCopy);

// The floor: plain memcpy of the same number of bytes, no consistency check.
void BM_PlainMemcpySameBytes(benchmark::State& state) {
  std::size_t bytes = 1024 * sizeof(NeuronRecord) + 1024 * 2 + 64 * sizeof(CommitmentRecord) + 64 * 64 + 256;
  std::vector<unsigned char> src(bytes, 1), dst(bytes);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), bytes);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_PlainMemcpySameBytes);

// The candidate copy kernels for SnapshotReader::copy, each run on the real segment over the same
// tables BM_SnapshotCopy copies (neurons, hotkey index, commitments, commitment data), bracketed by
// the slot's begin_read/end_read. Relaxed atomics are never vectorised, whatever their spelling;
// memcpy is. bench/README.md ("Shared memory") records the figures and the choice.
void copy_one_word_per_step(void* dst, const void* src, std::size_t n) {
  const auto* s = static_cast<const std::uint64_t*>(src);
  auto* d = static_cast<unsigned char*>(dst);
  for (std::size_t i = 0; i < n / 8; ++i) {
    std::uint64_t w = __atomic_load_n(s + i, __ATOMIC_RELAXED);
    std::memcpy(d + i * 8, &w, 8);
  }
  if (n % 8 != 0) {
    std::uint64_t w = __atomic_load_n(s + n / 8, __ATOMIC_RELAXED);
    std::memcpy(d + (n / 8) * 8, &w, n % 8);
  }
}
void copy_atomic_ref(void* dst, const void* src, std::size_t n) {
  // atomic_ref<const T> is C++26; the load does not write, so the cast is harmless here.
  auto* s = static_cast<std::uint64_t*>(const_cast<void*>(src));
  auto* d = static_cast<unsigned char*>(dst);
  for (std::size_t i = 0; i < n / 8; ++i) {
    std::uint64_t w = std::atomic_ref<std::uint64_t>(s[i]).load(std::memory_order_relaxed);
    std::memcpy(d + i * 8, &w, 8);
  }
  if (n % 8 != 0) {
    std::uint64_t w = std::atomic_ref<std::uint64_t>(s[n / 8]).load(std::memory_order_relaxed);
    std::memcpy(d + (n / 8) * 8, &w, n % 8);
  }
}
struct CopyKernel {
  const char* label;
  void (*fn)(void*, const void*, std::size_t);
};
const CopyKernel kCopyKernels[] = {
    {"relaxed 8-byte loads, one per loop step (the former copy)", copy_one_word_per_step},
    {"relaxed 8-byte loads unrolled x8 (atomic_copy_out)", atomic_copy_out},
    {"std::atomic_ref<uint64_t> relaxed loads", copy_atomic_ref},
    {"memcpy between the seqlock's fences (seqlock_copy_out)", seqlock_copy_out},
};

void BM_SlotCopyKernel(benchmark::State& state) {
  SnapshotEnv env(1024);
  const CopyKernel& k = kCopyKernels[state.range(0)];
  ShmResult<Mapping> map = Mapping::open(env.name.c_str(), /*writable=*/false);
  if (!map) std::abort();
  const unsigned char* base = map->data();
  const SnapshotSegmentHeader& h = env.reader.geometry();
  const std::size_t neurons = 1024, commitments = 64, data = 64 * 64;
  std::vector<NeuronRecord> rows(neurons);
  std::vector<std::uint16_t> index(neurons);
  std::vector<CommitmentRecord> crows(commitments);
  std::vector<std::uint8_t> cdata(data);
  for (auto _ : state) {
    ShmResult<SlotRead> r = begin_read(base, h);
    if (!r) std::abort();
    k.fn(rows.data(), r->slot + h.neurons_offset, neurons * sizeof(NeuronRecord));
    k.fn(index.data(), r->slot + h.hotkey_index_offset, neurons * 2);
    k.fn(crows.data(), r->slot + h.commitments_offset, commitments * sizeof(CommitmentRecord));
    k.fn(cdata.data(), r->slot + h.commitment_data_offset, data);
    if (!end_read(*r)) state.SkipWithError("slot rewritten without a writer");
    benchmark::DoNotOptimize(rows.data());
  }
  state.SetLabel(k.label);
  std::size_t bytes =
      neurons * sizeof(NeuronRecord) + neurons * 2 + commitments * sizeof(CommitmentRecord) + data;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_SlotCopyKernel)->DenseRange(0, 3);

void BM_NeuronByUid(benchmark::State& state) {
  SnapshotEnv env(1024);
  std::uint16_t uid = 0;
  for (auto _ : state) {
    ShmResult<NeuronRecord> n = env.reader.neuron_by_uid(uid);
    benchmark::DoNotOptimize(n.value().stake);
    uid = static_cast<std::uint16_t>((uid + 37) % 1024);
  }
}
BENCHMARK(BM_NeuronByUid);

void BM_NeuronByHotkeyInPlace(benchmark::State& state) {
  SnapshotEnv env(1024);
  std::size_t i = 0;
  for (auto _ : state) {
    ShmResult<NeuronRecord> n = env.reader.neuron_by_hotkey(env.data.neurons[i].hotkey);
    if (!n.ok()) state.SkipWithError("lookup failed");
    benchmark::DoNotOptimize(n.value().stake);
    i = (i + 37) % 1024;
  }
}
BENCHMARK(BM_NeuronByHotkeyInPlace);

void BM_NeuronByHotkeyInCopy(benchmark::State& state) {
  SnapshotEnv env(1024);
  Snapshot s;
  if (!env.reader.copy(s).ok()) std::abort();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.find(env.data.neurons[i].hotkey));
    i = (i + 37) % 1024;
  }
}
BENCHMARK(BM_NeuronByHotkeyInCopy);

// Copies while another thread publishes back to back: slots 1 = plain seqlock, 2 = double buffer.
// retries/copy is the price readers pay for each choice (snapshot_protocol.hpp cites this).
void BM_CopyUnderWrites(benchmark::State& state) {
  SnapshotEnv env(1024, static_cast<std::uint32_t>(state.range(0)));
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> publishes{0};
  std::thread writer([&] {
    std::uint64_t b = 2;
    while (!stop.load(std::memory_order_relaxed)) {
      env.data.block_number = b++;
      if (!env.writer->publish(env.data).ok()) std::abort();
      publishes.fetch_add(1, std::memory_order_relaxed);
    }
  });
  Snapshot s;
  std::uint64_t before = env.reader.retries();
  std::uint64_t starved = 0;  // copies that gave up (Errc::busy) after the reader's retry budget
  for (auto _ : state) {
    ShmStatus st = env.reader.copy(s);
    if (st.code() == Errc::busy) {
      ++starved;
    } else if (!st.ok()) {
      state.SkipWithError(st.message());
    }
  }
  state.counters["starved_copies"] = static_cast<double>(starved);
  stop = true;
  writer.join();
  state.counters["retries_per_copy"] =
      static_cast<double>(env.reader.retries() - before) / static_cast<double>(state.iterations());
  state.counters["publishes"] = static_cast<double>(publishes.load());
}
BENCHMARK(BM_CopyUnderWrites)->Arg(1)->Arg(2)->UseRealTime();

struct QueueEnv {
  QueueEnv() : name(bench_name("q")) {
    WeightQueueConfig c;
    c.name = name;
    c.producer_slots = 4;
    c.ring_capacity = 4096;
    queue = std::move(WeightQueue::open(c)).value();
    producer = std::move(WeightProducer::open(name.c_str())).value();
  }
  std::size_t drain_all() {
    Result<DrainReport> r = queue->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
    if (!r.ok() || !queue->mark_durable(*r).ok()) std::abort();
    return r->entries;
  }
  std::string name;
  std::unique_ptr<WeightQueue> queue;
  WeightProducer producer;
};

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}
// p10 too: on a loaded machine a two-thread round trip is scheduler-bound whenever one thread is
// descheduled, and p10 still shows the hardware handoff when both threads ran.
void set_percentiles(benchmark::State& state, std::vector<std::uint64_t>& lat) {
  if (lat.empty()) return;
  std::sort(lat.begin(), lat.end());
  state.counters["p10_ns"] = static_cast<double>(lat[lat.size() / 10]);
  state.counters["p50_ns"] = static_cast<double>(lat[lat.size() / 2]);
  state.counters["p99_ns"] = static_cast<double>(lat[lat.size() * 99 / 100]);
}

// One push (the ring is drained between batches, outside the timed region). Each push is also
// timed individually for p50/p99 (the clock read adds ~20 ns to those two counters).
void BM_QueuePush(benchmark::State& state) {
  QueueEnv env;
  std::vector<std::uint64_t> lat;
  lat.reserve(1 << 20);
  std::uint32_t in_ring = 0;
  for (auto _ : state) {
    if (in_ring == 4000) {
      state.PauseTiming();
      env.drain_all();
      in_ring = 0;
      state.ResumeTiming();
    }
    std::uint64_t t0 = now_ns();
    ShmResult<std::uint64_t> s = env.producer.push_uid(7, 0.5);
    std::uint64_t t1 = now_ns();
    if (!s.ok()) state.SkipWithError(s.message());
    ++in_ring;
    if (lat.size() < lat.capacity()) lat.push_back(t1 - t0);
  }
  set_percentiles(state, lat);
}
BENCHMARK(BM_QueuePush);

// Round trip: producer pushes, the daemon thread drains (WeightQueue::drain, batch callback,
// mark_durable), the producer sees drained move. Half of it is the push->drained handoff.
void BM_PushToDrainedRoundTrip(benchmark::State& state) {
  QueueEnv env;
  std::atomic<bool> stop{false};
  std::thread daemon([&] {
    while (!stop.load(std::memory_order_relaxed)) env.drain_all();
  });
  std::vector<std::uint64_t> lat;
  lat.reserve(1 << 20);
  for (auto _ : state) {
    std::uint64_t t0 = now_ns();
    ShmResult<std::uint64_t> s = env.producer.push_uid(1, 1.0);
    if (!s.ok()) state.SkipWithError(s.message());
    while (env.producer.drained() < *s) {
    }
    if (lat.size() < lat.capacity()) lat.push_back(now_ns() - t0);
  }
  stop = true;
  daemon.join();
  set_percentiles(state, lat);
}
BENCHMARK(BM_PushToDrainedRoundTrip)->UseRealTime();

// The hardware floor for a cross-core handoff: two threads bouncing a value, timed per round trip
// like the queue's (p50/p99). Arg 1: both threads write one shared cache line (the textbook
// ping-pong; the spinning reader keeps pulling the line back, which costs extra transfers). Arg 2:
// each thread writes only its own line and spins on the other's, the single-writer pattern the
// weight queue uses (head written by the producer, drained by the daemon): the fairer floor.
// Stop is a sentinel value in the watched line, so nothing else is touched in the loop.
void BM_CacheLinePingPong(benchmark::State& state) {
  constexpr std::uint64_t kStop = ~std::uint64_t{0};
  struct alignas(64) Line {
    std::atomic<std::uint64_t> v{0};
  };
  static Line lines[2];
  const bool shared = state.range(0) == 1;
  std::atomic<std::uint64_t>& ping = lines[0].v;
  std::atomic<std::uint64_t>& pong = shared ? lines[0].v : lines[1].v;
  ping = 0;
  pong = 0;
  // Shared line: odd values are pings, the reply is the next even value. Two lines: the reply
  // echoes the ping into the other line.
  std::thread other([&] {
    std::uint64_t answered = 0;
    for (;;) {
      std::uint64_t v = ping.load(std::memory_order_acquire);
      if (v == kStop) return;
      if (v != answered && (v & 1)) {
        pong.store(shared ? v + 1 : v, std::memory_order_release);
        answered = v;
      }
    }
  });
  std::vector<std::uint64_t> lat;
  lat.reserve(1 << 20);
  std::uint64_t v = 1;
  for (auto _ : state) {
    std::uint64_t want = shared ? v + 1 : v;
    std::uint64_t t0 = now_ns();
    ping.store(v, std::memory_order_release);
    while (pong.load(std::memory_order_acquire) != want) {
    }
    if (lat.size() < lat.capacity()) lat.push_back(now_ns() - t0);
    v += 2;
  }
  ping.store(kStop, std::memory_order_release);
  other.join();
  set_percentiles(state, lat);
}
BENCHMARK(BM_CacheLinePingPong)->Arg(1)->Arg(2)->UseRealTime();

// Peer: Boost.Lockfree spsc_queue in one process, the same round trip (push, consumer pops and
// acknowledges through a second queue).
void BM_BoostSpscRoundTrip(benchmark::State& state) {
  boost::lockfree::spsc_queue<WeightEntry, boost::lockfree::capacity<4096>> q;
  boost::lockfree::spsc_queue<std::uint64_t, boost::lockfree::capacity<4096>> ack;
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    WeightEntry e;
    while (!stop.load(std::memory_order_relaxed)) {
      if (q.pop(e)) ack.push(e.stamp);
    }
  });
  std::vector<std::uint64_t> lat;
  lat.reserve(1 << 20);
  std::uint64_t seq = 0;
  for (auto _ : state) {
    std::uint64_t t0 = now_ns();
    WeightEntry e{};
    e.stamp = ++seq;
    e.weight = 1.0;
    while (!q.push(e)) {
    }
    std::uint64_t a = 0;
    while (!ack.pop(a)) {
    }
    if (lat.size() < lat.capacity()) lat.push_back(now_ns() - t0);
  }
  stop = true;
  consumer.join();
  set_percentiles(state, lat);
}
BENCHMARK(BM_BoostSpscRoundTrip)->UseRealTime();

// Peer for BM_QueuePush: one spsc_queue push of the same 64-byte entry, timed the same way.
void BM_BoostSpscPush(benchmark::State& state) {
  boost::lockfree::spsc_queue<WeightEntry, boost::lockfree::capacity<4096>> q;
  std::vector<std::uint64_t> lat;
  lat.reserve(1 << 20);
  std::uint32_t in = 0;
  for (auto _ : state) {
    if (in == 4000) {
      state.PauseTiming();
      WeightEntry e;
      while (q.pop(e)) {
      }
      in = 0;
      state.ResumeTiming();
    }
    WeightEntry e{};
    e.uid = 7;
    e.weight = 0.5;
    std::uint64_t t0 = now_ns();
    bool ok = q.push(e);
    std::uint64_t t1 = now_ns();
    benchmark::DoNotOptimize(ok);
    ++in;
    if (lat.size() < lat.capacity()) lat.push_back(t1 - t0);
  }
  set_percentiles(state, lat);
}
BENCHMARK(BM_BoostSpscPush);

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

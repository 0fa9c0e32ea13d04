// The weights store: sustained weight updates through the Writer (what REST handlers do) and
// through the shm queue (push -> durable), beside SQLite's own synced insert rate on the same
// file system in the same run (one INSERT per synced transaction, and 256 per transaction): the
// ceiling a store with synchronous=FULL can reach. Ratios are printed after the table.
// Run: build/bench/bench_weights   (PYLON_BENCH_DIR picks the directory of the database files;
// default: the system temp dir. Its file system decides the fsync cost, so say which in figures.)
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pylon/shm/weight_producer.hpp"
#include "shm/weight_queue.hpp"
#include "weights/store.hpp"
#include "weights/writer.hpp"

namespace {

using namespace pylon::weights;
using pylon::AccountId;
using Clock = std::chrono::steady_clock;

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("PYLON_BENCH_DIR");
    std::string root = base != nullptr ? base : std::filesystem::temp_directory_path().string();
    std::string tmpl = root + "/pylon-bench-weights-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return path_ + "/" + name; }
  bool ok() const { return !path_.empty(); }

 private:
  std::string path_;
};

AccountId hotkey(std::uint32_t n) {
  AccountId a{};
  for (int i = 0; i < 4; ++i) a[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
  a[31] = 0x5a;
  return a;
}

// The ratio table's rates: the "updates/s" counter of each benchmark's median over repetitions
// (or of its one run), keyed by its label, as Google Benchmark reports them.
std::map<std::string, double>& rates() {
  static std::map<std::string, double> r;
  return r;
}
// The same for the latency percentiles (p50_ms, p99_ms), keyed by label.
std::map<std::string, std::map<std::string, double>>& latencies() {
  static std::map<std::string, std::map<std::string, double>> l;
  return l;
}
constexpr double kMinTime = 2.0;

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      auto c = r.counters.find("updates/s");
      if (c == r.counters.end() || r.report_label.empty() || r.error_occurred) continue;
      bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (median || r.run_type == Run::RT_Iteration) {
        rates()[r.report_label] = c->second.value;
        for (const char* k : {"p50_ms", "p99_ms"}) {
          if (auto l = r.counters.find(k); l != r.counters.end())
            latencies()[r.report_label][k] = l->second.value;
        }
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

void report(benchmark::State& state, const std::string& key, double items, double seconds,
            const std::vector<double>& latencies_ms) {
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["updates/s"] = items / seconds;
  if (!latencies_ms.empty()) {
    state.counters["p50_ms"] = percentile(latencies_ms, 0.50);
    state.counters["p99_ms"] = percentile(latencies_ms, 0.99);
  }
  state.SetLabel(key);
}

// SQLite alone: the same table and upsert as the store, WAL, synchronous=FULL.
void BM_SqliteRawInsert(benchmark::State& state) {
  const auto per_txn = static_cast<std::uint32_t>(state.range(0));
  BenchDir dir;
  sqlite3* db = nullptr;
  if (!dir.ok() || sqlite3_open(dir.file("raw.db").c_str(), &db) != SQLITE_OK) {
    state.SkipWithError("cannot open the database");
    return;
  }
  sqlite3_exec(
      db,
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE weights (netuid INTEGER NOT "
      "NULL, epoch INTEGER NOT NULL, hotkey BLOB NOT NULL, weight REAL NOT NULL, updated_ms INTEGER NOT "
      "NULL, PRIMARY KEY (netuid, epoch, hotkey)) WITHOUT ROWID;",
      nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(
      db,
      "INSERT INTO weights VALUES (2, 100, ?1, ?2, 0) ON CONFLICT (netuid, epoch, hotkey) DO UPDATE "
      "SET weight = excluded.weight",
      -1, &st, nullptr);
  std::uint32_t n = 0;
  std::vector<double> lat;
  auto t0 = Clock::now();
  for (auto _ : state) {
    auto s = Clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (std::uint32_t i = 0; i < per_txn; ++i, ++n) {
      AccountId hk = hotkey(n % 4096);
      sqlite3_bind_blob(st, 1, hk.data(), 32, SQLITE_STATIC);
      sqlite3_bind_double(st, 2, n);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
      state.SkipWithError("commit failed");
    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  report(state, "raw/" + std::to_string(per_txn), static_cast<double>(n), secs, lat);
}
BENCHMARK(BM_SqliteRawInsert)
    ->Arg(1)
    ->Arg(256)
    ->UseRealTime()
    ->MinTime(kMinTime)
    ->Unit(benchmark::kMillisecond);

// Store::apply called directly (no writer thread): what the store adds to SQLite's own work.
void BM_StoreApply(benchmark::State& state) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  BenchDir dir;
  auto opened = Store::open(dir.file("s.db"));
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  std::vector<WeightUpdate> b(batch);
  std::uint32_t n = 0;
  std::vector<double> lat;
  double updates = 0;
  auto t0 = Clock::now();
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < batch; ++i, ++n)
      b[i] = WeightUpdate{2, 100, hotkey(n % 4096), Op::set, 1.0 * n};
    auto s = Clock::now();
    if (!store->apply(b).ok()) state.SkipWithError("apply failed");
    lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    updates += batch;
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  report(state, "store/" + std::to_string(batch), updates, secs, lat);
}
BENCHMARK(BM_StoreApply)->Arg(1)->Arg(256)->UseRealTime()->MinTime(kMinTime)->Unit(benchmark::kMillisecond);

// The Writer under `clients` closed-loop submitters (each submits its next batch when the previous
// one is answered, as a REST client would), batches of `batch` hotkeys. Latency: submit -> Done,
// that is, to durable.
void BM_WriterSustained(benchmark::State& state) {
  const auto batch = static_cast<std::uint32_t>(state.range(0));
  const auto clients = static_cast<std::uint32_t>(state.range(1));
  BenchDir dir;
  auto opened = Store::open(dir.file("w.db"));
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  Writer writer(*store, nullptr, {});
  std::mutex mu;
  std::condition_variable cv;
  std::vector<double> lat;
  std::uint64_t updates = 0;
  std::uint32_t next_key = 0;
  auto make = [&](std::uint32_t) {
    std::vector<WeightUpdate> b(batch);
    for (std::uint32_t i = 0; i < batch; ++i)
      b[i] = WeightUpdate{2, 100, hotkey(next_key++ % 4096), Op::set, 1.0};
    return b;
  };
  const std::uint32_t per_iter = clients * 4;
  auto t0 = Clock::now();
  for (auto _ : state) {
    std::uint32_t started = 0;
    std::uint32_t done = 0;
    std::function<void()> launch;
    launch = [&] {
      // Called with mu held or from one submitter at a time; builds and submits one batch.
      auto b = make(0);
      auto s = Clock::now();
      ++started;
      writer.submit(std::move(b), [&, s](pylon::Result<std::vector<double>> r) {
        std::lock_guard lock(mu);
        if (r.ok()) updates += batch;
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        ++done;
        if (started < per_iter) launch();
        cv.notify_one();
      });
    };
    {
      std::unique_lock lock(mu);
      for (std::uint32_t c = 0; c < clients; ++c) launch();
      cv.wait(lock, [&] { return done == per_iter; });
    }
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  WriterStats ws = writer.stats();
  writer.stop();
  state.counters["batches/txn"] = ws.transactions ? static_cast<double>(ws.batches) / ws.transactions : 0;
  report(state, "writer/" + std::to_string(batch) + "x" + std::to_string(clients),
         static_cast<double>(updates), secs, lat);
}
BENCHMARK(BM_WriterSustained)
    ->Args({1, 1})
    ->Args({1, 64})
    ->Args({256, 1})
    ->Args({256, 16})
    ->UseRealTime()
    ->MinTime(kMinTime)
    ->Unit(benchmark::kMillisecond);

// A validator pushing through the real shm queue, the Writer draining it: bursts of `burst`
// entries, each burst waited on until durable. Latency: push -> durable, per entry.
void BM_ShmPushToDurable(benchmark::State& state) {
  const auto burst = static_cast<std::uint32_t>(state.range(0));
  BenchDir dir;
  auto opened = Store::open(dir.file("q.db"));
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  pylon::shm::WeightQueueConfig qc;
  qc.name = "pylon-bench-wq-" + std::to_string(::getpid());
  qc.netuid = 2;
  qc.producer_slots = 4;
  qc.ring_capacity = 4096;
  auto q = pylon::shm::WeightQueue::open(qc);
  if (!q) {
    state.SkipWithError(q.error().message.c_str());
    return;
  }
  std::unique_ptr<pylon::shm::WeightQueue> queue = std::move(q).value();
  Writer writer(*store, queue.get(), [] {
    return std::optional<DrainContext>(
        DrainContext{2, 100, [](std::uint16_t uid) -> std::optional<AccountId> { return hotkey(uid); }, {}});
  });
  auto p = pylon::shm::WeightProducer::open(qc.name.c_str());
  if (!p.ok()) {
    state.SkipWithError(p.message());
    return;
  }
  std::vector<double> lat;
  std::vector<Clock::time_point> pushed(burst);
  std::uint64_t entries = 0;
  std::uint32_t next_uid = 0;
  auto t0 = Clock::now();
  for (auto _ : state) {
    std::uint64_t last = 0;
    for (std::uint32_t i = 0; i < burst; ++i) {
      pushed[i] = Clock::now();
      // 4096 uids (hotkeys) in turn, as the other benchmarks: each commit touches as many rows.
      auto seq = p->push_uid(static_cast<std::uint16_t>(next_uid++ % 4096), 1.0 + i);
      if (!seq.ok()) {
        state.SkipWithError(seq.message());
        return;
      }
      last = *seq;
    }
    // Time each entry as it becomes durable: between reads of durable() the producer sleeps in
    // wait_durable() on the ack word's futex, which the daemon wakes after each commit (a
    // sched_yield poll lost the core for a whole time slice to any busy process, ~4 ms at p99).
    const std::uint64_t first = last - burst + 1;
    std::uint64_t seen = first - 1;
    while (seen < last) {
      std::uint64_t d = p->durable();
      auto now = Clock::now();
      for (; seen < std::min(d, last); ++seen) {
        lat.push_back(std::chrono::duration<double, std::milli>(now - pushed[seen + 1 - first]).count());
      }
      if (seen < last && !p->wait_durable(seen + 1, std::chrono::seconds(30)).ok()) {
        state.SkipWithError("an entry did not become durable");
        return;
      }
    }
    entries += burst;
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  writer.stop();
  report(state, "shm/" + std::to_string(burst), static_cast<double>(entries), secs, lat);
}
BENCHMARK(BM_ShmPushToDurable)
    ->Arg(1)
    ->Arg(256)
    ->UseRealTime()
    ->MinTime(kMinTime)
    ->Unit(benchmark::kMillisecond);

void print_ratios() {
  std::map<std::string, double>& r = rates();
  auto ratio = [&](const char* what, const std::string& a, const std::string& b) {
    if (!r.count(a) || !r.count(b) || r[b] == 0) return;
    std::printf("  %-58s %10.0f / %10.0f updates/s = %.2f\n", what, r[a], r[b], r[a] / r[b]);
  };
  std::printf(
      "\nRatios against SQLite's own synced inserts (same run, same file system; medians of the "
      "repetitions):\n");
  ratio("store.apply, batch 1 / raw 1 per txn", "store/1", "raw/1");
  ratio("store.apply, batch 256 / raw 256 per txn", "store/256", "raw/256");
  ratio("writer, batch 1, 1 client / raw 1 per txn", "writer/1x1", "raw/1");
  ratio("writer, batch 1, 64 clients (group commit) / raw 1 per txn", "writer/1x64", "raw/1");
  ratio("writer, batch 1, 64 clients / raw 256 per txn", "writer/1x64", "raw/256");
  ratio("writer, batch 256, 1 client / raw 256 per txn", "writer/256x1", "raw/256");
  ratio("writer, batch 256, 16 clients / raw 256 per txn", "writer/256x16", "raw/256");
  ratio("shm burst 1 / raw 1 per txn", "shm/1", "raw/1");
  ratio("shm burst 256 / raw 256 per txn", "shm/256", "raw/256");
  // The goal for the shm path: push -> durable p50 <= 1.5x and p99 <= 2x one synced insert.
  std::map<std::string, std::map<std::string, double>>& l = latencies();
  auto latency = [&](const char* what, const std::string& a, const std::string& b, const char* k) {
    if (!l.count(a) || !l.count(b) || !l[a].count(k) || !l[b].count(k) || l[b][k] == 0) return;
    std::printf("  %-58s %10.3f / %10.3f ms = %.2fx\n", what, l[a][k], l[b][k], l[a][k] / l[b][k]);
  };
  std::printf("\nLatency to durable against one synced SQLite insert (same run):\n");
  latency("shm push -> durable p50 / raw 1 per txn p50", "shm/1", "raw/1", "p50_ms");
  latency("shm push -> durable p99 / raw 1 per txn p99", "shm/1", "raw/1", "p99_ms");
  latency("writer batch 1, 1 client p50 / raw 1 per txn p50", "writer/1x1", "raw/1", "p50_ms");
  latency("writer batch 1, 1 client p99 / raw 1 per txn p99", "writer/1x1", "raw/1", "p99_ms");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  print_ratios();
  return 0;
}

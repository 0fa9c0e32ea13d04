// Multi-process stress scenarios (fork): a writer at full speed against readers that check every
// snapshot, and producers SIGKILLed mid-push while a consumer drains. Shared by the client-only
// test (protocol-level consumer) and the daemon test (WeightQueue as the consumer).
#pragma once

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "shm_test_util.hpp"

namespace pylon::shm::test {

// Memory shared with forked children for their reports.
template <class T>
T* shared_anon() {
  void* p = ::mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  return new (p) T();
}
template <class T>
void free_anon(T* p) {
  p->~T();
  ::munmap(p, sizeof(T));
}

struct SnapshotStressReport {
  std::atomic<std::uint64_t> writer_done{0};
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> copies[4];
  std::atomic<std::uint64_t> torn[4];
  std::atomic<std::uint64_t> errors[4];
};

// What every snapshot stress run must show: no reader saw a torn snapshot or an error, each
// copied at least once, and no child died. Frees the report.
inline void expect_clean_and_free(SnapshotStressReport* rep) {
  for (int r = 0; r < 3; ++r) {
    EXPECT_EQ(rep->torn[r].load(), 0u) << "reader " << r;
    EXPECT_EQ(rep->errors[r].load(), 0u) << "reader " << r;
    EXPECT_GT(rep->copies[r].load(), 0u) << "reader " << r;
  }
  EXPECT_EQ(rep->errors[3].load(), 0u) << "a child exited abnormally";
  free_anon(rep);
}

// publish(block) is called by the writer child; readers open `name` with the client. With
// `mechanisms` > 0 they check that many mechanisms in every copy (check_snapshot).
inline void run_snapshot_stress(const char* name, std::uint32_t base_neurons, std::uint64_t publishes,
                                const std::function<void(std::uint64_t)>& publish, SnapshotStressReport* rep,
                                std::uint32_t mechanisms = 0) {
  const int readers = 3;
  std::vector<pid_t> kids;
  for (int r = 0; r < readers; ++r) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ShmResult<SnapshotReader> reader = SnapshotReader::open(name);
      if (!reader) ::_exit(2);
      Snapshot s;
      std::uint64_t last = 0, ok_reads = 0;
      while (rep->writer_done.load() == 0 || ok_reads == 0) {  // at least one read, even if starved
        ShmStatus st = reader->copy(s);
        if (!st) {
          if (st.code() != Errc::busy) rep->errors[r]++;
          continue;
        }
        if (!check_snapshot(s, base_neurons, mechanisms).empty() || s.block_number() < last) rep->torn[r]++;
        last = s.block_number();
        rep->copies[r]++;
        ok_reads++;
        if (r == 2) {  // this one also reads in place
          ShmResult<LiveView> v = reader->view();
          if (v) {
            std::uint64_t b = v->block_number();
            NeuronRecord n = v->neuron(1);
            if (v->valid()) {
              NeuronRecord want = expected_neuron(b, 1);
              if (std::memcmp(&n, &want, sizeof(n)) != 0) rep->torn[r]++;
            }
          }
        }
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  pid_t writer = ::fork();
  if (writer == 0) {
    for (std::uint64_t b = 2; b <= publishes; ++b) {
      publish(b);
      rep->published++;
    }
    rep->writer_done = 1;
    ::_exit(0);
  }
  kids.push_back(writer);
  for (pid_t k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rep->errors[3]++;
  }
}

struct KillReport {
  static constexpr int kMaxChildren = 64;
  std::atomic<std::uint64_t> acked[kMaxChildren];  // entries child i saw push() accept
  std::atomic<std::uint32_t> stop{0};
};

// Producer children push weights (uid = child id, weight = 0, 1, 2, ...) as fast as they can;
// the parent SIGKILLs one every few tens of ms and starts a replacement, which takes the dead
// one's slot over once its lease expires. drain(visit) consumes everything published so far and
// must call visit(uid, weight) for each entry; it returns the number of entries.
// A producer child's exit status when its lease was taken over while it was starved.
inline constexpr int kExitLeaseLost = 5;

struct KillOutcome {
  int children = 0;
  int killed = 0;
  int lease_lost = 0;  // producers whose slot was taken over while they were starved
  std::uint64_t entries = 0;
  std::vector<std::string> problems;
};

inline KillOutcome run_kill_stress(
    const char* queue_name, std::chrono::milliseconds duration,
    const std::function<std::size_t(const std::function<void(std::uint16_t, double)>&)>& drain) {
  KillReport* rep = shared_anon<KillReport>();
  KillOutcome out;
  std::vector<std::vector<double>> got(KillReport::kMaxChildren);
  auto visit = [&](std::uint16_t uid, double w) {
    if (uid >= KillReport::kMaxChildren) {
      out.problems.push_back("entry with unknown uid " + std::to_string(uid));
      return;
    }
    got[uid].push_back(w);
  };
  auto spawn = [&](int id) -> pid_t {
    pid_t pid = ::fork();
    if (pid == 0) {
      WeightProducer p;
      for (int tries = 0;; ++tries) {
        ShmResult<WeightProducer> r = WeightProducer::open(queue_name);
        if (r) {
          p = std::move(r).value();
          break;
        }
        if (r.code() != Errc::no_free_slot || tries > 5000) ::_exit(3);
        ::usleep(1000);  // a slot frees when another process's lease lapses: no event to wait on
      }
      for (std::uint64_t i = 0; rep->stop.load() == 0;) {
        ShmResult<std::uint64_t> s = p.push_uid(static_cast<std::uint16_t>(id), static_cast<double>(i));
        if (s) {
          rep->acked[id].store(i + 1);
          ++i;
        } else if (s.code() == Errc::full) {
          sched_yield();
        } else if (s.code() == Errc::lease_lost) {
          // Starved past its (100 ms) lease, e.g. on a loaded CI machine, this producer's slot
          // was taken over, which the protocol allows: it stops as a killed one would, and what
          // it acknowledged is still checked below.
          ::_exit(kExitLeaseLost);
        } else {
          ::_exit(4);
        }
      }
      ::_exit(0);
    }
    return pid;
  };
  std::vector<std::pair<int, pid_t>> live;
  int next_id = 0;
  for (; next_id < 4; ++next_id) live.emplace_back(next_id, spawn(next_id));
  std::mt19937 rng(42);
  auto start = std::chrono::steady_clock::now();
  auto next_kill = start + std::chrono::milliseconds(20 + rng() % 40);
  while (std::chrono::steady_clock::now() - start < duration) {
    out.entries += drain(visit);
    if (std::chrono::steady_clock::now() >= next_kill && next_id < KillReport::kMaxChildren) {
      std::size_t victim = rng() % live.size();
      ::kill(live[victim].second, SIGKILL);
      ::waitpid(live[victim].second, nullptr, 0);
      ++out.killed;
      live[victim] = {next_id, spawn(next_id)};
      ++next_id;
      next_kill = std::chrono::steady_clock::now() + std::chrono::milliseconds(20 + rng() % 40);
    }
  }
  rep->stop = 1;
  for (auto& [id, pid] : live) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kExitLeaseLost) {
      ++out.lease_lost;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      out.problems.push_back("producer " + std::to_string(id) + " failed (status " + std::to_string(status) +
                             ")");
    }
  }
  for (int i = 0; i < 3; ++i) out.entries += drain(visit);
  out.children = next_id;
  for (int id = 0; id < next_id; ++id) {
    const std::vector<double>& g = got[id];
    for (std::size_t k = 0; k < g.size(); ++k) {
      if (g[k] != static_cast<double>(k)) {
        out.problems.push_back("producer " + std::to_string(id) + ": entry " + std::to_string(k) + " is " +
                               std::to_string(g[k]) + " (lost or duplicated)");
        break;
      }
    }
    std::uint64_t acked = rep->acked[id].load();
    // Every acknowledged entry arrived; at most one more (published, killed before recording it).
    if (g.size() < acked || g.size() > acked + 1) {
      out.problems.push_back("producer " + std::to_string(id) + ": " + std::to_string(g.size()) +
                             " entries drained but " + std::to_string(acked) + " acknowledged");
    }
  }
  free_anon(rep);
  return out;
}

}  // namespace pylon::shm::test

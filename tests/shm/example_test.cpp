// Runs the README example (shm-client/examples/example.cpp) as a separate process against the
// real daemon side and checks what arrived in the queue.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "daemon_test_util.hpp"
#include "shm/snapshot_writer.hpp"
#include "shm/weight_queue.hpp"

namespace pylon::shm {
namespace {

TEST(ShmExample, ReadmeExampleRunsAgainstTheDaemon) {
  std::string snap_name = test::unique_name("example");
  std::string queue_name = queue_segment_name(snap_name);
  SnapshotWriterConfig sc;
  sc.name = snap_name;
  Result<std::unique_ptr<SnapshotWriter>> w = SnapshotWriter::create(sc);
  ASSERT_TRUE(w.ok());
  SnapshotData d = test::snapshot_data(1000, 300);  // 300 - 1000 % 17 = 289 neurons
  ASSERT_TRUE((*w)->publish(d).ok());
  WeightQueueConfig qc;
  qc.name = queue_name;
  qc.ring_capacity = 64;  // smaller than the neuron count: the example meets Errc::full
  Result<std::unique_ptr<WeightQueue>> q = WeightQueue::open(qc);
  ASSERT_TRUE(q.ok());

  pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(PYLON_SHM_EXAMPLE, PYLON_SHM_EXAMPLE, snap_name.c_str(), queue_name.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::vector<double> weight(d.neurons.size(), -1);
  std::size_t entries = 0;
  // The daemon side sleeps on the queue's doorbell, which the example rings when it pushes; the
  // example's exit wakes it too (a reaper blocked in waitpid), so the loop waits on events only.
  int status = 0;
  std::atomic<bool> exited{false};
  std::thread reaper([&] {
    ::pthread_setname_np(::pthread_self(), "example-reaper");
    ::waitpid(pid, &status, 0);
    exited.store(true);
    (*q)->wake();
  });
  bool timed_out = false, drained = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!exited.load() && drained) {
    Result<DrainReport> rep = (*q)->drain([&](std::span<const DrainedEntry> batch) -> Status {
      for (const DrainedEntry& e : batch) {
        if (e.uid < weight.size()) weight[e.uid] = e.weight;
        ++entries;
      }
      return {};
    });
    drained = rep.ok() && (*q)->mark_durable(*rep).ok();  // "the store committed"
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (drained) drained = (*q)->wait_for_entries(left, [&] { return exited.load(); });
  }
  if (!exited.load()) ::kill(pid, SIGKILL);  // ends the reaper's wait
  reaper.join();
  ASSERT_FALSE(timed_out) << "example did not finish within 30 s";
  ASSERT_TRUE(drained) << "drain, mark_durable or the doorbell wait failed";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(entries, d.neurons.size());
  double total = 0, sum = 0;
  for (const NeuronRecord& n : d.neurons) total += n.incentive;
  for (std::size_t uid = 0; uid < weight.size(); ++uid) {
    EXPECT_NEAR(weight[uid], d.neurons[uid].incentive / total, 1e-12) << uid;
    sum += weight[uid];
  }
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

}  // namespace
}  // namespace pylon::shm

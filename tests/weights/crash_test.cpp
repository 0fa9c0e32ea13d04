// SIGKILL at a random moment: a child process applies batches (directly, or through the Writer
// from several threads) and reports each one on a pipe after its apply returned; the parent kills
// it and reopens the file. Every batch reported acknowledged must be there, whole, and no batch
// may be there in part.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "weights/writer.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

constexpr std::uint32_t kPerBatch = 8;

// Batch `id` sets kPerBatch hotkeys of epoch id to id + k: a batch is checkable on its own.
std::vector<WeightUpdate> batch(std::uint64_t id) {
  std::vector<WeightUpdate> b;
  for (std::uint32_t k = 0; k < kPerBatch; ++k) b.push_back(test::set(k, static_cast<double>(id + k), id));
  return b;
}

void report(int fd, std::uint64_t id) {
  // 8-byte writes to a pipe are atomic (< PIPE_BUF), so threads do not interleave.
  if (::write(fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) ::_exit(3);
}

[[noreturn]] void child(const std::string& path, int fd, std::uint64_t base, bool through_writer) {
  Result<std::unique_ptr<Store>> s = Store::open(path);
  if (!s) ::_exit(2);
  if (!through_writer) {
    for (std::uint64_t id = base;; ++id) {
      if (!(*s)->apply(batch(id)).ok()) ::_exit(4);
      report(fd, id);
    }
  }
  Writer w(**s, nullptr, {});
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t id = base + t * 1000000;; ++id) {
        if (!w.apply(batch(id)).ok()) ::_exit(4);
        report(fd, id);
      }
    });
  }
  for (auto& t : threads) t.join();
  ::_exit(0);
}

// Reads whatever acknowledgements are available until `until`, or until EOF when until is null.
void read_acks(int fd, std::set<std::uint64_t>& acks, const std::chrono::steady_clock::time_point* until) {
  std::vector<char> pending;
  for (;;) {
    int timeout = -1;
    if (until != nullptr) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout = static_cast<int>(left.count());
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout) <= 0) continue;
    std::uint64_t buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;   // EOF: the child is gone
    ASSERT_EQ(n % 8, 0);  // atomic 8-byte writes
    for (ssize_t i = 0; i < n / 8; ++i) acks.insert(buf[i]);
  }
}

void crash_round(const std::string& path, std::uint64_t base, bool through_writer, std::mt19937& rng) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    child(path, fds[1], base, through_writer);
  }
  ::close(fds[1]);
  std::set<std::uint64_t> acks;
  // Let it get going (its first acknowledgement, however loaded the machine), then kill it at a
  // random moment after that.
  while (acks.empty()) {
    const auto before = acks.size();
    const auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    read_acks(fds[0], acks, &soon);
    if (acks.size() == before && ::waitpid(pid, nullptr, WNOHANG) == pid)
      FAIL() << "the child ended before its first acknowledgement";
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(40 + rng() % 200);
  read_acks(fds[0], acks, &until);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended by itself, status " << status;
  read_acks(fds[0], acks, nullptr);
  ::close(fds[0]);
  ASSERT_FALSE(acks.empty()) << "the child acknowledged nothing before the kill";

  auto s = test::open_store(path);  // recovers the WAL
  ASSERT_TRUE(s);
  for (std::uint64_t id : acks) {
    Result<std::map<AccountId, double>> w = s->weights({2}, id);
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->size(), kPerBatch) << "acknowledged batch " << id << " is missing after the kill";
    for (std::uint32_t k = 0; k < kPerBatch; ++k)
      EXPECT_EQ(w->at(test::hotkey(k)), static_cast<double>(id + k));
  }
  // Batches in flight at the kill may be there or not, but only whole.
  Result<std::vector<std::uint64_t>> epochs = s->epochs({2}, 1000000);
  ASSERT_TRUE(epochs.ok());
  for (std::uint64_t e : *epochs) {
    Result<std::map<AccountId, double>> w = s->weights({2}, e);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->size(), kPerBatch) << "batch " << e << " is there in part";
  }
  std::printf("crash round (base %llu, %s): %zu batches acknowledged, %zu stored\n",
              static_cast<unsigned long long>(base), through_writer ? "writer" : "store", acks.size(),
              epochs->size());
}

TEST(WeightsCrash, AcknowledgedBatchesSurviveSigkill) {
  std::random_device rd;
  unsigned seed = rd();
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  test::TempDir dir;
  std::string path = dir.file("crash.db");
  // Rounds continue on the same file: each also recovers what the previous kill left.
  for (std::uint64_t round = 0; round < 3; ++round) crash_round(path, 1 + round * 100000000, false, rng);
  for (std::uint64_t round = 3; round < 5; ++round) crash_round(path, 1 + round * 100000000, true, rng);
}

}  // namespace
}  // namespace pylon::weights

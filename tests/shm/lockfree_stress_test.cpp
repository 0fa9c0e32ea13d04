// In-process concurrency: a writer thread publishing back to back against reader threads, and
// producer threads against a draining consumer thread. These run under ThreadSanitizer in the
// TSan tree (client headers + Threads only). Loops are bounded by count, not time.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "shm_test_util.hpp"

namespace pylon::shm {
namespace {

constexpr std::uint32_t kNeurons = 128;

#if defined(__SANITIZE_THREAD__)
constexpr bool kTsan = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr bool kTsan = true;
#else
constexpr bool kTsan = false;
#endif
#else
constexpr bool kTsan = false;
#endif

void snapshot_stress(std::uint32_t slots) {
  // Three mechanisms: their columns are copied under the same seqlock as the rows.
  SnapshotSegmentHeader geo = snapshot_geometry(slots, kNeurons, 8, 256, 1, 1, 3);
  std::vector<std::uint64_t> mem(geo.segment_size / 8);
  auto* base = reinterpret_cast<unsigned char*>(mem.data());
  format_snapshot_segment(base, geo, 1);
  test::TestPublisher pub(base, geo, kNeurons, 3);
  pub.publish(1);
  const std::uint64_t publishes = kTsan ? 600 : 5000;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> torn{0}, copies{0}, views{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      ShmResult<SnapshotReader> r = SnapshotReader::attach(base, geo.segment_size);
      if (!r) {
        torn++;
        return;
      }
      Snapshot s;
      std::uint64_t last_block = 0, ok_reads = 0;
      // Keep reading after the writer stops until one read succeeded, so a starved reader on a
      // loaded machine still proves something instead of failing the count check.
      while (!done.load(std::memory_order_acquire) || ok_reads == 0) {
        if (t == 0) {
          ShmStatus st = r->copy(s);
          if (!st) continue;  // busy: allowed, never torn
          if (!test::check_snapshot(s, kNeurons, 3).empty() || s.block_number() < last_block) torn++;
          last_block = s.block_number();
          copies++;
          ok_reads++;
        } else {
          ShmResult<LiveView> v = r->view();
          if (!v) continue;
          std::uint64_t block = v->block_number();
          NeuronRecord n = v->neuron(5);
          std::uint64_t stake = v->stake(9);
          if (!v->valid()) continue;  // discarded, as documented
          NeuronRecord want = test::expected_neuron(block, 5);
          if (std::memcmp(&n, &want, sizeof(n)) != 0 || stake != block * 1000003 + 9) torn++;
          views++;
          ok_reads++;
        }
      }
    });
  }
  for (std::uint64_t b = 2; b <= publishes; ++b) pub.publish(b);
  done.store(true, std::memory_order_release);
  for (auto& th : readers) th.join();
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_GT(copies.load(), 0u);
  EXPECT_GT(views.load(), 0u);
}

TEST(ShmLockFree, SnapshotDoubleBufferNeverTorn) {
  snapshot_stress(2);
}
TEST(ShmLockFree, SnapshotSingleSlotSeqlockNeverTorn) {
  snapshot_stress(1);
}

// The producers of the queue tests: thread t attaches to slot t and pushes 0, 1, 2, ... as the
// weight of uid t, yielding while the ring is full. `after_push(producer, seq, count)` runs after
// each accepted push and `at_end(producer, last_seq)` once all its pushes are counted in
// `finished`; either returning false counts a failure.
struct ProducerThreads {
  std::atomic<std::uint32_t> finished{0};
  std::atomic<std::uint64_t> failures{0};
  std::vector<std::thread> threads;

  template <class AfterPush, class AtEnd>
  void start(test::QueueImages& img, std::uint32_t producers, std::uint64_t per_producer,
             AfterPush after_push, AtEnd at_end) {
    for (std::uint32_t t = 0; t < producers; ++t) {
      threads.emplace_back([&img, this, t, per_producer, after_push, at_end] {
        ProducerOptions o;
        o.preferred_slot = static_cast<std::int32_t>(t);
        ShmResult<WeightProducer> p = img.attach(o);
        if (!p) {
          failures++;
          finished++;
          return;
        }
        std::uint64_t last = 0;
        for (std::uint64_t i = 0; i < per_producer;) {
          ShmResult<std::uint64_t> s = p->push_uid(static_cast<std::uint16_t>(t), static_cast<double>(i));
          if (s.ok()) {
            last = *s;
            ++i;
            if (!after_push(*p, last, i)) failures++;
          } else if (s.code() == Errc::full) {
            std::this_thread::yield();
          } else {
            failures++;
            break;
          }
        }
        finished++;  // before at_end: a consumer woken there must already see it
        if (!at_end(*p, last)) failures++;
      });
    }
  }
  void join() {
    for (auto& th : threads) th.join();
  }
};

// The consumer's check: per producer uid, weights must arrive as 0, 1, 2, ... exactly once.
struct InOrder {
  explicit InOrder(std::uint32_t producers) : next(producers, 0) {}
  void operator()(std::uint32_t, std::uint64_t, const WeightEntry& e) {
    if (e.uid >= next.size() || e.weight != static_cast<double>(next[e.uid])) {
      ++bad;
      return;
    }
    ++next[e.uid];
  }
  std::vector<std::uint64_t> next;
  std::uint64_t bad = 0;
};

TEST(ShmLockFree, ProducersAndConsumerLoseAndDuplicateNothing) {
  const std::uint32_t producers = 4;
  const std::uint64_t per_producer = kTsan ? 3000 : 40000;
  QueueSegmentHeader geo = queue_geometry(8, 64, 10000, 1, 1);
  test::QueueImages img(geo);
  ProducerThreads pt;
  pt.start(
      img, producers, per_producer, [](WeightProducer&, std::uint64_t, std::uint64_t) { return true; },
      [](WeightProducer& p, std::uint64_t last) {
        return p.wait_durable(last, std::chrono::seconds(30)).ok();
      });
  InOrder check(producers);
  test::ProtocolDrainer d = img.drainer();
  auto visit = [&](std::uint32_t slot, std::uint64_t seq, const WeightEntry& e) { check(slot, seq, e); };
  while (pt.finished.load() < producers) {
    if (d.drain(visit) == 0) std::this_thread::yield();
  }
  d.drain(visit);
  pt.join();
  EXPECT_EQ(pt.failures.load(), 0u);
  EXPECT_EQ(check.bad, 0u);
  for (std::uint32_t t = 0; t < producers; ++t) EXPECT_EQ(check.next[t], per_producer) << t;
}

TEST(ShmLockFree, TheDoorbellWakesASleepingConsumerEveryTime) {
  // The consumer sleeps on the doorbell whenever the rings are empty; producers push in small
  // bursts with pauses, so it falls asleep often and every burst must wake it. A lost wake-up
  // shows as a sleep that ran to its (long) timeout while pushes were still pending.
  const std::uint32_t producers = 2;
  const std::uint64_t per_producer = kTsan ? 400 : 4000;
  QueueSegmentHeader geo = queue_geometry(4, 64, 10000, 1, 1);
  test::QueueImages img(geo);
  auto* header = reinterpret_cast<QueueSegmentHeader*>(img.base());
  ProducerThreads pt;
  pt.start(
      img, producers, per_producer,
      // Every few pushes, wait until the consumer made them durable: it then goes to sleep.
      [](WeightProducer& p, std::uint64_t seq, std::uint64_t count) {
        return count % 3 != 0 || p.wait_durable(seq, std::chrono::seconds(60)).ok();
      },
      // Wake the consumer once more so it sees finished (a last push would do the same).
      [header](WeightProducer&, std::uint64_t) {
        __atomic_fetch_add(&header->doorbell, 1u, __ATOMIC_SEQ_CST);
        ::syscall(SYS_futex, &header->doorbell, FUTEX_WAKE, 1, nullptr, nullptr, 0);
        return true;
      });
  InOrder check(producers);
  test::ProtocolDrainer d = img.drainer();
  auto visit = [&](std::uint32_t slot, std::uint64_t seq, const WeightEntry& e) { check(slot, seq, e); };
  std::uint64_t sleeps = 0, timeouts = 0;
  auto all_done = [&] { return pt.finished.load() == producers; };
  while (!all_done()) {
    if (d.drain(visit) != 0) continue;
    ++sleeps;
    if (!d.sleep_until_pushed(std::chrono::seconds(20), all_done)) ++timeouts;
  }
  d.drain(visit);
  pt.join();
  EXPECT_EQ(pt.failures.load(), 0u);
  EXPECT_EQ(check.bad, 0u);
  EXPECT_EQ(timeouts, 0u) << "a push did not wake the sleeping consumer";
  EXPECT_GT(sleeps, 10u);
  for (std::uint32_t t = 0; t < producers; ++t) EXPECT_EQ(check.next[t], per_producer) << t;
}

}  // namespace
}  // namespace pylon::shm

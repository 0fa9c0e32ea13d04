// The writer draining the real shm weight queue fed by a real shm-client producer: uid and hotkey
// entries land in the current epoch under the mechanism they name, refused entries (an
// unregistered uid, a mechanism the subnet lacks) are recorded and still become durable, the
// durable position moves only after the commit, and a restarted daemon skips what the store has.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../common/poll_until.hpp"
#include "pylon/shm/weight_producer.hpp"
#include "shm/weight_queue.hpp"
#include "weights/drain_batch.hpp"
#include "weights/writer.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using namespace std::chrono_literals;
using test::hotkey;

shm::WeightQueueConfig queue_config(const std::string& name) {
  shm::WeightQueueConfig c;
  c.name = name;
  c.netuid = 2;
  c.producer_slots = 4;
  c.ring_capacity = 64;
  return c;
}

std::unique_ptr<shm::WeightQueue> open_queue(const std::string& name) {
  Result<std::unique_ptr<shm::WeightQueue>> q = shm::WeightQueue::open(queue_config(name));
  if (!q) {
    ADD_FAILURE() << q.error().message;
    return nullptr;
  }
  return std::move(q).value();
}

shm::WeightProducer open_producer(const std::string& name) {
  shm::ShmResult<shm::WeightProducer> p = shm::WeightProducer::open(name.c_str());
  EXPECT_TRUE(p.ok()) << p.message();
  return p.ok() ? std::move(p).value() : shm::WeightProducer{};
}

// Pushes one uid entry and waits (up to 10 s) until the daemon says it is durable: its sequence
// number, or 0 (never a sequence number: they start at 1) after a failure the EXPECTs here name.
std::uint64_t push_durable(shm::WeightProducer& p, std::uint16_t uid, double value,
                           shm::WeightOp op = shm::WeightOp::set) {
  shm::ShmResult<std::uint64_t> seq = p.push_uid(uid, value, op);
  EXPECT_TRUE(seq.ok()) << seq.message();
  if (!seq.ok()) return 0;
  shm::ShmStatus durable = p.wait_durable(*seq, 10s);
  EXPECT_TRUE(durable.ok()) << durable.message();
  return durable.ok() ? *seq : 0;
}

// Subnet 2 at epoch 100, uids 0..9 registered (uid n is hotkey(n)).
std::optional<AccountId> registered(std::uint16_t uid) {
  if (uid < 10) return hotkey(uid);
  return std::nullopt;
}

DrainContextFn context() {
  return [] { return std::optional<DrainContext>(DrainContext{2, 100, &registered, {}}); };
}

std::map<AccountId, double> weights_of(Store& s) {
  Result<std::map<AccountId, double>> w = s.weights({2}, 100);
  return w.ok() ? *w : std::map<AccountId, double>{};
}

// Every test: a fresh store, and a shared-memory name of its own for the queue.
class WeightsDrain : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(s); }

  test::TempDir dir;
  std::string path = dir.file("w.db");
  std::unique_ptr<Store> s = test::open_store(path);
  std::string name = test::unique_shm_name("drain");
};

TEST_F(WeightsDrain, UidAndHotkeyEntriesLandAndRefusalsAreRecorded) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  Writer w(*s, q.get(), context());
  shm::WeightProducer p = open_producer(name);
  AccountId h20 = hotkey(20);
  AccountId h21 = hotkey(21);
  ASSERT_TRUE(p.push_uid(3, 0.5).ok());
  ASSERT_TRUE(p.push_hotkey(h20.data(), 1.0).ok());
  ASSERT_TRUE(p.push_uid(3, 0.25, shm::WeightOp::add).ok());
  ASSERT_TRUE(p.push_uid(99, 1).ok());                                  // not registered
  ASSERT_TRUE(p.push_hotkey(h21.data(), -1).ok());                      // negative set
  ASSERT_TRUE(p.push_hotkey(h20.data(), -5, shm::WeightOp::add).ok());  // below zero
  shm::ShmResult<std::uint64_t> last = p.push_uid(4, 2);
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(p.wait_durable(*last, 10s).ok());

  auto got = weights_of(*s);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(got[hotkey(3)], 0.75);
  EXPECT_EQ(got[h20], 1.0);
  EXPECT_EQ(got[hotkey(4)], 2);
  Result<std::vector<RejectedEntry>> rej = s->rejected(2);
  ASSERT_TRUE(rej.ok());
  ASSERT_EQ(rej->size(), 3u);
  std::map<std::uint64_t, std::string> by_seq;
  for (const RejectedEntry& r : *rej) {
    EXPECT_EQ(r.at.producer, p.slot());
    by_seq[r.at.seq] = r.reason;
  }
  EXPECT_EQ(by_seq[4], "uid 99 is not registered on subnet 2");
  EXPECT_NE(by_seq[5].find("weights are non-negative"), std::string::npos) << by_seq[5];
  EXPECT_NE(by_seq[6].find("would become -4"), std::string::npos) << by_seq[6];
  Result<std::map<std::uint32_t, std::uint64_t>> pos = s->queue_durable(2);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(pos->at(p.slot()), *last);
  w.stop();
  WriterStats st = w.stats();
  EXPECT_EQ(st.queue_entries, 4u);
  EXPECT_EQ(st.queue_rejected, 3u);
}

TEST_F(WeightsDrain, DurableOnlyAfterTheCommit) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  shm::WeightProducer p = open_producer(name);
  // Another connection holds the write lock: the writer's transaction cannot commit yet.
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Writer w(*s, q.get(), context());
  shm::ShmResult<std::uint64_t> seq = p.push_uid(1, 0.5);
  ASSERT_TRUE(seq.ok());
  std::this_thread::sleep_for(300ms);  // kept: a negative check, the window a wrong ack would show in
  EXPECT_EQ(p.durable(), 0u) << "durable before the commit";
  EXPECT_EQ(p.wait_durable(*seq, 1ms).code(), shm::Errc::timeout);
  ASSERT_EQ(sqlite3_exec(blocker, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  ASSERT_TRUE(p.wait_durable(*seq, 10s).ok());
  EXPECT_EQ(weights_of(*s)[hotkey(1)], 0.5);
}

TEST_F(WeightsDrain, WithoutAContextTheQueueWaits) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  std::atomic<bool> have_snapshot{false};
  DrainContextFn ready = context();
  Writer w(*s, q.get(), [&]() -> std::optional<DrainContext> {
    if (!have_snapshot) return std::nullopt;
    return ready();
  });
  shm::WeightProducer p = open_producer(name);
  shm::ShmResult<std::uint64_t> seq = p.push_uid(1, 0.5);
  ASSERT_TRUE(seq.ok());
  std::this_thread::sleep_for(50ms);  // kept: a negative check, the window a drain would show in
  EXPECT_EQ(p.drained(), 0u);
  EXPECT_TRUE(weights_of(*s).empty());
  have_snapshot = true;
  ASSERT_TRUE(p.wait_durable(*seq, 10s).ok());
  EXPECT_EQ(weights_of(*s)[hotkey(1)], 0.5);
}

TEST_F(WeightsDrain, ARestartedDaemonSkipsWhatTheStoreCommitted) {
  auto first = open_queue(name);
  ASSERT_TRUE(first);
  shm::WeightProducer p = open_producer(name);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(p.push_uid(1, 1, shm::WeightOp::add).ok());
  // The crashed daemon drained and committed the three adds, then died before mark_durable.
  Result<shm::DrainReport> rep = first->drain([&](std::span<const shm::DrainedEntry> e) -> Status {
    std::vector<WeightUpdate> b;
    for (std::size_t i = 0; i < e.size(); ++i) b.push_back(test::add(1, 1));
    std::vector<QueueMark> marks = {{e.back().producer, e.back().seq}};
    Result<std::vector<double>> r = s->apply(b, marks);
    if (!r) return r.error();
    return {};
  });
  ASSERT_TRUE(rep.ok());
  first->detach();
  EXPECT_EQ(p.durable(), 0u);

  auto second = open_queue(name);  // adopts: drained winds back to durable (0), a replay
  ASSERT_TRUE(second);
  EXPECT_NE(second->open_note().find("adopted"), std::string::npos) << second->open_note();
  Writer w(*s, second.get(), context());
  ASSERT_NE(push_durable(p, 1, 1, shm::WeightOp::add), 0u);
  EXPECT_EQ(weights_of(*s)[hotkey(1)], 4) << "the replayed adds were applied twice";
  w.stop();
  EXPECT_EQ(w.stats().queue_entries, 1u);
}

TEST_F(WeightsDrain, AFreshSegmentForgetsTheOldPositions) {
  std::vector<QueueMark> old = {{0, 50}, {1, 50}, {2, 50}, {3, 50}};
  ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{test::set(7, 1)}, old).ok());
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  Writer w(*s, q.get(), context());
  shm::WeightProducer p = open_producer(name);
  ASSERT_EQ(push_durable(p, 2, 0.5), 1u);
  EXPECT_EQ(weights_of(*s)[hotkey(2)], 0.5);
  Result<std::map<std::uint32_t, std::uint64_t>> pos = s->queue_durable(2);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, (std::map<std::uint32_t, std::uint64_t>{{p.slot(), 1}}));
}

TEST_F(WeightsDrain, ATruncatedSegmentIsRecreatedAndTheDaemonLives) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  Writer w(*s, q.get(), context());
  {
    shm::WeightProducer p = open_producer(name);
    ASSERT_NE(push_durable(p, 1, 0.5), 0u);  // acknowledged: it is in SQLite
  }
  // A validator with write access truncates the segment (truncate -s 0 /dev/shm/<name>).
  int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  ::close(fd);
  // The writer notices on its next round and creates a new segment; a producer reopens it by name.
  shm::ShmResult<shm::WeightProducer> again = shm::WeightProducer::open(name.c_str());
  ::pylon::test::poll_until(
      [&] {
        again = shm::WeightProducer::open(name.c_str());
        return again.ok();
      },
      20s, 1ms);
  ASSERT_TRUE(again.ok()) << again.message();
  ASSERT_EQ(push_durable(*again, 2, 0.25), 1u);  // a new segment numbers from 1
  EXPECT_EQ(q->origin(), shm::QueueOrigin::replaced);
  auto got = weights_of(*s);
  EXPECT_EQ(got[hotkey(1)], 0.5) << "an acknowledged entry was lost";
  EXPECT_EQ(got[hotkey(2)], 0.25);
  Result<std::map<std::uint32_t, std::uint64_t>> pos = s->queue_durable(2);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, (std::map<std::uint32_t, std::uint64_t>{{again->slot(), 1}}));
}

TEST_F(WeightsDrain, StopDrainsOnceMore) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  // No snapshot until the very end, and no self-wake in time: only stop()'s last round can drain.
  std::atomic<bool> have_snapshot{false};
  DrainContextFn ready = context();
  Writer w(
      *s, q.get(),
      [&]() -> std::optional<DrainContext> {
        if (!have_snapshot) return std::nullopt;
        return ready();
      },
      WriterOptions{.idle_check_every = std::chrono::hours(1)});
  shm::WeightProducer p = open_producer(name);
  std::uint64_t last = 0;
  for (std::uint16_t uid = 0; uid < 10; ++uid) {
    shm::ShmResult<std::uint64_t> seq = p.push_uid(uid, uid + 1);
    ASSERT_TRUE(seq.ok());
    last = *seq;
  }
  have_snapshot = true;
  w.stop();
  EXPECT_EQ(p.durable(), last);
  auto got = weights_of(*s);
  EXPECT_EQ(got.size(), 10u);
  EXPECT_EQ(got[hotkey(9)], 10);
}

// Waits until the writer sleeps on the queue's doorbell (the ack segment says so).
void wait_until_writer_sleeps(const std::string& queue) {
  shm::ShmResult<shm::Mapping> ack = shm::Mapping::open((queue + shm::kAckSuffix).c_str(), false);
  ASSERT_TRUE(ack.ok()) << ack.message();
  const auto* h = reinterpret_cast<const shm::AckSegmentHeader*>(ack->data());
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (shm::load_seq_cst(&h->writer_sleeping) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(shm::load_seq_cst(&h->writer_sleeping), 1u) << "the writer never went to sleep";
}

TEST_F(WeightsDrain, APushWakesTheSleepingWriter) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  // The writer wakes by itself only once an hour: only the doorbell can make this durable in time.
  Writer w(*s, q.get(), context(), WriterOptions{.idle_check_every = std::chrono::hours(1)});
  shm::WeightProducer p = open_producer(name);
  for (int round = 0; round < 20; ++round) {
    wait_until_writer_sleeps(name);
    shm::ShmResult<std::uint64_t> seq = p.push_uid(static_cast<std::uint16_t>(round % 10), round);
    ASSERT_TRUE(seq.ok());
    ASSERT_TRUE(p.wait_durable(*seq, 20s).ok()) << "round " << round << ": the push did not wake the writer";
  }
  EXPECT_EQ(weights_of(*s)[hotkey(9)], 19);
}

TEST_F(WeightsDrain, ARestSubmitWakesTheWriterSleepingOnTheQueue) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  Writer w(*s, q.get(), context(), WriterOptions{.idle_check_every = std::chrono::hours(1)});
  for (int round = 0; round < 5; ++round) {
    wait_until_writer_sleeps(name);
    Result<std::vector<double>> r = w.apply({test::set(3, round)});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_EQ(weights_of(*s)[hotkey(3)], 4);
  w.stop();  // wakes it too: the test would hang here otherwise
}

// Subnet 2 with mechanisms 0 and 1: each entry lands under the mechanism it names; entries for
// mechanisms the subnet lacks are refused, recorded and counted like any other invalid entry, and
// the ring goes on past them.
TEST_F(WeightsDrain, EntriesLandUnderTheirMechanismAndUnknownMechanismsAreRefused) {
  auto q = open_queue(name);
  ASSERT_TRUE(q);
  std::atomic<int> asked{0};
  Writer w(*s, q.get(), [&asked]() -> std::optional<DrainContext> {
    DrainContext c{2, 100, &registered, {}};
    c.mechanism_count = [&asked]() -> Result<std::uint8_t> {
      ++asked;
      return std::uint8_t{2};
    };
    return c;
  });
  shm::WeightProducer p = open_producer(name);
  AccountId h20 = hotkey(20);
  ASSERT_TRUE(p.push_uid(3, 0.5).ok());  // the default: mechanism 0
  ASSERT_TRUE(p.push_uid(3, 0.75, shm::WeightOp::set, 1).ok());
  ASSERT_TRUE(p.push_hotkey(h20.data(), 1.0, shm::WeightOp::set, 1).ok());
  ASSERT_TRUE(p.push_uid(4, 2, shm::WeightOp::set, 2).ok());    // the subnet has 0 and 1 only
  ASSERT_TRUE(p.push_uid(5, 3, shm::WeightOp::set, 255).ok());  // the largest a byte names
  ASSERT_TRUE(p.push_uid(3, 0.25, shm::WeightOp::add, 1).ok());
  std::uint64_t last = push_durable(p, 6, 0.125);  // the queue goes on
  ASSERT_EQ(last, 7u);

  auto m0 = s->weights({2}, 100, 0);
  ASSERT_TRUE(m0.ok()) << m0.error().message;
  EXPECT_EQ(*m0, (std::map<AccountId, double>{{hotkey(3), 0.5}, {hotkey(6), 0.125}}));
  auto m1 = s->weights({2}, 100, 1);
  ASSERT_TRUE(m1.ok()) << m1.error().message;
  EXPECT_EQ(*m1, (std::map<AccountId, double>{{hotkey(3), 1.0}, {h20, 1.0}}));
  auto mechanisms = s->mechanisms({2}, 100);
  ASSERT_TRUE(mechanisms.ok());
  EXPECT_EQ(*mechanisms, (std::vector<std::uint8_t>{0, 1}));
  Result<std::vector<RejectedEntry>> rej = s->rejected(2);
  ASSERT_TRUE(rej.ok());
  std::map<std::uint64_t, std::string> by_seq;
  for (const RejectedEntry& r : *rej) by_seq[r.at.seq] = r.reason;
  EXPECT_EQ(by_seq,
            (std::map<std::uint64_t, std::string>{{4, "mechanism 2 is not on subnet 2 (it has 2)"},
                                                  {5, "mechanism 255 is not on subnet 2 (it has 2)"}}));
  w.stop();
  WriterStats st = w.stats();
  EXPECT_EQ(st.queue_entries, 5u);
  EXPECT_EQ(st.queue_rejected, 2u);
  // Mechanism-0 entries never ask the chain, and a batch asks at most once.
  EXPECT_GE(asked.load(), 1);
  EXPECT_LE(asked.load(), 4);
}

shm::DrainedEntry entry(std::uint64_t seq, std::uint8_t mechanism) {
  shm::DrainedEntry e;
  e.seq = seq;
  e.uid = 1;
  e.weight = 0.5;
  e.mechanism = mechanism;
  return e;
}

// Without an answer about the subnet's mechanisms an entry above mechanism 0 cannot be stored
// (its weights could never be committed): refused with the reason, mechanism 0 unaffected.
TEST(WeightsDrainBatch, MechanismsThatCannotBeCheckedAreRefusedWithTheReason) {
  const std::vector<shm::DrainedEntry> entries{entry(1, 0), entry(2, 1), entry(3, 1), entry(4, 0)};
  DrainContext ctx{2, 100, &registered, {}};
  QueueBatch no_chain = to_queue_batch(entries, ctx);
  ASSERT_EQ(no_chain.updates.size(), 2u);
  EXPECT_EQ(no_chain.updates[0].mechanism, 0);
  EXPECT_EQ(no_chain.origins[1].seq, 4u);
  ASSERT_EQ(no_chain.refused.size(), 2u);
  EXPECT_NE(no_chain.refused[0].second.find("no chain is configured"), std::string::npos)
      << no_chain.refused[0].second;
  ASSERT_EQ(no_chain.marks.size(), 1u);
  EXPECT_EQ(no_chain.marks[0].seq, 4u);  // refused entries become durable too

  int asked = 0;
  ctx.mechanism_count = [&asked]() -> Result<std::uint8_t> {
    ++asked;
    return make_error("node unreachable");
  };
  QueueBatch failed = to_queue_batch(entries, ctx);
  EXPECT_EQ(asked, 1);  // once per batch, not once per entry
  ASSERT_EQ(failed.refused.size(), 2u);
  EXPECT_EQ(failed.refused[1].first.seq, 3u);
  EXPECT_EQ(failed.refused[1].second,
            "mechanism 1 cannot be checked: the subnet's mechanisms: node unreachable");

  ctx.mechanism_count = []() -> Result<std::uint8_t> { return std::uint8_t{1}; };  // no mechanisms
  QueueBatch one = to_queue_batch(entries, ctx);
  EXPECT_EQ(one.updates.size(), 2u);
  ASSERT_EQ(one.refused.size(), 2u);
  EXPECT_EQ(one.refused[0].second, "mechanism 1 is not on subnet 2 (it has 1)");
}

}  // namespace
}  // namespace pylon::weights

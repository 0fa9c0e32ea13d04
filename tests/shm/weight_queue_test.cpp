// Daemon-side weight queue: drain batches, durability, callback failure, rejected entries,
// adoption after a crash, replacement of unusable segments, and segments that a producer
// truncates, replaces or overwrites while the daemon runs.
#include "shm/weight_queue.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "shm_test_util.hpp"

namespace pylon::shm {
namespace {

using namespace std::chrono_literals;

WeightQueueConfig config(const std::string& name) {
  WeightQueueConfig c;
  c.name = name;
  c.netuid = 7;
  c.producer_slots = 4;
  c.ring_capacity = 16;
  return c;
}

std::unique_ptr<WeightQueue> open_queue(const WeightQueueConfig& c) {
  Result<std::unique_ptr<WeightQueue>> q = WeightQueue::open(c);
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return q.ok() ? std::move(q).value() : nullptr;
}

// One drain whose callback accepts the batch and keeps a copy of it in `seen`.
Result<DrainReport> drain_keeping(WeightQueue& q, std::vector<DrainedEntry>& seen) {
  return q.drain([&](std::span<const DrainedEntry> batch) -> Status {
    seen.assign(batch.begin(), batch.end());
    return {};
  });
}

TEST(ShmWeightQueue, DrainThenDurable) {
  std::string name = test::unique_name("wq");
  auto q = open_queue(config(name));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->open_note(), "created a new queue segment");
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok()) << p.message();
  std::uint8_t hk[32] = {9, 9, 9};
  ASSERT_TRUE(p->push_uid(3, 0.5).ok());
  ShmResult<std::uint64_t> last = p->push_hotkey(hk, -0.25, WeightOp::add, 4);  // mechanism 4
  ASSERT_TRUE(last.ok());
  std::vector<DrainedEntry> seen;
  Result<DrainReport> rep = drain_keeping(*q, seen);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->entries, 2u);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].producer, p->slot());
  EXPECT_EQ(seen[0].seq, 1u);
  EXPECT_EQ(seen[0].uid, 3);
  EXPECT_EQ(seen[0].weight, 0.5);
  EXPECT_EQ(seen[0].mechanism, 0);  // the default
  EXPECT_EQ(seen[1].key_kind, KeyKind::hotkey);
  EXPECT_EQ(seen[1].op, WeightOp::add);
  EXPECT_EQ(seen[1].hotkey[0], 9);
  EXPECT_EQ(seen[1].mechanism, 4);  // whether the subnet has it is the weights writer's check
  EXPECT_EQ(seen[1].seq, *last);
  EXPECT_EQ(p->drained(), 2u);
  EXPECT_EQ(p->wait_durable(*last, 1ms).code(), Errc::timeout);  // drained, not committed
  ASSERT_TRUE(q->mark_durable(*rep).ok());
  EXPECT_TRUE(p->wait_durable(*last, 1ms).ok());
  Result<SlotPositions> pos = q->positions(p->slot());
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(pos->head, 2u);
  EXPECT_EQ(pos->durable, 2u);
}

// Whether thread `tid` of this process is asleep (state S in /proc: a futex wait, here).
bool asleep(pid_t tid) {
  std::FILE* f = std::fopen(("/proc/self/task/" + std::to_string(tid) + "/stat").c_str(), "r");
  if (!f) return false;
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const char* close = std::strrchr(buf, ')');  // the name in parentheses may hold spaces
  return n > 0 && close && close[1] == ' ' && close[2] == 'S';
}

TEST(ShmWeightQueue, MarkDurableWakesASleepingProducerAtOnce) {
  // The producer's wait sleeps on the durable word, each sleep capped at a quarter of the lease:
  // with an hour's lease and an hour's wait, only mark_durable's wake-up can end it within the
  // test's run (without it the test hangs until ctest's timeout).
  std::string name = test::unique_name("wqwake");
  WeightQueueConfig c = config(name);
  c.lease_timeout_ms = 3'600'000;
  auto q = open_queue(c);
  ASSERT_TRUE(q);
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok()) << p.message();
  ShmResult<std::uint64_t> seq = p->push_uid(3, 0.5);
  ASSERT_TRUE(seq.ok());
  std::atomic<pid_t> tid{0};
  ShmStatus waited = make_shm_error(Errc::invalid_argument, "not run");
  std::thread waiter([&] {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    waited = p->wait_durable(*seq, 1h);
  });
  while (tid.load() == 0 || !asleep(tid.load())) std::this_thread::yield();  // in its futex wait
  Result<DrainReport> rep = q->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
  ASSERT_TRUE(rep.ok());
  ASSERT_TRUE(q->mark_durable(*rep).ok());
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited.message();
}

TEST(ShmWeightQueue, FailedCallbackRedeliversTheSameEntries) {
  std::string name = test::unique_name("wqfail");
  auto q = open_queue(config(name));
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->push_uid(1, 1).ok());
  Result<DrainReport> bad =
      q->drain([](std::span<const DrainedEntry>) -> Status { return make_error("db down"); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "db down");
  EXPECT_EQ(p->drained(), 0u);
  std::vector<DrainedEntry> seen;
  Result<DrainReport> good = drain_keeping(*q, seen);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(seen.size(), 1u);
}

TEST(ShmWeightQueue, EntriesWithBadStampsAreRejectedNotApplied) {
  std::string name = test::unique_name("wqstamp");
  auto q = open_queue(config(name));
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->push_uid(1, 1).ok());
  ASSERT_TRUE(p->push_uid(2, 2).ok());
  // Simulate a stale writer clobbering the first entry.
  ShmResult<Mapping> m = Mapping::open(name.c_str(), true);
  ASSERT_TRUE(m.ok());
  ProducerSlotControl* c = producer_control(m->data(), q->geometry(), p->slot());
  ring_entries(c)[0].stamp = 77;
  std::vector<DrainedEntry> seen;
  Result<DrainReport> rep = drain_keeping(*q, seen);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->rejected, 1u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].uid, 2);
  ASSERT_FALSE(rep->problems.empty());
  EXPECT_NE(rep->problems[0].find("bad stamp"), std::string::npos);
  ASSERT_TRUE(q->mark_durable(*rep).ok());
  EXPECT_EQ(p->durable(), 2u);  // the rejected entry does not hold the ring up
}

TEST(ShmWeightQueue, RestartAdoptsTheSegmentAndRedeliversUncommittedEntries) {
  std::string name = test::unique_name("wqadopt");
  auto q1 = open_queue(config(name));
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(p->push_uid(1, i).ok());
  Result<DrainReport> r1 = q1->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(q1->mark_durable(p->slot(), 1).ok());  // the store committed only the first
  q1->detach();                                      // the daemon dies here
  q1.reset();
  auto q2 = open_queue(config(name));
  ASSERT_TRUE(q2);
  EXPECT_NE(q2->open_note().find("adopted"), std::string::npos) << q2->open_note();
  EXPECT_NE(q2->open_note().find("2 entries"), std::string::npos) << q2->open_note();
  std::vector<std::uint64_t> seqs;
  Result<DrainReport> r2 = q2->drain([&](std::span<const DrainedEntry> b) -> Status {
    for (const DrainedEntry& e : b) seqs.push_back(e.seq);
    return {};
  });
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{2, 3}));
  // The producer never noticed: it keeps pushing into the same mapping.
  ShmResult<std::uint64_t> s4 = p->push_uid(1, 9);
  ASSERT_TRUE(s4.ok());
  Result<DrainReport> r3 = q2->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
  ASSERT_TRUE(r3.ok());
  ASSERT_TRUE(q2->mark_durable(*r3).ok());
  EXPECT_TRUE(p->wait_durable(*s4, 1ms).ok());
}

TEST(ShmWeightQueue, UnusableSegmentIsReplacedAndItsProducersTold) {
  std::string name = test::unique_name("wqabi");
  auto q1 = open_queue(config(name));
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok());
  {
    ShmResult<Mapping> m = Mapping::open(name.c_str(), true);
    ASSERT_TRUE(m.ok());
    reinterpret_cast<QueueSegmentHeader*>(m->data())->abi_version = kQueueAbiVersion + 1;
  }
  q1->detach();
  auto q2 = open_queue(config(name));
  ASSERT_TRUE(q2);
  std::string note = q2->open_note();
  EXPECT_NE(note.find("ABI version " + std::to_string(kQueueAbiVersion + 1)), std::string::npos) << note;
  EXPECT_NE(note.find("replaced"), std::string::npos) << note;
  EXPECT_EQ(p->push_uid(1, 1).code(), Errc::retired);
  ShmResult<WeightProducer> fresh = WeightProducer::open(name.c_str());
  ASSERT_TRUE(fresh.ok()) << fresh.message();
  EXPECT_TRUE(fresh->push_uid(1, 1).ok());
}

TEST(ShmWeightQueue, GarbageSegmentIsReplaced) {
  std::string name = test::unique_name("wqgarbage");
  {
    test::RawSegment junk(name, 4096);
    std::memset(junk.data(), 0xAB, 4096);
    auto q = open_queue(config(name));
    ASSERT_TRUE(q);
    EXPECT_NE(q->open_note().find("not a Pylon weight-queue segment"), std::string::npos) << q->open_note();
    junk.unlink();  // the name is q's segment now: remove it here, once
  }
}

TEST(ShmWeightQueue, BadCallsAndConfigAreRefused) {
  std::string name = test::unique_name("wqbad");
  auto q = open_queue(config(name));
  EXPECT_FALSE(q->mark_durable(99, 1).ok());
  Status beyond = q->mark_durable(0, 5);
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.error().message.find("beyond its head"), std::string::npos);
  EXPECT_FALSE(q->positions(99).ok());
  WeightQueueConfig c = config(test::unique_name("wqcfg"));
  c.ring_capacity = 12;
  EXPECT_FALSE(WeightQueue::open(c).ok());
  c.ring_capacity = 16;
  c.producer_slots = 0;
  EXPECT_FALSE(WeightQueue::open(c).ok());
  c.producer_slots = 1;
  c.name = "";
  EXPECT_FALSE(WeightQueue::open(c).ok());
}

// What a validator with write access can do to the file: truncate it (`truncate -s`).
void truncate_segment(const std::string& name, off_t size) {
  int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, size), 0);
  ::close(fd);
}

// Pushes n entries from a producer that then lets its slot go (it must not touch the segment
// after someone truncated it: its own process would get the SIGBUS).
std::uint32_t push_and_release(const std::string& name, int n) {
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  EXPECT_TRUE(p.ok()) << p.message();
  if (!p.ok()) return 0;
  for (int i = 0; i < n; ++i) EXPECT_TRUE(p->push_uid(static_cast<std::uint16_t>(i), 1).ok());
  std::uint32_t slot = p->slot();
  p->release();
  return slot;
}

std::size_t drain_all(WeightQueue& q) {
  std::size_t n = 0;
  Result<DrainReport> r = q.drain([&](std::span<const DrainedEntry> b) -> Status {
    n += b.size();
    return {};
  });
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (r.ok()) {
    EXPECT_TRUE(q.mark_durable(*r).ok());
  }
  return n;
}

TEST(ShmWeightQueue, TruncatedSegmentIsDamagedNotASigbus) {
  std::string name = test::unique_name("wqtrunc");
  auto q = open_queue(config(name));
  ASSERT_TRUE(q);
  push_and_release(name, 3);
  for (off_t size : {off_t{0}, off_t{100}, static_cast<off_t>(q->geometry().segment_size - 4096)}) {
    truncate_segment(name, size);
    bool called = false;
    Result<DrainReport> r = q->drain([&](std::span<const DrainedEntry>) -> Status {
      called = true;
      return {};
    });
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is(QueueErrc::damaged)) << r.error().message;
    EXPECT_NE(r.error().message.find("shrank"), std::string::npos) << r.error().message;
    EXPECT_FALSE(called);
    // These do not check the file first: they succeed on what is left of the first page, or
    // are damaged, but never fault.
    if (Result<SlotPositions> pos = q->positions(0); !pos.ok()) {
      EXPECT_TRUE(pos.error().is(QueueErrc::damaged)) << pos.error().message;
    }
    if (Status m = q->mark_durable(0, 0); !m.ok()) {
      EXPECT_TRUE(m.error().is(QueueErrc::damaged)) << m.error().message;
    }
    q->heartbeat();  // from another thread in the daemon: must not fault either
    truncate_segment(name, static_cast<off_t>(q->geometry().segment_size));  // regrown: zeroes
    EXPECT_TRUE(
        q->drain([](std::span<const DrainedEntry>) -> Status { return {}; }).error().is(QueueErrc::damaged));
    truncate_segment(name, size);
  }
  std::uint64_t old_generation = q->geometry().generation;
  ASSERT_TRUE(q->recreate("test").ok());
  EXPECT_EQ(q->origin(), QueueOrigin::replaced);
  EXPECT_GT(q->geometry().generation, old_generation);
  EXPECT_TRUE(q->check_intact().ok());
  push_and_release(name, 2);
  EXPECT_EQ(drain_all(*q), 2u);
}

TEST(ShmWeightQueue, TruncationRacingTheDrainNeverCrashes) {
  // A truncation can land between the drain's checks and its accesses: the guard must catch the
  // SIGBUS wherever it hits. One thread flips the size while the daemon drains.
  std::string name = test::unique_name("wqrace");
  WeightQueueConfig c = config(name);
  c.ring_capacity = 1024;
  auto q = open_queue(c);
  ASSERT_TRUE(q);
  push_and_release(name, 600);
  const off_t full = static_cast<off_t>(q->geometry().segment_size);
  int fd = ::shm_open(("/" + name).c_str(), O_RDWR, 0);
  ASSERT_GE(fd, 0);
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    for (std::uint64_t i = 0; !stop.load(); ++i) {
      if (::ftruncate(fd, (i & 1) != 0 ? full : (i % 3 == 0 ? 0 : full / 2)) != 0) break;
    }
  });
  int ok = 0, damaged = 0;
  for (int i = 0; i < 3000; ++i) {
    Result<DrainReport> r = q->drain([](std::span<const DrainedEntry>) -> Status { return {}; });
    if (r.ok()) {
      ++ok;
    } else {
      ASSERT_TRUE(r.error().is(QueueErrc::damaged)) << r.error().message;
      ++damaged;
    }
  }
  stop = true;
  flipper.join();
  ::close(fd);
  EXPECT_GT(damaged, 0);
  EXPECT_EQ(ok + damaged, 3000);
}

// The daemon's check finds the queue damaged, saying `why`.
void expect_damaged(WeightQueue& q, std::string_view why) {
  Status st = q.check_intact();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().is(QueueErrc::damaged));
  EXPECT_NE(st.error().message.find(why), std::string::npos) << st.error().message;
}

// A new producer opens the queue by name (and gives its slot back).
void expect_producer_opens(const std::string& name) {
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok()) << p.message();
  p->release();
}

TEST(ShmWeightQueue, ReplacedOrRetiredOrOverwrittenSegmentIsDamaged) {
  std::string name = test::unique_name("wqtamper");
  auto q = open_queue(config(name));
  ASSERT_TRUE(q);
  // A producer overwrites the header it may write: without the check, every new producer would
  // be refused until the daemon restarts. (The state word is in the ack segment, which producers
  // only read: see AckSegmentIsTheDaemonsAlone.)
  {
    ShmResult<Mapping> m = Mapping::open(name.c_str(), true);
    ASSERT_TRUE(m.ok());
    store_release(&reinterpret_cast<QueueSegmentHeader*>(m->data())->abi_version, std::uint32_t{7});
  }
  EXPECT_EQ(WeightProducer::open(name.c_str()).code(), Errc::abi_mismatch);
  ASSERT_NO_FATAL_FAILURE(expect_damaged(*q, "header was overwritten"));
  ASSERT_TRUE(q->recreate("overwritten by a producer").ok());
  ASSERT_NO_FATAL_FAILURE(expect_producer_opens(name));
  // A retired mark in the ack segment that this daemon did not write (only its own user could).
  {
    ShmResult<Mapping> a = Mapping::open(q->ack_name().c_str(), true);
    ASSERT_TRUE(a.ok());
    store_release(&reinterpret_cast<AckSegmentHeader*>(a->data())->state,
                  static_cast<std::uint32_t>(SegmentState::retired));
  }
  EXPECT_EQ(WeightProducer::open(name.c_str()).code(), Errc::retired);
  ASSERT_NO_FATAL_FAILURE(expect_damaged(*q, "state was set to 2"));
  ASSERT_TRUE(q->recreate("retired").ok());
  ASSERT_NO_FATAL_FAILURE(expect_producer_opens(name));
  // The geometry overwritten.
  {
    ShmResult<Mapping> m = Mapping::open(name.c_str(), true);
    ASSERT_TRUE(m.ok());
    store_release(&reinterpret_cast<QueueSegmentHeader*>(m->data())->ring_capacity, std::uint32_t{2});
  }
  EXPECT_TRUE(q->check_intact().error().is(QueueErrc::damaged));
  ASSERT_TRUE(q->recreate("overwritten").ok());
  // The name removed and taken by another file.
  ASSERT_EQ(::shm_unlink(("/" + name).c_str()), 0);
  {
    test::RawSegment other(name, 8192);
    ASSERT_NO_FATAL_FAILURE(expect_damaged(*q, "another file"));
  }
  EXPECT_NE(q->check_intact().error().message.find("removed"), std::string::npos);
  ASSERT_TRUE(q->recreate("replaced").ok());
  EXPECT_TRUE(q->check_intact().ok());
}

TEST(ShmWeightQueue, ProducersOfARecreatedQueueSeeRetiredNeverDurable) {
  // What a producer sees when its queue is replaced under it: entries it pushed that were not yet
  // durable are never reported durable; wait_durable and push say retired, and a reopen by name
  // gets the new queue, numbered from 1 again.
  std::string name = test::unique_name("wqretired");
  auto q = open_queue(config(name));
  ASSERT_TRUE(q);
  ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
  ASSERT_TRUE(p.ok());
  ShmResult<std::uint64_t> durable_one = p->push_uid(1, 1);
  ASSERT_TRUE(durable_one.ok());
  EXPECT_EQ(drain_all(*q), 1u);
  ShmResult<std::uint64_t> pending = p->push_uid(2, 2);  // pushed, never drained
  ASSERT_TRUE(pending.ok());
  {
    ShmResult<Mapping> m = Mapping::open(name.c_str(), true);  // someone overwrites the header
    ASSERT_TRUE(m.ok());
    store_release(&reinterpret_cast<QueueSegmentHeader*>(m->data())->slot_stride, std::uint32_t{64});
  }
  ASSERT_TRUE(q->check_intact().error().is(QueueErrc::damaged));
  ASSERT_TRUE(q->recreate("test").ok());
  EXPECT_TRUE(p->wait_durable(*durable_one, 1ms).ok());  // acknowledged before: still durable
  EXPECT_EQ(p->wait_durable(*pending, 1ms).code(), Errc::retired);
  EXPECT_EQ(p->durable(), 1u);
  EXPECT_EQ(p->push_uid(3, 3).code(), Errc::retired);
  p->release();
  ShmResult<WeightProducer> again = WeightProducer::open(name.c_str());
  ASSERT_TRUE(again.ok()) << again.message();
  ShmResult<std::uint64_t> first = again->push_uid(2, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(drain_all(*q), 1u);
}

TEST(ShmWeightQueue, AckSegmentIsTheDaemonsAlone) {
  // A producer is another user in the queue's group. It may write the queue segment, but the
  // words that acknowledge entries (durable, drained), the state and the heartbeat are in the ack
  // segment, which it can only read: it can neither fake another producer's acknowledgement nor
  // retire the queue, and it cannot truncate that file either.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user of the group";
  const gid_t group = 54321;
  const uid_t producer_uid = 65534;
  std::string name = test::unique_name("wqgroup");
  WeightQueueConfig c = config(name);
  c.group = group;
  auto q = open_queue(c);
  ASSERT_TRUE(q);
  struct stat qs {
  }, as{};
  ASSERT_EQ(::stat(("/dev/shm/" + name).c_str(), &qs), 0);
  ASSERT_EQ(::stat(("/dev/shm/" + q->ack_name()).c_str(), &as), 0);
  EXPECT_EQ(qs.st_mode & 0777, 0660u);
  EXPECT_EQ(as.st_mode & 0777, 0640u);
  EXPECT_EQ(qs.st_gid, group);
  EXPECT_EQ(as.st_gid, group);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgroups(1, &group) != 0 || ::setgid(group) != 0 || ::setuid(producer_uid) != 0) ::_exit(10);
    int bad = 0;
    int fd = ::shm_open(("/" + q->ack_name()).c_str(), O_RDWR, 0);
    if (fd >= 0 || errno != EACCES) bad |= 1;  // the ack segment cannot be opened for writing
    if (::truncate(("/dev/shm/" + q->ack_name()).c_str(), 0) == 0 || errno != EACCES) bad |= 2;
    ShmResult<WeightProducer> p = WeightProducer::open(name.c_str());
    if (!p.ok()) ::_exit(20);
    if (!p->push_uid(5, 0.5).ok()) bad |= 4;
    // What the producer can map read-write holds no acknowledgement: its durable stays 0.
    if (p->durable() != 0) bad |= 8;
    ::_exit(bad);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "bits: 1 ack writable, 2 ack truncatable, 4 push failed, 10/20 set-up";
  EXPECT_EQ(drain_all(*q), 1u);
}

TEST(ShmWeightQueue, QueueSegmentIsOwnerOnlyByDefault) {
  std::string name = test::unique_name("wqperm");
  auto q = open_queue(config(name));
  struct stat st {};
  ASSERT_EQ(::stat(("/dev/shm/" + name).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(("/dev/shm/" + q->ack_name()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace pylon::shm

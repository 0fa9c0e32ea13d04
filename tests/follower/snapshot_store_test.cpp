// SnapshotStore tells its readers about new snapshots instead of being polled: wait_newer wakes
// on publish, wait_until on any change (a staleness mark too), listeners run once per publish in
// order, and unsubscribe stops them.
#include "follower/snapshot_store.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace pylon::follower {
namespace {

using namespace std::chrono_literals;

SnapshotPtr snapshot_at(std::uint64_t block) {
  auto s = std::make_shared<Snapshot>();
  s->block = block;
  return s;
}

TEST(SnapshotStore, WaitNewerTimesOutWithTheSameGeneration) {
  SnapshotStore store;
  EXPECT_EQ(store.wait_newer(0, 1ms), 0u);
  store.publish(snapshot_at(1));
  EXPECT_EQ(store.wait_newer(1, 1ms), 1u);
}

TEST(SnapshotStore, WaitNewerReturnsAtOnceWhenAlreadyNewer) {
  SnapshotStore store;
  store.publish(snapshot_at(1));
  store.publish(snapshot_at(2));
  EXPECT_EQ(store.wait_newer(0, 1h), 2u);
}

TEST(SnapshotStore, WaitNewerWakesOnPublishFromAnotherThread) {
  SnapshotStore store;
  std::uint64_t seen = 0;
  std::thread waiter([&] { seen = store.wait_newer(0, 1h); });  // would hang the test if not woken
  store.publish(snapshot_at(7));
  waiter.join();
  EXPECT_EQ(seen, 1u);
  EXPECT_EQ(store.latest()->block, 7u);
}

TEST(SnapshotStore, StalenessAndPublishesMoveTheChangeGeneration) {
  SnapshotStore store;
  EXPECT_EQ(store.changes(), 0u);
  store.mark_stale("node unreachable");
  EXPECT_EQ(store.changes(), 1u);
  EXPECT_EQ(store.wait_changed(1, 1ms), 1u);  // nothing new: the timeout
  store.publish(snapshot_at(1));
  EXPECT_EQ(store.wait_changed(1, 1h), 2u);  // already past: at once
}

TEST(SnapshotStore, WaitUntilWakesOnAStalenessMarkFromAnotherThread) {
  SnapshotStore store;
  store.publish(snapshot_at(1));
  bool woke = false;
  // An hour-long wait that only a notification can end within the test's run.
  std::thread waiter([&] { woke = store.wait_until([&] { return store.staleness().stale; }, 1h); });
  store.mark_stale("node unreachable");
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_FALSE(store.wait_until([&] { return store.latest()->block == 2; }, 1ms));
}

TEST(SnapshotStore, ListenersSeeEachPublishInOrderUntilUnsubscribed) {
  SnapshotStore store;
  std::vector<std::uint64_t> a, b;
  const auto ida = store.subscribe([&](const SnapshotPtr& s) { a.push_back(s->block); });
  store.subscribe([&](const SnapshotPtr& s) {
    EXPECT_EQ(store.latest(), s);  // already the latest when listeners hear of it
    b.push_back(s->block);
  });
  store.publish(snapshot_at(1));
  store.publish(snapshot_at(2));
  store.unsubscribe(ida);
  store.publish(snapshot_at(3));
  EXPECT_EQ(a, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(b, (std::vector<std::uint64_t>{1, 2, 3}));
}

}  // namespace
}  // namespace pylon::follower

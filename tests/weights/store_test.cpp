// The store's weight semantics on a real SQLite file: set and add, refusals that change nothing,
// group commit isolation, queue positions, durability across reopen.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <limits>
#include <vector>

#include "codec/ss58.hpp"
#include "weights/weight_value.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using test::add;
using test::hotkey;
using test::set;

std::map<AccountId, double> weights_of(Store& s, std::uint64_t epoch = 100, std::uint16_t netuid = 2) {
  Result<std::map<AccountId, double>> w = s.weights({netuid}, epoch);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  return w.ok() ? *w : std::map<AccountId, double>{};
}

TEST(WeightsStore, SetThenAddAccumulates) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  std::vector<WeightUpdate> b = {set(1, 0.5), add(1, 0.25), add(2, 2), set(3, 0), add(1, -0.75)};
  Result<std::vector<double>> r = s->apply(b);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (std::vector<double>{0.5, 0.75, 2, 0, 0}));
  auto w = weights_of(*s);
  ASSERT_EQ(w.size(), 3u);  // a zero weight is stored, not dropped
  EXPECT_EQ(w[hotkey(1)], 0);
  EXPECT_EQ(w[hotkey(2)], 2);
  EXPECT_EQ(w[hotkey(3)], 0);
  // A set replaces, whatever was there.
  ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{set(2, 0.125)}).ok());
  EXPECT_EQ(weights_of(*s)[hotkey(2)], 0.125);
}

TEST(WeightsStore, EpochsAndSubnetsAreSeparate) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{set(1, 1, 100), add(1, 1, 110), add(1, 5, 100, 3)}).ok());
  EXPECT_EQ(weights_of(*s, 100)[hotkey(1)], 1);
  EXPECT_EQ(weights_of(*s, 110)[hotkey(1)], 1);
  EXPECT_EQ(weights_of(*s, 100, 3)[hotkey(1)], 5);
  EXPECT_TRUE(weights_of(*s, 120).empty());
  Result<std::vector<std::uint64_t>> e = s->epochs({2});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (std::vector<std::uint64_t>{110, 100}));  // newest first
  Result<std::vector<std::uint64_t>> one = s->epochs({2}, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::vector<std::uint64_t>{110}));
}

TEST(WeightsStore, FloatNoiseAroundZeroSettlesAtZero) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  Result<std::vector<double>> r =
      s->apply(std::vector<WeightUpdate>{set(1, 0.3), add(1, -0.1), add(1, -0.2)});
  ASSERT_TRUE(r.ok()) << r.error().message;  // 0.3 - 0.1 - 0.2 is -2.8e-17 in doubles
  EXPECT_EQ(r->back(), 0);
}

TEST(WeightsStore, RefusalsSayWhyAndChangeNothing) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{set(1, 1), set(2, 0.25)}).ok());
  const auto before = weights_of(*s);
  const std::string hk2 = codec::ss58_encode(hotkey(2));

  struct Case {
    std::vector<WeightUpdate> batch;
    std::string says;
  };
  std::vector<Case> cases = {
      {{set(1, 5), set(3, std::numeric_limits<double>::quiet_NaN())}, "not a finite number"},
      {{set(1, 5), add(3, std::numeric_limits<double>::infinity())}, "not a finite number"},
      {{set(1, 5), set(2, -0.5)}, "weight for " + hk2 + " is -0.5; weights are non-negative"},
      // The first update is written before the delta fails: the savepoint takes it back.
      {{set(1, 5), add(3, 1), add(2, -0.75)},
       "weight of " + hk2 + " would become -0.5; weights are non-negative"},
      {{add(1, std::numeric_limits<double>::max())}, "not a finite number within +-1e15"},
      {{set(4, 1e15), add(4, 1)}, "would become 1000000000000001; weights are at most 1e15"},
      {{set(1, 1e300)}, "is 1e+300; weights are at most 1e15"},
  };
  for (const Case& c : cases) {
    Result<std::vector<double>> r = s->apply(c.batch);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    EXPECT_TRUE(r.error().is(StoreErrc::kRefused)) << r.error().message;
    EXPECT_EQ(weights_of(*s), before) << c.says;
  }
  std::vector<WeightUpdate> huge(Store::kMaxBatch + 1, set(9, 1));
  Result<std::vector<double>> r = s->apply(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("a batch of 65537 updates is over the limit of 65536"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(weights_of(*s), before);
  // The limit itself is fine.
  std::vector<WeightUpdate> full(Store::kMaxBatch);
  for (std::size_t i = 0; i < full.size(); ++i) full[i] = set(static_cast<std::uint32_t>(i), 1, 200);
  ASSERT_TRUE(s->apply(full).ok());
  EXPECT_EQ(weights_of(*s, 200).size(), Store::kMaxBatch);
}

TEST(WeightsStore, GroupCommitKeepsBatchesApart) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  std::vector<WeightUpdate> a = {set(1, 1), set(2, 2)};
  std::vector<WeightUpdate> bad_late = {set(3, 3), add(4, -1)};  // fails in the database, after a write
  std::vector<WeightUpdate> bad_early = {set(5, -1)};            // fails before the transaction
  std::vector<WeightUpdate> c = {add(1, 0.5), set(6, 6)};        // sees batch a's write
  std::span<const WeightUpdate> group[] = {a, bad_late, bad_early, c};
  std::vector<Result<std::vector<double>>> r = s->apply_group(group);
  ASSERT_EQ(r.size(), 4u);
  ASSERT_TRUE(r[0].ok());
  EXPECT_FALSE(r[1].ok());
  EXPECT_FALSE(r[2].ok());
  ASSERT_TRUE(r[3].ok());
  EXPECT_EQ(*r[3], (std::vector<double>{1.5, 6}));
  auto w = weights_of(*s);
  EXPECT_EQ(w.size(), 3u);
  EXPECT_EQ(w[hotkey(1)], 1.5);
  EXPECT_EQ(w[hotkey(2)], 2);
  EXPECT_EQ(w[hotkey(6)], 6);
  EXPECT_EQ(w.count(hotkey(3)), 0u);
}

// The v1 PUT's "latest request wins" is one batch (weights::replacing), so two replacements in
// one group commit leave the later set alone: never the union of both (the old read-then-write
// race's outcome). Other epochs, mechanisms and subnets are untouched; a refused replacement
// changes nothing, its clear included.
TEST(WeightsStore, ReplacingTheEpochsSetIsOneBatch) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  WeightUpdate other_mech = set(1, 7);
  other_mech.mechanism = 1;
  ASSERT_TRUE(
      s->apply(std::vector<WeightUpdate>{set(1, 1), set(2, 2), set(1, 4, 110), set(1, 5, 100, 3), other_mech})
          .ok());
  std::vector<WeightUpdate> x = replacing(2, 100, 0, {{hotkey(3), 0.5}});
  std::vector<WeightUpdate> y = replacing(2, 100, 0, {{hotkey(4), 0.25}, {hotkey(5), 1}});
  std::span<const WeightUpdate> group[] = {x, y};
  std::vector<Result<std::vector<double>>> r = s->apply_group(group);
  ASSERT_EQ(r.size(), 2u);
  ASSERT_TRUE(r[0].ok()) << r[0].error().message;
  ASSERT_TRUE(r[1].ok()) << r[1].error().message;
  EXPECT_EQ(*r[1], (std::vector<double>{0, 0.25, 1}));
  EXPECT_EQ(weights_of(*s),
            (std::map<AccountId, double>{
                {hotkey(1), 0}, {hotkey(2), 0}, {hotkey(3), 0}, {hotkey(4), 0.25}, {hotkey(5), 1}}));
  EXPECT_EQ(weights_of(*s, 110), (std::map<AccountId, double>{{hotkey(1), 4}}));
  EXPECT_EQ(weights_of(*s, 100, 3), (std::map<AccountId, double>{{hotkey(1), 5}}));
  auto mech1 = s->weights({2}, 100, 1);
  ASSERT_TRUE(mech1.ok());
  EXPECT_EQ(*mech1, (std::map<AccountId, double>{{hotkey(1), 7}}));

  std::vector<WeightUpdate> bad = replacing(2, 100, 0, {{hotkey(6), -1}});
  Result<std::vector<double>> refused = s->apply(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is(StoreErrc::kRefused));
  EXPECT_EQ(weights_of(*s)[hotkey(5)], 1);
  // An empty replacement clears the epoch.
  ASSERT_TRUE(s->apply(replacing(2, 100, 0, {})).ok());
  EXPECT_EQ(weights_of(*s)[hotkey(5)], 0);
}

TEST(WeightsStore, WeightsSurviveCloseAndReopen) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    for (std::uint32_t i = 0; i < 20; ++i)
      ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{add(i % 5, 1)}).ok());
    std::vector<QueueMark> marks = {{3, 40}};
    ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{set(9, 0.5)}, marks).ok());
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  auto w = weights_of(*s);
  ASSERT_EQ(w.size(), 6u);
  for (std::uint32_t i = 0; i < 5; ++i) EXPECT_EQ(w[hotkey(i)], 4);
  EXPECT_EQ(w[hotkey(9)], 0.5);
  Result<std::map<std::uint32_t, std::uint64_t>> q = s->queue_durable(2);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (std::map<std::uint32_t, std::uint64_t>{{3, 40}}));
}

TEST(WeightsStore, OpensInWalMode) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST(WeightsStore, QueuePositionsNeverMoveBackwards) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  auto apply_marks = [&](std::vector<QueueMark> m) {
    ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{add(1, 1)}, m).ok());
  };
  apply_marks({{0, 10}, {1, 4}});
  apply_marks({{0, 5}, {1, 6}});
  apply_marks({{2, 1}});
  Result<std::map<std::uint32_t, std::uint64_t>> q = s->queue_durable(2);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (std::map<std::uint32_t, std::uint64_t>{{0, 10}, {1, 6}, {2, 1}}));
  // A refused batch moves no position either.
  std::vector<QueueMark> m = {{0, 99}};
  EXPECT_FALSE(s->apply(std::vector<WeightUpdate>{set(1, -1)}, m).ok());
  q = s->queue_durable(2);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at(0), 10u);
  // Positions are per subnet.
  Result<std::map<std::uint32_t, std::uint64_t>> other = s->queue_durable(3);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
  ASSERT_TRUE(s->reset_queue(2).ok());
  q = s->queue_durable(2);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->empty());
}

TEST(WeightsStore, RejectedEntriesAreKeptAndBecomeDurable) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  std::vector<QueueMark> entries = {{1, 7}, {1, 8}, {4, 2}};
  ASSERT_TRUE(s->record_rejected(2, entries, "uid 300 is not registered on subnet 2").ok());
  Result<std::vector<RejectedEntry>> r = s->rejected(2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->front().at.producer, 4u);  // newest first
  EXPECT_EQ(r->front().reason, "uid 300 is not registered on subnet 2");
  EXPECT_GT(r->front().rejected_ms, 0);
  Result<std::map<std::uint32_t, std::uint64_t>> q = s->queue_durable(2);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (std::map<std::uint32_t, std::uint64_t>{{1, 8}, {4, 2}}));
  EXPECT_TRUE(weights_of(*s).empty());
}

// A queue batch on subnet 2 of `updates`, the i-th from slot 0 at position i + 1.
QueueBatch queue_batch(std::vector<WeightUpdate> updates) {
  QueueBatch q;
  q.netuid = 2;
  for (std::size_t i = 0; i < updates.size(); ++i) q.origins.push_back({0, i + 1});
  q.updates = std::move(updates);
  return q;
}

TEST(WeightsStore, QueueBatchEntriesStandAlone) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  QueueBatch q =
      queue_batch({set(1, 1), add(2, -1), set(3, std::numeric_limits<double>::quiet_NaN()), add(1, 0.5)});
  q.refused = {{{0, 5}, "uid 9 is not registered on subnet 2"}};
  q.marks = {{0, 5}};
  std::vector<WeightUpdate> rest = {set(7, 7)};
  std::span<const WeightUpdate> batches[] = {rest};
  GroupResult g = s->commit_group(batches, &q);
  ASSERT_TRUE(g.committed.ok()) << g.committed.error().message;
  ASSERT_TRUE(g.batches.at(0).ok());
  EXPECT_EQ(g.queue_applied, 2u);
  EXPECT_EQ(g.queue_rejected, 3u);
  auto w = weights_of(*s);
  EXPECT_EQ(w[hotkey(1)], 1.5);
  EXPECT_EQ(w[hotkey(7)], 7);
  EXPECT_EQ(w.count(hotkey(2)), 0u);
  Result<std::vector<RejectedEntry>> r = s->rejected(2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_NE((*r)[0].reason.find("not a finite number"), std::string::npos) << (*r)[0].reason;
  EXPECT_NE((*r)[1].reason.find("would become -1"), std::string::npos) << (*r)[1].reason;
  EXPECT_EQ((*r)[2].reason, "uid 9 is not registered on subnet 2");
  EXPECT_EQ(s->queue_durable(2)->at(0), 5u);
}

// The shm queue's door keeps the same rule as REST's (weights/weight_value.hpp): a value REST
// refuses is never stored from the queue either; the limit itself is fine.
TEST(WeightsStore, QueueEntriesFollowTheOneWeightRule) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  QueueBatch q =
      queue_batch({set(1, 1e300), set(2, kMaxWeight), set(3, std::nextafter(kMaxWeight, 1e300)), add(2, 1)});
  q.marks = {{0, 4}};
  GroupResult g = s->commit_group({}, &q);
  ASSERT_TRUE(g.committed.ok()) << g.committed.error().message;
  EXPECT_EQ(g.queue_applied, 1u);
  EXPECT_EQ(g.queue_rejected, 3u);
  auto w = weights_of(*s);
  EXPECT_EQ(w, (std::map<AccountId, double>{{hotkey(2), kMaxWeight}}));
  Result<std::vector<RejectedEntry>> r = s->rejected(2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_NE((*r)[0].reason.find("would become 1000000000000001; weights are at most 1e15"), std::string::npos)
      << (*r)[0].reason;
  EXPECT_NE((*r)[2].reason.find("is 1e+300; weights are at most 1e15"), std::string::npos) << (*r)[2].reason;
}

TEST(WeightsStore, NotADatabaseIsAClearError) {
  test::TempDir dir;
  std::string path = dir.file("junk.db");
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not an SQLite database, just some text long enough to have a header", f);
  std::fclose(f);
  Result<std::unique_ptr<Store>> s = Store::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  Result<std::unique_ptr<Store>> missing_dir = Store::open(dir.file("no/such/dir/w.db"));
  EXPECT_FALSE(missing_dir.ok());
}

}  // namespace
}  // namespace pylon::weights

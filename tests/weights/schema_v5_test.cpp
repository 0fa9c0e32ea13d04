// Schema v5: a v4 database file (commit attempts and an owed reveal, as a v4 build left them)
// upgrades on open with every row as mechanism 0, and mechanisms then keep separate attempts and
// reveals of the same epoch.
#include <gtest/gtest.h>

#include "raw_sqlite.hpp"
#include "weights/schema.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using test::raw_exec;

// A v4 file: the first four migrations, then rows written by SQL as a v4 build wrote them.
std::string v4_file(const test::TempDir& dir) {
  const std::string path = dir.file("v4.db");
  {
    Result<sql::Db> db = sql::Db::open(path);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return path;
    EXPECT_TRUE(schema::migrate(*db, schema::migrations().first(4)).ok());
  }
  raw_exec(path,
           "INSERT INTO commit_attempts (netuid, epoch, block, call, extrinsic_hash, extrinsic, nonce, "
           "mortal_until, status, error, included_in, weights_json, created_ms, updated_ms, reveal_round) "
           "VALUES (2, 100, 150, 'commit_weights', zeroblob(32), x'01', 7, 214, 'included', '', NULL, "
           "'{}', 1, 1, NULL);"
           "INSERT INTO pending_reveals VALUES (2, 100, zeroblob(32), x'0100', x'ffff', x'0900', 3, 151, "
           "'committed', '', 1);");
  return path;
}

TEST(WeightsSchemaV5, VersionFourAttemptsAndRevealsBecomeMechanismZero) {
  test::TempDir dir;
  const std::string path = v4_file(dir);
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  auto a = s->attempts({2}, 100);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ((*a)[0].mechanism, 0);
  EXPECT_EQ((*a)[0].call, CallKind::kCommitWeights);
  auto owed = s->reveals_with_status({2}, RevealStatus::kCommitted);
  ASSERT_TRUE(owed.ok()) << owed.error().message;
  ASSERT_EQ(owed->size(), 1u);
  EXPECT_EQ((*owed)[0].mechanism, 0);
  EXPECT_EQ((*owed)[0].commit_block, 151u);
  EXPECT_EQ((*owed)[0].uids, std::vector<std::uint16_t>{1});
  auto r0 = s->reveal({2}, 100);
  ASSERT_TRUE(r0.ok());
  ASSERT_TRUE(r0->has_value());
  auto r1 = s->reveal({2}, 100, 1);
  ASSERT_TRUE(r1.ok());
  EXPECT_FALSE(r1->has_value());  // mechanism 1 owes nothing
}

TEST(WeightsSchemaV5, MechanismsKeepSeparateAttemptsAndRevealsOfOneEpoch) {
  test::TempDir dir;
  auto s = test::open_store(dir.file("fresh.db"));
  ASSERT_TRUE(s);
  CommitAttempt a;
  a.netuid = 2;
  a.epoch = 100;
  a.block = 150;
  a.call = CallKind::kSetWeights;
  a.status = AttemptStatus::kIncluded;
  a.mechanism = 1;
  ASSERT_TRUE(s->record_attempt(a).ok());
  a.mechanism = 0;
  a.status = AttemptStatus::kFailed;
  ASSERT_TRUE(s->record_attempt(a).ok());
  auto back = s->attempts({2}, 100);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].mechanism, 1);
  EXPECT_EQ((*back)[0].status, AttemptStatus::kIncluded);
  EXPECT_EQ((*back)[1].mechanism, 0);

  PendingReveal r;
  r.netuid = 2;
  r.epoch = 100;
  r.uids = {1};
  r.values = {65535};
  r.salt = {9};
  r.status = RevealStatus::kCommitted;
  r.mechanism = 0;
  ASSERT_TRUE(s->save_reveal(r).ok());
  r.mechanism = 1;
  r.uids = {4};
  ASSERT_TRUE(s->save_reveal(r).ok());  // not an upsert over mechanism 0's
  auto owed = s->reveals_with_status({2}, RevealStatus::kCommitted);
  ASSERT_TRUE(owed.ok());
  ASSERT_EQ(owed->size(), 2u);
  auto r1 = s->reveal({2}, 100, 1);
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r1->has_value());
  EXPECT_EQ((*r1)->uids, std::vector<std::uint16_t>{4});
  auto r0 = s->reveal({2}, 100, 0);
  ASSERT_TRUE(r0.ok());
  ASSERT_TRUE(r0->has_value());
  EXPECT_EQ((*r0)->uids, std::vector<std::uint16_t>{1});
}

}  // namespace
}  // namespace pylon::weights

// Schema versions: an older database (written here by SQL, as an earlier build left it) upgrades
// on open, a newer one is refused naming both versions, and a failing migration step leaves the
// database at the version it had.
#include "weights/schema.hpp"

#include <gtest/gtest.h>

#include "raw_sqlite.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using test::raw_exec;
using test::raw_int;

TEST(WeightsSchema, VersionZeroDatabaseUpgradesOnOpen) {
  test::TempDir dir;
  // Version 0 as a file: a database with user_version 0 and something of someone else's in it
  // (the migration must not trip over or remove it), in the default rollback-journal mode.
  std::string path = dir.file("v0.db");
  raw_exec(path, "CREATE TABLE operator_notes (note TEXT); INSERT INTO operator_notes VALUES ('keep me');");
  ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 0);
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  ASSERT_TRUE(s->apply(std::vector<WeightUpdate>{test::set(1, 1)}).ok());
  s.reset();
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), Store::kSchemaVersion);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM operator_notes"), 1);
  EXPECT_EQ(raw_int(path,
                    "SELECT count(*) FROM sqlite_schema WHERE name IN ('weights', 'queue_durable', "
                    "'queue_rejected', 'commit_attempts', 'pending_reveals')"),
            5);
  EXPECT_EQ(
      raw_int(path,
              "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'commit_attempts_by_%'"),
      2);
  // And an empty file (zero bytes) is a version 0 database too.
  std::string empty = dir.file("empty.db");
  std::fclose(std::fopen(empty.c_str(), "w"));
  auto e = test::open_store(empty);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->schema_version(), Store::kSchemaVersion);
}

TEST(WeightsSchema, VersionOneDatabaseKeepsItsWeightsAndGainsTheChainBinding) {
  test::TempDir dir;
  std::string path = dir.file("v1.db");
  {
    // A database as the first schema left it, with a weight in it.
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(schema::migrate(*db, schema::migrations().first(1)).ok());
  }
  raw_exec(path, "INSERT INTO weights VALUES (2, 100, zeroblob(32), 0.25, 0);");
  ASSERT_EQ(raw_int(path, "PRAGMA user_version"), 1);
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  auto w = s->weights({2}, 100);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ(w->begin()->second, 0.25);
  BlockHash finney{}, local{};
  finney.bytes().fill(0x2f);
  local.bytes().fill(0x45);
  ASSERT_TRUE(s->bind_chain(local).ok());
  ASSERT_TRUE(s->bind_chain(local).ok());  // the same chain again: fine
  Status other = s->bind_chain(finney);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("genesis 0x4545"), std::string::npos) << other.error().message;
  EXPECT_NE(other.error().message.find("(0x2f2f"), std::string::npos) << other.error().message;
  EXPECT_NE(other.error().message.find("PYLON_DB_PATH"), std::string::npos);
  s.reset();
  // The binding survives a reopen.
  auto again = test::open_store(path);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->bind_chain(finney).ok());
}

TEST(WeightsSchema, VersionTwoAttemptsKeepTheirRowsAndTimelockedOnesKeepTheirRound) {
  test::TempDir dir;
  std::string path = dir.file("v2.db");
  {
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(schema::migrate(*db, schema::migrations().first(2)).ok());
  }
  // A hash commit as version 2 stored it.
  raw_exec(path,
           "INSERT INTO commit_attempts (netuid, epoch, block, call, extrinsic_hash, extrinsic, nonce, "
           "mortal_until, status, error, included_in, weights_json, created_ms, updated_ms) VALUES "
           "(2, 100, 105, 'commit_weights', zeroblob(32), x'01', 3, 169, 'included', '', NULL, '{}', 1, 2);");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  auto old = s->attempts({2}, 100);
  ASSERT_TRUE(old.ok()) << old.error().message;
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].call, CallKind::kCommitWeights);
  EXPECT_EQ((*old)[0].nonce, 3u);
  EXPECT_FALSE((*old)[0].reveal_round);
  CommitAttempt t;
  t.netuid = 2;
  t.epoch = 200;
  t.block = 201;
  t.call = CallKind::kCommitTimelockedWeights;
  t.extrinsic = {0x02};
  t.reveal_round = 23'456'789'012ULL;
  ASSERT_TRUE(s->record_attempt(t).ok());
  s.reset();
  auto again = test::open_store(path);
  ASSERT_TRUE(again);
  auto back = again->attempts({2}, 200);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].call, CallKind::kCommitTimelockedWeights);
  ASSERT_TRUE((*back)[0].reveal_round);
  EXPECT_EQ(*(*back)[0].reveal_round, 23'456'789'012ULL);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM commit_attempts WHERE call = 'commit_timelocked_weights'"),
            1);
}

TEST(WeightsSchema, VersionThreeWeightsBecomeMechanismZeroAndMechanismsStaySeparate) {
  test::TempDir dir;
  std::string path = dir.file("v3.db");
  {
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(schema::migrate(*db, schema::migrations().first(3)).ok());
  }
  raw_exec(path,
           "INSERT INTO weights VALUES (2, 100, zeroblob(32), 0.25, 7);"
           "INSERT INTO weights VALUES (2, 100, x'" +
               std::string(64, 'a') +
               "', 0.5, 7);"
               "INSERT INTO weights VALUES (3, 200, zeroblob(32), 1.5, 7);");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), Store::kSchemaVersion);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM weights WHERE mechanism = 0"), 3);
  auto w = s->weights({2}, 100);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ(w->begin()->second, 0.25);
  auto m = s->mechanisms({2}, 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, std::vector<std::uint8_t>{0});
  // Mechanism 1 of the same epoch and hotkey is its own row: a delta there starts from 0.
  WeightUpdate one{2, 100, AccountId{}, Op::add, 2.0};
  one.mechanism = 1;
  auto r = s->apply(std::span<const WeightUpdate>(&one, 1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0], 2.0);
  auto w1 = s->weights({2}, 100, 1);
  ASSERT_TRUE(w1.ok());
  ASSERT_EQ(w1->size(), 1u);
  EXPECT_EQ(w1->begin()->second, 2.0);
  auto w0 = s->weights({2}, 100);
  ASSERT_TRUE(w0.ok());
  EXPECT_EQ(w0->at(AccountId{}), 0.25);  // mechanism 0 untouched
  m = s->mechanisms({2}, 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (std::vector<std::uint8_t>{0, 1}));
  auto e = s->epochs({2});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, std::vector<std::uint64_t>{100});
}

TEST(WeightsSchema, NewerDatabaseIsRefusedNamingBothVersions) {
  test::TempDir dir;
  std::string path = dir.file("future.db");
  raw_exec(path, "CREATE TABLE weights_v7 (x); PRAGMA user_version = 7;");
  Result<std::unique_ptr<Store>> s = Store::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("schema version 7, newer than this build's " +
                                   std::to_string(Store::kSchemaVersion)),
            std::string::npos)
      << s.error().message;
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), 7);  // untouched
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'weights'"), 0);
}

TEST(WeightsSchema, MigrationsRunInOrderEachInOneTransaction) {
  test::TempDir dir;
  std::string path = dir.file("steps.db");
  const schema::Migration good[] = {
      {"v1: a", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
      {"v2: b from a", "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT x + 1 FROM a;"},
  };
  const schema::Migration broken[] = {
      good[0],
      {"v2: b from a", "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT missing_column FROM a;"},
  };
  {
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    Status s = schema::migrate(*db, broken);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("migration to schema version 2 (v2: b from a) failed"),
              std::string::npos)
        << s.error().message;
  }
  // Step 1 committed, step 2 left nothing behind (not even its CREATE TABLE).
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), 1);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
  {
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(schema::migrate(*db, good).ok());
    ASSERT_TRUE(schema::migrate(*db, good).ok());  // nothing left to do
  }
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), 2);
  EXPECT_EQ(raw_int(path, "SELECT y FROM b"), 2);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM a"), 1);  // step 1 ran once
}

TEST(WeightsSchema, TheBuildsListMatchesItsVersion) {
  EXPECT_EQ(schema::migrations().size(), static_cast<std::size_t>(Store::kSchemaVersion));
}

}  // namespace
}  // namespace pylon::weights

// Commit attempts and pending reveals round-trip through the file, every field, including u64
// values above 2^63 and the little-endian u16 BLOBs.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

Hash filled(std::uint8_t b) {
  Hash h;
  h.fill(b);
  return h;
}

CommitAttempt sample(std::uint64_t epoch, const std::string& call) {
  CommitAttempt a;
  a.netuid = 2;
  a.epoch = epoch;
  a.block = 123456;
  a.call = call;
  a.extrinsic_hash = filled(0x11);
  a.extrinsic = {0x45, 0x02, 0x84, 0x00, 0xff};
  a.nonce = (1ULL << 63) + 5;  // stored by bit pattern in a signed column
  a.mortal_until = 123520;
  a.weights_json = R"({"uids":[1,2],"values":[65535,100]})";
  a.created_ms = 1700000000123;
  return a;
}

void expect_same(const CommitAttempt& got, const CommitAttempt& want) {
  EXPECT_EQ(got.netuid, want.netuid);
  EXPECT_EQ(got.epoch, want.epoch);
  EXPECT_EQ(got.block, want.block);
  EXPECT_EQ(got.call, want.call);
  EXPECT_EQ(got.extrinsic_hash, want.extrinsic_hash);
  EXPECT_EQ(got.extrinsic, want.extrinsic);
  EXPECT_EQ(got.nonce, want.nonce);
  EXPECT_EQ(got.mortal_until, want.mortal_until);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.error, want.error);
  EXPECT_EQ(got.included_in, want.included_in);
  EXPECT_EQ(got.weights_json, want.weights_json);
  EXPECT_EQ(got.created_ms, want.created_ms);
}

TEST(WeightsAttempts, RecordUpdateAndFindAcrossReopen) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  CommitAttempt a = sample(100, "commit_weights");
  CommitAttempt b = sample(110, "set_weights");
  std::int64_t ida = 0;
  std::int64_t idb = 0;
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    Result<std::int64_t> ra = s->record_attempt(a);
    Result<std::int64_t> rb = s->record_attempt(b);
    ASSERT_TRUE(ra.ok() && rb.ok());
    ida = *ra;
    idb = *rb;
    EXPECT_NE(ida, idb);
    ASSERT_TRUE(s->update_attempt(ida, "finalized", "", filled(0x22)).ok());
    ASSERT_TRUE(
        s->update_attempt(idb, "failed", "Module error: SubtensorModule::SettingWeightsTooFast", {}).ok());
    Status missing = s->update_attempt(ida + idb + 100, "included", "", {});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no commit attempt"), std::string::npos);
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  Result<std::vector<CommitAttempt>> at100 = s->attempts(2, 100);
  ASSERT_TRUE(at100.ok());
  ASSERT_EQ(at100->size(), 1u);
  a.status = "finalized";
  a.included_in = filled(0x22);
  expect_same(at100->front(), a);
  EXPECT_EQ(at100->front().id, ida);
  EXPECT_GE(at100->front().updated_ms, at100->front().created_ms);

  Result<std::vector<CommitAttempt>> failed = s->attempts_with_status(2, "failed");
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  b.status = "failed";
  b.error = "Module error: SubtensorModule::SettingWeightsTooFast";
  expect_same(failed->front(), b);
  EXPECT_TRUE(s->attempts_with_status(3, "failed")->empty());  // per subnet
  EXPECT_TRUE(s->attempts(2, 120)->empty());
}

TEST(WeightsReveals, SaveReplaceAndFind) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  PendingReveal r;
  r.netuid = 2;
  r.epoch = 100;
  r.commit_hash = filled(0x33);
  r.uids = {0, 1, 513, 65535};
  r.values = {65535, 0, 258, 7};
  r.salt = {1, 2, 3, 4, 5, 6, 7, 0xBEEF};
  r.version_key = (1ULL << 63) + 1;
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_reveal(r).ok());
    PendingReveal other = r;
    other.epoch = 110;
    other.uids = {};
    other.values = {};
    ASSERT_TRUE(s->save_reveal(other).ok());
    r.status = "committed";  // the commit was included: same key, replaced
    r.commit_block = 104;
    ASSERT_TRUE(s->save_reveal(r).ok());
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  Result<std::optional<PendingReveal>> got = s->reveal(2, 100);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const PendingReveal& g = **got;
  EXPECT_EQ(g.commit_hash, r.commit_hash);
  EXPECT_EQ(g.uids, r.uids);
  EXPECT_EQ(g.values, r.values);
  EXPECT_EQ(g.salt, r.salt);
  EXPECT_EQ(g.version_key, r.version_key);
  EXPECT_EQ(g.commit_block, 104u);
  EXPECT_EQ(g.status, "committed");
  Result<std::vector<PendingReveal>> pending = s->reveals_with_status(2, "pending");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().epoch, 110u);
  EXPECT_TRUE(pending->front().uids.empty());
  Result<std::optional<PendingReveal>> none = s->reveal(2, 999);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  s.reset();

  // The BLOBs are little-endian u16, readable by any tool: uids 0, 1, 513, 65535.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT hex(uids) FROM pending_reveals WHERE epoch = 100", -1, &st, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "000001000102FFFF");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

}  // namespace
}  // namespace pylon::weights

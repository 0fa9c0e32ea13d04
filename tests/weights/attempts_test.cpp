// Commit attempts and pending reveals round-trip through the file, every field, including u64
// values above 2^63 and the little-endian u16 BLOBs.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <tuple>

#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

std::array<std::uint8_t, 32> filled(std::uint8_t b) {
  std::array<std::uint8_t, 32> h;
  h.fill(b);
  return h;
}

CommitAttempt sample(std::uint64_t epoch, CallKind call) {
  CommitAttempt a;
  a.netuid = 2;
  a.epoch = epoch;
  a.block = 123456;
  a.call = call;
  a.extrinsic_hash = ExtrinsicHash(filled(0x11));
  a.extrinsic = {0x45, 0x02, 0x84, 0x00, 0xff};
  a.nonce = (1ULL << 63) + 5;  // stored by bit pattern in a signed column
  a.mortal_until = 123520;
  a.weights_json = R"({"uids":[1,2],"values":[65535,100]})";
  a.created_ms = 1700000000123;
  return a;
}

// Every stored field of an attempt, in the order CommitAttempt declares them.
auto stored_fields(const CommitAttempt& a) {
  return std::tie(a.netuid, a.epoch, a.block, a.call, a.extrinsic_hash, a.extrinsic, a.nonce, a.mortal_until,
                  a.status, a.error, a.included_in, a.weights_json, a.created_ms);
}

void expect_same(const CommitAttempt& got, const CommitAttempt& want) {
  EXPECT_EQ(stored_fields(got), stored_fields(want));
}

TEST(WeightsAttempts, RecordUpdateAndFindAcrossReopen) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  CommitAttempt a = sample(100, CallKind::kCommitWeights);
  CommitAttempt b = sample(110, CallKind::kSetWeights);
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
    ASSERT_TRUE(s->update_attempt(ida, AttemptStatus::kFinalized, "", BlockHash(filled(0x22))).ok());
    ASSERT_TRUE(s->update_attempt(idb, AttemptStatus::kFailed,
                                  "Module error: SubtensorModule::SettingWeightsTooFast", {})
                    .ok());
    Status missing = s->update_attempt(ida + idb + 100, AttemptStatus::kIncluded, "", {});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no commit attempt"), std::string::npos);
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  Result<std::vector<CommitAttempt>> at100 = s->attempts({2}, 100);
  ASSERT_TRUE(at100.ok());
  ASSERT_EQ(at100->size(), 1u);
  a.status = AttemptStatus::kFinalized;
  a.included_in = BlockHash(filled(0x22));
  expect_same(at100->front(), a);
  EXPECT_EQ(at100->front().id, ida);
  EXPECT_GE(at100->front().updated_ms, at100->front().created_ms);

  Result<std::vector<CommitAttempt>> failed = s->attempts_with_status({2}, AttemptStatus::kFailed);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  b.status = AttemptStatus::kFailed;
  b.error = "Module error: SubtensorModule::SettingWeightsTooFast";
  expect_same(failed->front(), b);
  EXPECT_TRUE(s->attempts_with_status({3}, AttemptStatus::kFailed)->empty());  // per subnet
  EXPECT_TRUE(s->attempts({2}, 120)->empty());
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
    r.status = RevealStatus::kCommitted;  // the commit was included: same key, replaced
    r.commit_block = 104;
    ASSERT_TRUE(s->save_reveal(r).ok());
  }
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  Result<std::optional<PendingReveal>> got = s->reveal({2}, 100);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const PendingReveal& g = **got;
  EXPECT_EQ(g.commit_hash, r.commit_hash);
  EXPECT_EQ(g.uids, r.uids);
  EXPECT_EQ(g.values, r.values);
  EXPECT_EQ(g.salt, r.salt);
  EXPECT_EQ(g.version_key, r.version_key);
  EXPECT_EQ(g.commit_block, 104u);
  EXPECT_EQ(g.status, RevealStatus::kCommitted);
  Result<std::vector<PendingReveal>> pending = s->reveals_with_status({2}, RevealStatus::kPending);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().epoch, 110u);
  EXPECT_TRUE(pending->front().uids.empty());
  Result<std::optional<PendingReveal>> none = s->reveal({2}, 999);
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

// The stored texts are the contract with every existing database: each state has exactly its
// text, and reading it back gives the state.
TEST(WeightsAttempts, StatesAreStoredAsTheirTexts) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  const std::vector<std::pair<AttemptStatus, const char*>> statuses{
      {AttemptStatus::kPending, "pending"},     {AttemptStatus::kIncluded, "included"},
      {AttemptStatus::kFinalized, "finalized"}, {AttemptStatus::kFailed, "failed"},
      {AttemptStatus::kExpired, "expired"},     {AttemptStatus::kMissed, "missed"}};
  const std::vector<std::pair<CallKind, const char*>> calls{{CallKind::kSetWeights, "set_weights"},
                                                            {CallKind::kCommitWeights, "commit_weights"},
                                                            {CallKind::kRevealWeights, "reveal_weights"}};
  const std::vector<std::pair<RevealStatus, const char*>> reveals{{RevealStatus::kPending, "pending"},
                                                                  {RevealStatus::kCommitted, "committed"},
                                                                  {RevealStatus::kRevealed, "revealed"},
                                                                  {RevealStatus::kFailed, "failed"}};
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    std::uint64_t epoch = 0;
    for (const auto& [st, text] : statuses)
      for (const auto& [call, ctext] : calls) {
        CommitAttempt a = sample(++epoch, call);
        a.status = st;
        ASSERT_TRUE(s->record_attempt(a).ok());
      }
    for (const auto& [st, text] : reveals) {
      PendingReveal r;
      r.netuid = 2;
      r.epoch = ++epoch;
      r.status = st;
      ASSERT_TRUE(s->save_reveal(r).ok());
    }
    for (const auto& [st, text] : statuses) {
      auto got = s->attempts_with_status({2}, st);
      ASSERT_TRUE(got.ok()) << got.error().message;
      ASSERT_EQ(got->size(), calls.size()) << text;
      for (std::size_t i = 0; i < calls.size(); ++i) {
        EXPECT_EQ((*got)[i].status, st);
        EXPECT_EQ((*got)[i].call, calls[i].first);
      }
    }
    for (const auto& [st, text] : reveals) {
      auto got = s->reveals_with_status({2}, st);
      ASSERT_TRUE(got.ok()) << got.error().message;
      ASSERT_EQ(got->size(), 1u) << text;
      EXPECT_EQ(got->front().status, st);
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto count = [&](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    const int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
  };
  for (const auto& [st, text] : statuses) {
    EXPECT_EQ(to_text(st), text);
    EXPECT_EQ(attempt_status_from_text(text), st);
    EXPECT_EQ(count(std::string("SELECT count(*) FROM commit_attempts WHERE status = '") + text + "'"), 3)
        << text;
  }
  for (const auto& [call, text] : calls) {
    EXPECT_EQ(to_text(call), text);
    EXPECT_EQ(call_kind_from_text(text), call);
    EXPECT_EQ(count(std::string("SELECT count(*) FROM commit_attempts WHERE call = '") + text + "'"), 6)
        << text;
  }
  for (const auto& [st, text] : reveals) {
    EXPECT_EQ(to_text(st), text);
    EXPECT_EQ(reveal_status_from_text(text), st);
    EXPECT_EQ(count(std::string("SELECT count(*) FROM pending_reveals WHERE status = '") + text + "'"), 1)
        << text;
  }
  sqlite3_close(db);
  EXPECT_EQ(attempt_status_from_text("Included"), std::nullopt);  // exact text only
  EXPECT_EQ(call_kind_from_text("set_weights "), std::nullopt);
  EXPECT_EQ(reveal_status_from_text(""), std::nullopt);
}

// A row whose status or call this build does not know (another program, a newer build) is
// refused as corrupt, never read as some other state.
TEST(WeightsAttempts, UnknownStoredTextIsRefusedAsCorrupt) {
  test::TempDir dir;
  std::string path = dir.file("w.db");
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->record_attempt(sample(100, CallKind::kSetWeights)).ok());
    PendingReveal r;
    r.netuid = 2;
    r.epoch = 100;
    ASSERT_TRUE(s->save_reveal(r).ok());
  }
  auto exec = [&](const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  };
  exec("UPDATE commit_attempts SET status = 'landed'");
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    auto got = s->attempts({2}, 100);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.error().is(StoreErrc::kCorrupt)) << got.error().message;
    EXPECT_NE(got.error().message.find("landed"), std::string::npos) << got.error().message;
  }
  exec("UPDATE commit_attempts SET status = 'included', call = 'burn_weights'");
  {
    auto s = test::open_store(path);
    ASSERT_TRUE(s);
    auto got = s->attempts_with_status({2}, AttemptStatus::kIncluded);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.error().is(StoreErrc::kCorrupt)) << got.error().message;
  }
  exec("UPDATE commit_attempts SET call = 'set_weights'");
  exec("UPDATE pending_reveals SET status = 'Revealed'");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  auto ok = s->attempts({2}, 100);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->front().status, AttemptStatus::kIncluded);
  auto rev = s->reveal({2}, 100);
  ASSERT_FALSE(rev.ok());
  EXPECT_TRUE(rev.error().is(StoreErrc::kCorrupt)) << rev.error().message;
}

}  // namespace
}  // namespace pylon::weights

// Two validators' hotkeys on one subnet (issue 15): weights, attempts and owed reveals are kept per
// lane (subnet, signing hotkey) on one real SQLite file. Each lane's Writer stamps its hotkey; a
// replacing batch clears only its own lane; queries of one lane never see the other's rows; both
// survive a reopen; rows of a v5 file (one hotkey per subnet) are adopted by the subnet's signer.
#include <gtest/gtest.h>

#include "raw_sqlite.hpp"
#include "weights/schema.hpp"
#include "weights/writer.hpp"
#include "weights_test_support.hpp"

namespace pylon::weights {
namespace {

using test::hotkey;

constexpr std::uint16_t kNetuid = 2;
constexpr std::uint64_t kEpoch = 100;

AccountId signer(std::uint8_t n) {
  AccountId a{};
  a.bytes().fill(n);
  return a;
}

std::map<AccountId, double> weights_of(Store& s, const AccountId& who, std::uint8_t mechanism = 0) {
  auto w = s.weights({kNetuid, who}, kEpoch, mechanism);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  return w.ok() ? *w : std::map<AccountId, double>{};
}

std::unique_ptr<Writer> writer_for(Store& s, const AccountId& who) {
  WriterOptions o;
  o.signer = who;
  return std::make_unique<Writer>(
      s, nullptr, [] { return std::optional<DrainContext>(); }, o);
}

CommitAttempt attempt(const AccountId& who, AttemptStatus status) {
  CommitAttempt a;
  a.netuid = kNetuid;
  a.signer = who;
  a.epoch = kEpoch;
  a.block = kEpoch + 5;
  a.call = CallKind::kCommitWeights;
  a.status = status;
  a.extrinsic = {0x01};
  return a;
}

PendingReveal reveal(const AccountId& who, std::uint16_t uid) {
  PendingReveal r;
  r.netuid = kNetuid;
  r.signer = who;
  r.epoch = kEpoch;
  r.uids = {uid};
  r.values = {65535};
  r.salt = {1, 2};
  r.status = RevealStatus::kCommitted;
  return r;
}

TEST(WeightsLanes, EachHotkeysWriterKeepsItsOwnWeightSetOnOneSubnet) {
  test::TempDir dir;
  const AccountId a = signer(0xAA), b = signer(0xBB);
  {
    auto s = test::open_store(dir.file("w.db"));
    ASSERT_TRUE(s);
    auto wa = writer_for(*s, a);
    auto wb = writer_for(*s, b);
    EXPECT_EQ(wa->signer(), a);
    // The updates name no signer: each Writer stamps its own.
    ASSERT_TRUE(wa->apply(replacing(kNetuid, kEpoch, 0, {{hotkey(1), 1.0}, {hotkey(2), 2.0}})).ok());
    ASSERT_TRUE(wb->apply(replacing(kNetuid, kEpoch, 0, {{hotkey(1), 5.0}})).ok());
    EXPECT_EQ(weights_of(*s, a), (std::map<AccountId, double>{{hotkey(1), 1.0}, {hotkey(2), 2.0}}));
    EXPECT_EQ(weights_of(*s, b), (std::map<AccountId, double>{{hotkey(1), 5.0}}));
    // B's latest request replaces B's set only: its clear_epoch leaves A's rows alone.
    ASSERT_TRUE(wb->apply(replacing(kNetuid, kEpoch, 0, {{hotkey(3), 1.0}})).ok());
    EXPECT_EQ(weights_of(*s, a), (std::map<AccountId, double>{{hotkey(1), 1.0}, {hotkey(2), 2.0}}));
    EXPECT_EQ(weights_of(*s, b), (std::map<AccountId, double>{{hotkey(1), 0.0}, {hotkey(3), 1.0}}));
    // A delta adds to A's own weight, not to B's row of the same hotkey.
    WeightUpdate delta{kNetuid, kEpoch, hotkey(1), Op::add, 0.5};
    auto after = wa->apply({delta});
    ASSERT_TRUE(after.ok()) << after.error().message;
    EXPECT_EQ(after->front(), 1.5);
    EXPECT_EQ(weights_of(*s, b).at(hotkey(1)), 0.0);
    // Epochs and mechanisms are per lane too; the zero signer's lane (rows before lanes) is empty.
    ASSERT_TRUE(wb->apply(replacing(kNetuid, kEpoch + 361, 1, {{hotkey(4), 1.0}})).ok());
    EXPECT_EQ(*s->epochs({kNetuid, a}), std::vector<std::uint64_t>{kEpoch});
    EXPECT_EQ(*s->epochs({kNetuid, b}), (std::vector<std::uint64_t>{kEpoch + 361, kEpoch}));
    EXPECT_EQ(*s->mechanisms({kNetuid, b}, kEpoch + 361), std::vector<std::uint8_t>{1});
    EXPECT_TRUE(s->mechanisms({kNetuid, a}, kEpoch + 361)->empty());
    EXPECT_TRUE(s->weights({kNetuid}, kEpoch)->empty());
    wa->stop();
    wb->stop();
  }
  // A restart finds both lanes as they were.
  auto s = test::open_store(dir.file("w.db"));
  ASSERT_TRUE(s);
  EXPECT_EQ(weights_of(*s, a), (std::map<AccountId, double>{{hotkey(1), 1.5}, {hotkey(2), 2.0}}));
  EXPECT_EQ(weights_of(*s, b), (std::map<AccountId, double>{{hotkey(1), 0.0}, {hotkey(3), 1.0}}));
  EXPECT_EQ(weights_of(*s, b, 1).size(), 0u);  // mechanism 1 was written for another epoch
}

TEST(WeightsLanes, AttemptsAndRevealsOfOneEpochAreApartPerHotkey) {
  test::TempDir dir;
  const AccountId a = signer(0xAA), b = signer(0xBB);
  {
    auto s = test::open_store(dir.file("w.db"));
    ASSERT_TRUE(s);
    auto ida = s->record_attempt(attempt(a, AttemptStatus::kPending));
    auto idb = s->record_attempt(attempt(b, AttemptStatus::kIncluded));
    ASSERT_TRUE(ida.ok() && idb.ok());
    // The same (netuid, mechanism, epoch) owed by both hotkeys: two rows, not one overwritten.
    ASSERT_TRUE(s->save_reveal(reveal(a, 7)).ok());
    ASSERT_TRUE(s->save_reveal(reveal(b, 9)).ok());
  }
  auto s = test::open_store(dir.file("w.db"));  // and after a restart
  ASSERT_TRUE(s);
  auto of_a = s->attempts({kNetuid, a}, kEpoch);
  auto of_b = s->attempts({kNetuid, b}, kEpoch);
  ASSERT_TRUE(of_a.ok() && of_b.ok());
  ASSERT_EQ(of_a->size(), 1u);
  ASSERT_EQ(of_b->size(), 1u);
  EXPECT_EQ((*of_a)[0].signer, a);
  EXPECT_EQ((*of_a)[0].status, AttemptStatus::kPending);
  EXPECT_EQ((*of_b)[0].signer, b);
  EXPECT_EQ((*of_b)[0].status, AttemptStatus::kIncluded);
  EXPECT_EQ(s->attempts_with_status({kNetuid, a}, AttemptStatus::kPending)->size(), 1u);
  EXPECT_TRUE(s->attempts_with_status({kNetuid, b}, AttemptStatus::kPending)->empty());
  EXPECT_TRUE(s->attempts_with_status({kNetuid, a}, AttemptStatus::kIncluded)->empty());
  auto ra = s->reveal({kNetuid, a}, kEpoch);
  auto rb = s->reveal({kNetuid, b}, kEpoch);
  ASSERT_TRUE(ra.ok() && rb.ok() && ra->has_value() && rb->has_value());
  EXPECT_EQ((*ra)->uids, std::vector<std::uint16_t>{7});
  EXPECT_EQ((*rb)->uids, std::vector<std::uint16_t>{9});
  EXPECT_EQ((*rb)->signer, b);
  auto owed_a = s->reveals_with_status({kNetuid, a}, RevealStatus::kCommitted);
  ASSERT_TRUE(owed_a.ok());
  ASSERT_EQ(owed_a->size(), 1u);
  EXPECT_EQ((*owed_a)[0].uids, std::vector<std::uint16_t>{7});
  // Saving A's reveal again (its commit included) leaves B's untouched.
  auto again = reveal(a, 7);
  again.commit_block = 106;
  ASSERT_TRUE(s->save_reveal(again).ok());
  EXPECT_EQ((*s->reveal({kNetuid, b}, kEpoch))->commit_block, 0u);
  EXPECT_EQ((*s->reveal({kNetuid, a}, kEpoch))->commit_block, 106u);
}

// A v5 file (one hotkey signed per subnet) upgrades with its rows unattributed, and the subnet's
// signer adopts them: weights, attempts and owed reveals; another subnet's stay where they are.
TEST(WeightsLanes, RowsWrittenBeforeLanesAreAdoptedByTheSubnetsSigner) {
  test::TempDir dir;
  const std::string path = dir.file("v5.db");
  {
    Result<sql::Db> db = sql::Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(schema::migrate(*db, schema::migrations().first(5)).ok());
  }
  test::raw_exec(
      path,
      "INSERT INTO weights (netuid, mechanism, epoch, hotkey, weight, updated_ms) VALUES "
      "(2, 0, 100, x'" +
          std::string(64, '1') + "', 0.25, 1), (3, 0, 100, x'" + std::string(64, '1') +
          "', 0.5, 1);"
          "INSERT INTO commit_attempts (netuid, epoch, block, call, extrinsic_hash, extrinsic, nonce, "
          "mortal_until, status, error, included_in, weights_json, created_ms, updated_ms, "
          "reveal_round, mechanism) VALUES (2, 100, 150, 'commit_weights', zeroblob(32), x'01', 7, "
          "214, 'included', '', NULL, '{}', 1, 1, NULL, 0);"
          "INSERT INTO pending_reveals (netuid, mechanism, epoch, commit_hash, uids, vals, salt, "
          "version_key, commit_block, status, error, updated_ms) VALUES (2, 0, 100, zeroblob(32), "
          "x'0100', x'ffff', x'0900', 3, 151, 'committed', '', 1);");
  auto s = test::open_store(path);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), 6);
  EXPECT_EQ(s->weights({2}, 100)->size(), 1u);  // unattributed until adopted
  const AccountId a = signer(0xAA);
  auto moved = s->adopt_unattributed({2, a});
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, 3u);
  EXPECT_TRUE(s->weights({2}, 100)->empty());
  EXPECT_EQ(s->weights({2, a}, 100)->size(), 1u);
  EXPECT_EQ(s->attempts({2, a}, 100)->size(), 1u);
  EXPECT_EQ(s->reveals_with_status({2, a}, RevealStatus::kCommitted)->size(), 1u);
  EXPECT_EQ(s->weights({3}, 100)->size(), 1u);               // subnet 3's rows wait for subnet 3's signer
  EXPECT_EQ(*s->adopt_unattributed({2, signer(0xBB)}), 0u);  // nothing left to adopt
  EXPECT_TRUE(s->weights({2, signer(0xBB)}, 100)->empty());
}

}  // namespace
}  // namespace pylon::weights

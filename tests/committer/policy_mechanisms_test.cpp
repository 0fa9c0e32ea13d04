// Rule R15 of policy.hpp: each mechanism (sub-subnet) is decided on its own, over its own
// attempts, memo, last committed epoch and LastUpdate (the rate limit is per mechanism storage
// index in subtensor's check_rate_limit), in the subnet's one epoch and window; a mechanism the
// subnet does not have is never decided.
//
// Every row starts from one situation: epoch [1000, 1100), window [1050, 1090), block 1060,
// cadence 1, rate limit 100, commit-reveal off, a registered validator with a permit, mechanism 0
// and mechanism 1 both holding weights, two mechanisms on the subnet, nothing in the record.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "committer/policy.hpp"
#include "policy_rows.hpp"

namespace pylon::committer {
namespace {

using weights::AttemptStatus;
using weights::CallKind;

using test::describe;

// One mechanism's own facts; the record is the epoch's, shared by both.
struct PerMechanism {
  bool has_weights = true;
  std::uint64_t last_update = 0;  // LastUpdate at the mechanism's storage index
  std::optional<std::uint64_t> last_committed;
  EpochMemo memo;
};

struct Subnet {
  ChainFacts facts;
  std::vector<LedgerEntry> record;
  PerMechanism mech[2];
  PolicyOptions options;

  Subnet() : facts(test::starting_facts()) {
    facts.mechanism_count = 2;
    for (auto& m : mech) m.memo.epoch = 1000;
  }
  // "mechanism 0 | mechanism 1".
  std::string decide_both() const {
    std::string out;
    for (std::uint8_t m = 0; m < 2; ++m) {
      ChainFacts f = facts;
      f.mechanism = m;
      f.own->last_update = mech[m].last_update;
      Ledger l;
      l.last_committed_epoch = mech[m].last_committed;
      l.epoch_attempts = record;
      l.has_weights = mech[m].has_weights;
      l.memo = mech[m].memo;
      out += (m ? " | " : "") + describe(committer::decide(f, l, options));
    }
    return out;
  }
};

LedgerEntry attempt(std::uint8_t mechanism, CallKind call, AttemptStatus status, std::uint64_t epoch = 1000) {
  return {epoch, call, status, mechanism};
}

struct Row {
  const char* situation;
  std::function<void(Subnet&)> change;
  const char* expected;
};

TEST(CommitPolicyMechanisms, EachMechanismIsDecidedOnItsOwn) {
  const std::vector<Row> rows{
      {"both have weights: both commit", [](Subnet&) {}, "commit(set_weights) | commit(set_weights)"},
      {"mechanism 1 has none", [](Subnet& s) { s.mech[1].has_weights = false; },
       "commit(set_weights) | idle(no_weights)"},
      {"mechanism 0 has none", [](Subnet& s) { s.mech[0].has_weights = false; },
       "idle(no_weights) | commit(set_weights)"},
      {"mechanism 0 landed: mechanism 1 is still due",
       [](Subnet& s) { s.record = {attempt(0, CallKind::kSetWeights, AttemptStatus::kIncluded)}; },
       "idle(done) | commit(set_weights)"},
      {"mechanism 1's commit is pending: mechanism 0 does not wait for it",
       [](Subnet& s) { s.record = {attempt(1, CallKind::kSetWeights, AttemptStatus::kPending)}; },
       "commit(set_weights) | wait(outcome_unknown)"},
      {"mechanism 1 was recorded missed by an earlier run: only its epoch is closed",
       [](Subnet& s) { s.record = {attempt(1, CallKind::kSetWeights, AttemptStatus::kMissed)}; },
       "commit(set_weights) | idle(window_closed)"},
      {"another epoch's landing of mechanism 1 does not count",
       [](Subnet& s) { s.record = {attempt(1, CallKind::kSetWeights, AttemptStatus::kIncluded, 900)}; },
       "commit(set_weights) | commit(set_weights)"},
      {"rate limit per storage index: mechanism 0 set weights in this block",
       [](Subnet& s) { s.mech[0].last_update = 1060; }, "wait(rate_limit until 1160) | commit(set_weights)"},
      {"rate limit per storage index: mechanism 1 set weights 50 blocks ago",
       [](Subnet& s) { s.mech[1].last_update = 1010; }, "commit(set_weights) | wait(rate_limit until 1110)"},
      {"one window for the subnet: before it, both wait", [](Subnet& s) { s.facts.block = 1049; },
       "wait(before_window until 1050) | wait(before_window until 1050)"},
      {"one window for the subnet: past it, each with weights is missed",
       [](Subnet& s) {
         s.facts.block = 1090;
         s.mech[1].has_weights = false;
       },
       "record_missed(set_weights 1050..1090) | idle(window_closed)"},
      {"backoff is the mechanism's memo's", [](Subnet& s) { s.mech[1].memo.next_try_block = 1064; },
       "commit(set_weights) | wait(backoff until 1064)"},
      {"cadence every 2 epochs counts from each mechanism's own last commit",
       [](Subnet& s) {
         s.options.every_epochs = 2;
         s.mech[0].last_committed = 900;
       },
       "idle(off_cadence) | commit(set_weights)"},
      {"commit-reveal on: the same call for each", [](Subnet& s) { s.facts.commit_reveal = true; },
       "commit(commit_weights) | commit(commit_weights)"},
  };
  for (const Row& r : rows) {
    Subnet s;
    r.change(s);
    EXPECT_EQ(s.decide_both(), r.expected) << r.situation;
  }
}

TEST(CommitPolicyMechanisms, AMechanismTheSubnetLacksIsNeverDecided) {
  ChainFacts f;
  f.mechanism_count = 1;  // a runtime without mechanisms, or a subnet with one
  f.mechanism = 0;
  EXPECT_TRUE(mechanism_exists(f));
  f.mechanism = 1;
  EXPECT_FALSE(mechanism_exists(f));
  f.mechanism_count = 2;
  EXPECT_TRUE(mechanism_exists(f));
  f.mechanism = 2;
  EXPECT_FALSE(mechanism_exists(f));
  f.mechanism = 255;
  EXPECT_FALSE(mechanism_exists(f));
}

TEST(CommitPolicyMechanisms, LastCommittedAndMissedArePerMechanism) {
  const std::vector<LedgerEntry> record{
      attempt(0, CallKind::kSetWeights, AttemptStatus::kIncluded, 800),
      attempt(1, CallKind::kCommitWeights, AttemptStatus::kFinalized, 900),
      attempt(1, CallKind::kRevealWeights, AttemptStatus::kIncluded, 1000),  // a reveal commits nothing
  };
  EXPECT_EQ(last_committed_epoch(record, 0), 800u);
  EXPECT_EQ(last_committed_epoch(record, 1), 900u);
  EXPECT_EQ(last_committed_epoch(record, 2), std::nullopt);
  EXPECT_EQ(last_committed_epoch(record), 800u);  // mechanism 0 by default: the legacy meaning

  // Epoch 900: mechanism 1 landed, mechanism 0 has weights but never landed there.
  const std::vector<LedgerEntry> e900{attempt(1, CallKind::kSetWeights, AttemptStatus::kIncluded, 900)};
  const PolicyOptions every;
  EXPECT_TRUE(epoch_missed(900, 1000, true, e900, every, 0));
  EXPECT_FALSE(epoch_missed(900, 1000, true, e900, every, 1));
  const std::vector<LedgerEntry> reported{attempt(0, CallKind::kSetWeights, AttemptStatus::kMissed, 900)};
  EXPECT_FALSE(epoch_missed(900, 1000, true, reported, every, 0));  // reported once
  EXPECT_TRUE(epoch_missed(900, 1000, true, reported, every, 1));   // the other mechanism's report
}

}  // namespace
}  // namespace pylon::committer

// The commit rules of policy.hpp (R1-R14), row by row, without a chain, a store or a thread: each
// row is a situation (the snapshot's facts, the record, the loop's memory, the options) and the
// answer the rules must give. The e2e tests (e2e_commit, e2e_weights) hold the executor to them on
// the local chain.
//
// Every row starts from one situation and changes what it is about:
//   epoch [1000, 1100) (length 100), default window mid:10 = [1050, 1090), block 1060,
//   cadence 1, a registered validator with a permit that never set weights, rate limit 100,
//   commit-reveal off, weights stored for the epoch, nothing in the record, a fresh memo.
#include "committer/policy.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "policy_rows.hpp"

namespace pylon::committer {
namespace {

using weights::AttemptStatus;
using weights::CallKind;

using test::describe;

struct Case {
  ChainFacts facts;
  std::vector<LedgerEntry> attempts;
  std::optional<std::uint64_t> last_committed;
  bool has_weights = true;
  EpochMemo memo;
  PolicyOptions options;

  Case() : facts(test::starting_facts()) { memo.epoch = 1000; }
  Action decide() const {
    Ledger l;
    l.last_committed_epoch = last_committed;
    l.epoch_attempts = attempts;
    l.has_weights = has_weights;
    l.memo = memo;
    return committer::decide(facts, l, options);
  }
  // The same situation in the epoch starting at `start` (same length).
  void move_to_epoch(std::uint64_t start) {
    const std::uint64_t offset = facts.block - facts.epoch_start;
    facts.epoch_end = start + (facts.epoch_end - facts.epoch_start);
    facts.epoch_start = start;
    facts.block = start + offset;
    memo.epoch = start;
  }
};

struct Row {
  const char* situation;
  std::function<void(Case&)> change;
  const char* expected;
};

void run(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    Case c;
    r.change(c);
    EXPECT_EQ(describe(c.decide()), r.expected) << r.situation;
  }
}

LedgerEntry attempt(CallKind call, AttemptStatus status, std::uint64_t epoch = 1000) {
  return {epoch, call, status};
}

// R3, R4: both edges of the window, first and last block in and out.
TEST(CommitPolicy, WindowEdges) {
  run({
      {"the epoch's first block", [](Case& c) { c.facts.block = 1000; }, "wait(before_window until 1050)"},
      {"the last block before the window", [](Case& c) { c.facts.block = 1049; },
       "wait(before_window until 1050)"},
      {"the window's first block", [](Case& c) { c.facts.block = 1050; }, "commit(set_weights)"},
      {"the window's last block", [](Case& c) { c.facts.block = 1089; }, "commit(set_weights)"},
      {"the first block after the window: recorded missed", [](Case& c) { c.facts.block = 1090; },
       "record_missed(set_weights 1050..1090)"},
      {"the epoch's last block", [](Case& c) { c.facts.block = 1099; },
       "record_missed(set_weights 1050..1090)"},
      {"after the window without weights: just closed",
       [](Case& c) {
         c.facts.block = 1090;
         c.has_weights = false;
       },
       "idle(window_closed)"},
      {"after the window, closed already in this run: recorded once",
       [](Case& c) {
         c.facts.block = 1095;
         c.memo.closed = true;
       },
       "idle(window_closed)"},
      {"window 0:1, the epoch's first block",
       [](Case& c) {
         c.options.window = {0, 1};
         c.facts.block = 1000;
       },
       "commit(set_weights)"},
      {"window 0:1, the epoch's second-to-last block",
       [](Case& c) {
         c.options.window = {0, 1};
         c.facts.block = 1098;
       },
       "commit(set_weights)"},
      {"window 0:1, the epoch's last block",
       [](Case& c) {
         c.options.window = {0, 1};
         c.facts.block = 1099;
       },
       "record_missed(set_weights 1000..1099)"},
      {"window 20:30, block 1019",
       [](Case& c) {
         c.options.window = {20, 30};
         c.facts.block = 1019;
       },
       "wait(before_window until 1020)"},
      {"window 20:30, block 1069",
       [](Case& c) {
         c.options.window = {20, 30};
         c.facts.block = 1069;
       },
       "commit(set_weights)"},
      {"window 20:30, block 1070",
       [](Case& c) {
         c.options.window = {20, 30};
         c.facts.block = 1070;
       },
       "record_missed(set_weights 1020..1070)"},
      // A tempo too short for mid:10 (epoch of 10 blocks): the second half, [1005, 1010).
      {"short epoch, block 1004",
       [](Case& c) {
         c.facts.epoch_end = 1010;
         c.facts.block = 1004;
       },
       "wait(before_window until 1005)"},
      {"short epoch, block 1005",
       [](Case& c) {
         c.facts.epoch_end = 1010;
         c.facts.block = 1005;
       },
       "commit(set_weights)"},
      {"short epoch, its last block",
       [](Case& c) {
         c.facts.epoch_end = 1010;
         c.facts.block = 1009;
       },
       "commit(set_weights)"},
      {"a start offset past the epoch's end: the second half",
       [](Case& c) {
         c.options.window = {200, 0};
         c.facts.block = 1050;
       },
       "commit(set_weights)"},
      {"a start offset past the epoch's end, before the middle",
       [](Case& c) {
         c.options.window = {200, 0};
         c.facts.block = 1049;
       },
       "wait(before_window until 1050)"},
  });
}

TEST(CommitPolicy, WindowShapes) {
  struct W {
    std::uint64_t start, end;
    std::optional<std::uint64_t> offset;
    std::uint64_t buffer;
    std::uint64_t want_start, want_end;
  };
  for (const W& w : std::vector<W>{
           {1000, 1100, std::nullopt, 10, 1050, 1090},  // mid:10
           {1000, 1100, 0, 1, 1000, 1099},              // 0:1
           {1000, 1100, 89, 10, 1089, 1090},            // one block wide
           {1000, 1100, 90, 10, 1050, 1100},            // empty: the second half
           {1000, 1010, std::nullopt, 10, 1005, 1010},  // end_buffer eats the epoch
           {1000, 1100, 100, 0, 1050, 1100},            // starts at the end
           {5, 16, std::nullopt, 100, 10, 16},          // end_buffer above the end block
       }) {
    const Window got = commit_window(w.start, w.end, config::CommitWindow{w.offset, w.buffer});
    EXPECT_EQ(got.start, w.want_start) << w.start << ".." << w.end << " offset " << w.offset.value_or(999);
    EXPECT_EQ(got.end, w.want_end) << w.start << ".." << w.end << " offset " << w.offset.value_or(999);
  }
}

// R2: cadence every N epochs, counted from the last committed epoch (R12).
TEST(CommitPolicy, CadenceEveryNEpochs) {
  auto every = [](std::uint32_t n, std::optional<std::uint64_t> last, std::uint64_t epoch) {
    return [=](Case& c) {
      c.options.every_epochs = n;
      c.last_committed = last;
      c.move_to_epoch(epoch);
    };
  };
  run({
      {"every 1: the epoch after the last commit", every(1, 1000, 1100), "commit(set_weights)"},
      {"every 2: the next epoch is skipped", every(2, 1000, 1100), "idle(off_cadence)"},
      {"every 2: the second epoch is due", every(2, 1000, 1200), "commit(set_weights)"},
      {"every 3: the next epoch is skipped", every(3, 1000, 1100), "idle(off_cadence)"},
      {"every 3: the second epoch is skipped", every(3, 1000, 1200), "idle(off_cadence)"},
      {"every 3: the third epoch is due", every(3, 1000, 1300), "commit(set_weights)"},
      {"every 3: later still (a commit was missed) is due", every(3, 1000, 1700), "commit(set_weights)"},
      {"every 3: nothing committed yet is due", every(3, std::nullopt, 1100), "commit(set_weights)"},
      {"every 3: one block short of two whole epochs", every(3, 1001, 1200), "idle(off_cadence)"},
      {"every 3 but done already: done, not off-cadence",
       [&](Case& c) {
         every(3, 1000, 1100)(c);
         c.attempts = {attempt(CallKind::kSetWeights, AttemptStatus::kIncluded, 1100)};
       },
       "idle(done)"},
      {"every 2, off-cadence epoch after its window: nothing recorded",
       [&](Case& c) {
         every(2, 1000, 1100)(c);
         c.facts.block = 1195;
       },
       "idle(off_cadence)"},
      {"every 1: no weights for the epoch", [](Case& c) { c.has_weights = false; }, "idle(no_weights)"},
  });
}

// R7: weights_rate_limit against last_update; the call lands in the next block at the earliest.
TEST(CommitPolicy, RateLimit) {
  auto limited = [](std::uint64_t last_update, std::uint64_t rate, std::uint64_t block) {
    return [=](Case& c) {
      c.facts.own->last_update = last_update;
      c.facts.weights_rate_limit = rate;
      c.facts.block = block;
    };
  };
  run({
      {"two blocks before the limit lifts", limited(960, 100, 1058), "wait(rate_limit until 1060)"},
      {"just below: the next block is the first allowed", limited(960, 100, 1059), "commit(set_weights)"},
      {"at the limit", limited(960, 100, 1060), "commit(set_weights)"},
      {"above the limit", limited(960, 100, 1080), "commit(set_weights)"},
      {"set in this very block", limited(1060, 100, 1060), "wait(rate_limit until 1160)"},
      {"never set weights: no limit", limited(0, 100, 1060), "commit(set_weights)"},
      {"rate limit 0", limited(1060, 0, 1060), "commit(set_weights)"},
      {"rate limit 1, set in this block", limited(1060, 1, 1060), "commit(set_weights)"},
      {"limited, but before the window: the window first", limited(1040, 100, 1045),
       "wait(before_window until 1050)"},
      {"limited past the window's end: the window closes", limited(1060, 100, 1090),
       "record_missed(set_weights 1050..1090)"},
  });
}

// R8: after a refusal, retry after 1, 2, 4, ... 32 blocks, until the window closes.
TEST(CommitPolicy, BackoffAfterARefusal) {
  auto failed_at = [](std::uint64_t block, int times) {
    return [=](Case& c) {
      for (int i = 0; i < times; ++i)
        c.memo = after_commit_failure(c.memo, block, "SubtensorModule.SettingWeightsTooFast");
    };
  };
  run({
      {"refused once at 1060, block 1060", failed_at(1060, 1), "wait(backoff until 1061)"},
      {"refused once at 1060, block 1061",
       [&](Case& c) {
         failed_at(1060, 1)(c);
         c.facts.block = 1061;
       },
       "commit(set_weights)"},
      {"refused three times, block 1063",
       [&](Case& c) {
         failed_at(1060, 3)(c);
         c.facts.block = 1063;
       },
       "wait(backoff until 1064)"},
      {"refused three times, block 1064",
       [&](Case& c) {
         failed_at(1060, 3)(c);
         c.facts.block = 1064;
       },
       "commit(set_weights)"},
      {"backing off when the window closes: recorded missed",
       [&](Case& c) {
         failed_at(1085, 6)(c);
         c.facts.block = 1090;
       },
       "record_missed(set_weights 1050..1090)"},
      {"a new epoch forgets the failures (fresh memo)",
       [&](Case& c) {
         failed_at(1085, 6)(c);
         c.move_to_epoch(1100);
         c.memo = EpochMemo{};
         c.memo.epoch = 1100;
       },
       "commit(set_weights)"},
  });
  // The delays: 1, 2, 4, 8, 16, 32 and then 32 blocks.
  EpochMemo m;
  std::vector<std::uint64_t> delays;
  for (int i = 0; i < 8; ++i) {
    m = after_commit_failure(m, 2000, "e" + std::to_string(i));
    delays.push_back(m.next_try_block - 2000);
  }
  EXPECT_EQ(delays, (std::vector<std::uint64_t>{1, 2, 4, 8, 16, 32, 32, 32}));
  EXPECT_EQ(m.last_error, "e7");
  EXPECT_EQ(m.failures, 6);
}

// R5, R6, R9: who may commit, at most once per epoch, and which call.
TEST(CommitPolicy, OncePerEpochBlockedAndTheCall) {
  auto with = [](std::vector<LedgerEntry> attempts, std::uint64_t block = 1060) {
    return [=](Case& c) {
      c.attempts = attempts;
      c.facts.block = block;
    };
  };
  using C = CallKind;
  using S = AttemptStatus;
  run({
      {"not registered", [](Case& c) { c.facts.own.reset(); }, "blocked(not_registered)"},
      {"no validator permit", [](Case& c) { c.facts.own->validator_permit = false; }, "blocked(no_permit)"},
      {"not registered, even with a pending commit",
       [&](Case& c) {
         with({attempt(C::kSetWeights, S::kPending)})(c);
         c.facts.own.reset();
       },
       "blocked(not_registered)"},
      {"commit-reveal on", [](Case& c) { c.facts.commit_reveal = true; }, "commit(commit_weights)"},
      {"commit-reveal on, window closed",
       [](Case& c) {
         c.facts.commit_reveal = true;
         c.facts.block = 1090;
       },
       "record_missed(commit_weights 1050..1090)"},
      {"set_weights included", with({attempt(C::kSetWeights, S::kIncluded)}), "idle(done)"},
      {"set_weights finalized", with({attempt(C::kSetWeights, S::kFinalized)}), "idle(done)"},
      {"commit_weights included", with({attempt(C::kCommitWeights, S::kIncluded)}), "idle(done)"},
      {"included, after the window: done, not missed", with({attempt(C::kSetWeights, S::kIncluded)}, 1095),
       "idle(done)"},
      {"failed then included",
       with({attempt(C::kSetWeights, S::kFailed), attempt(C::kSetWeights, S::kIncluded)}), "idle(done)"},
      {"set_weights failed: tried again", with({attempt(C::kSetWeights, S::kFailed)}), "commit(set_weights)"},
      {"set_weights expired: tried again", with({attempt(C::kSetWeights, S::kExpired)}),
       "commit(set_weights)"},
      {"only a reveal in the record", with({attempt(C::kRevealWeights, S::kIncluded)}),
       "commit(set_weights)"},
      {"a pending reveal does not hold the commit", with({attempt(C::kRevealWeights, S::kPending)}),
       "commit(set_weights)"},
      {"another epoch's included commit", with({attempt(C::kSetWeights, S::kIncluded, 900)}),
       "commit(set_weights)"},
  });
}

// R6, R11, R12, R14: a restart in every phase. After a restart the memo is fresh and the record
// is all that is known.
TEST(CommitPolicy, RestartInEveryPhase) {
  using C = CallKind;
  using S = AttemptStatus;
  run({
      {"nothing pending, inside the window", [](Case&) {}, "commit(set_weights)"},
      {"nothing pending, before the window", [](Case& c) { c.facts.block = 1010; },
       "wait(before_window until 1050)"},
      {"nothing pending, the window over while down: missed", [](Case& c) { c.facts.block = 1095; },
       "record_missed(set_weights 1050..1090)"},
      {"submitted, outcome unknown", [](Case& c) { c.attempts = {attempt(C::kSetWeights, S::kPending)}; },
       "wait(outcome_unknown)"},
      {"submitted, outcome unknown, window over: still waiting for it",
       [](Case& c) {
         c.attempts = {attempt(C::kCommitWeights, S::kPending)};
         c.facts.block = 1095;
       },
       "wait(outcome_unknown)"},
      {"submitted, then found expired: tried again",
       [](Case& c) { c.attempts = {attempt(C::kSetWeights, S::kExpired)}; }, "commit(set_weights)"},
      {"committed (commit-reveal), reveal owed: the epoch is done",
       [](Case& c) {
         c.facts.commit_reveal = true;
         c.attempts = {attempt(C::kCommitWeights, S::kIncluded)};
       },
       "idle(done)"},
      {"missed recorded by the previous run, window over: not recorded twice",
       [](Case& c) {
         c.attempts = {attempt(C::kSetWeights, S::kMissed)};
         c.facts.block = 1095;
       },
       "idle(window_closed)"},
  });

  // R14 with R10: a commit included by the previous run, its reveal owed. The chain's reveal
  // window for it is [1200, 1299] (the reveal epoch); a reveal sent at block B lands in B + 1.
  struct R {
    const char* situation;
    RevealFacts facts;
    RevealStep expected;
  };
  auto at = [](std::uint64_t block) {
    RevealFacts f;
    f.block = block;
    f.commit_block = 1061;
    f.commit = RevealFacts::OnChain{1200, 1299};
    return f;
  };
  auto with = [&](std::uint64_t block, auto change) {
    RevealFacts f = at(block);
    change(f);
    return f;
  };
  for (const R& r : std::vector<R>{
           {"restarted before the reveal epoch", at(1150), RevealStep::kWaitWindow},
           {"two blocks before the reveal window", at(1198), RevealStep::kWaitWindow},
           {"the block before the reveal window: the reveal lands in its first block", at(1199),
            RevealStep::kReveal},
           {"inside the reveal epoch", at(1250), RevealStep::kReveal},
           {"the window's second-to-last block: lands in its last", at(1298), RevealStep::kReveal},
           {"the window's last block: too late", at(1299), RevealStep::kWindowPassed},
           {"restarted after the reveal epoch", at(1400), RevealStep::kWindowPassed},
           {"the commit is gone from WeightCommits", with(1250, [](RevealFacts& f) { f.commit.reset(); }),
            RevealStep::kCheckGone},
           {"the commit is gone, after the window", with(1400, [](RevealFacts& f) { f.commit.reset(); }),
            RevealStep::kCheckGone},
           {"the snapshot is behind the commit's block", with(1060, [](RevealFacts& f) { f.commit.reset(); }),
            RevealStep::kNotYet},
           {"a reveal's outcome unknown", with(1250, [](RevealFacts& f) { f.reveal_in_flight = true; }),
            RevealStep::kInFlight},
           {"a reveal failed, backing off", with(1250, [](RevealFacts& f) { f.next_try_block = 1252; }),
            RevealStep::kBackoff},
           {"a reveal failed, backoff over", with(1252, [](RevealFacts& f) { f.next_try_block = 1252; }),
            RevealStep::kReveal},
           {"backing off past the window's end", with(1299, [](RevealFacts& f) { f.next_try_block = 1310; }),
            RevealStep::kWindowPassed},
       })
    EXPECT_EQ(static_cast<int>(decide_reveal(r.facts)), static_cast<int>(r.expected)) << r.situation;

  // R10's retry: at the next block after RevealTooEarly, else 1, 2, 4, ... 32 blocks.
  RevealMemo m;
  m = after_reveal_failure(m, 1200, false);
  EXPECT_EQ(m.next_try_block, 1201u);
  m = after_reveal_failure(m, 1201, false);
  EXPECT_EQ(m.next_try_block, 1203u);
  m = after_reveal_failure(m, 1203, true);
  EXPECT_EQ(m.next_try_block, 1204u);
  for (int i = 0; i < 5; ++i) m = after_reveal_failure(m, 1210, false);
  EXPECT_EQ(m.next_try_block, 1242u);

  // R11: where to look for an attempt signed at 1000, valid until 1064.
  struct P {
    std::uint64_t signed_at, mortal_until, searched, block;
    std::uint64_t from, to;  // from > to: nothing to search
  };
  for (const P& p : std::vector<P>{
           {1000, 1064, 0, 1000, 1001, 1000},     // restarted in the block it was signed at
           {1000, 1064, 0, 1010, 1001, 1010},     // up to the snapshot
           {1000, 1064, 0, 1200, 1001, 1064},     // up to the era's end
           {1000, 1064, 1030, 1200, 1031, 1064},  // from where the last tick stopped
           {1000, 1064, 1064, 1200, 1065, 1064},  // all searched
           {1000, 1300, 0, 1400, 1001, 1064},     // at most 64 blocks per tick
           {1000, 1300, 1064, 1400, 1065, 1128},
       }) {
    const BlockRange r = pending_search(p.signed_at, p.mortal_until, p.searched, p.block);
    EXPECT_EQ(r.from, p.from) << p.searched << " " << p.block;
    EXPECT_EQ(r.to, p.to) << p.searched << " " << p.block;
    EXPECT_EQ(r.empty(), p.from > p.to);
  }
  EXPECT_TRUE(pending_expired(1064, 1064, 1065));   // every block of the era searched, era over
  EXPECT_FALSE(pending_expired(1064, 1064, 1064));  // the era's last block: it may still land there
  EXPECT_FALSE(pending_expired(1063, 1064, 1100));  // one block not yet searched
  EXPECT_TRUE(pending_expired(1100, 1064, 1101));

  // R12: the last committed epoch in the record.
  const std::vector<LedgerEntry> record{
      attempt(C::kSetWeights, S::kIncluded, 800), attempt(C::kCommitWeights, S::kFinalized, 900),
      attempt(C::kSetWeights, S::kFailed, 1100),  attempt(C::kRevealWeights, S::kIncluded, 1200),
      attempt(C::kSetWeights, S::kPending, 1300), attempt(C::kSetWeights, S::kMissed, 1400),
      attempt(C::kSetWeights, S::kIncluded, 700),
  };
  EXPECT_EQ(last_committed_epoch(record), 900u);
  EXPECT_EQ(last_committed_epoch({}), std::nullopt);
  EXPECT_EQ(last_committed_epoch(std::vector<LedgerEntry>{attempt(C::kSetWeights, S::kExpired, 5)}),
            std::nullopt);
}

// R13: missed epochs, swept when a new epoch (1000) begins.
TEST(CommitPolicy, MissedEpochs) {
  using C = CallKind;
  using S = AttemptStatus;
  struct M {
    const char* situation;
    std::uint64_t epoch;
    bool has_weights;
    std::vector<LedgerEntry> attempts;
    std::uint32_t every;
    bool missed;
  };
  for (const M& m : std::vector<M>{
           {"weights, never tried (daemon down)", 900, true, {}, 1, true},
           {"no weights", 900, false, {}, 1, false},
           {"the current epoch", 1000, true, {}, 1, false},
           {"a later epoch", 1100, true, {}, 1, false},
           {"tried and failed", 900, true, {attempt(C::kSetWeights, S::kFailed, 900)}, 1, true},
           {"tried and expired", 900, true, {attempt(C::kCommitWeights, S::kExpired, 900)}, 1, true},
           {"included", 900, true, {attempt(C::kSetWeights, S::kIncluded, 900)}, 1, false},
           {"finalized", 900, true, {attempt(C::kCommitWeights, S::kFinalized, 900)}, 1, false},
           {"still pending", 900, true, {attempt(C::kSetWeights, S::kPending, 900)}, 1, false},
           {"already reported", 900, true, {attempt(C::kSetWeights, S::kMissed, 900)}, 1, false},
           {"only a reveal reported missed",
            900,
            true,
            {attempt(C::kRevealWeights, S::kMissed, 900)},
            1,
            true},
           {"cadence 2: skipped by design", 900, true, {}, 2, false},
       }) {
    PolicyOptions o;
    o.every_epochs = m.every;
    EXPECT_EQ(epoch_missed(m.epoch, 1000, m.has_weights, m.attempts, o), m.missed) << m.situation;
  }
  EXPECT_TRUE(sweeps_missed(PolicyOptions{1, {}}));
  EXPECT_FALSE(sweeps_missed(PolicyOptions{3, {}}));
}

}  // namespace
}  // namespace pylon::committer

namespace pylon::committer {
namespace {

// R9 with timelocked commits (commit-reveal v4): where the block's runtime has
// commit_timelocked_weights and commit-reveal is on, the epoch is committed with it; its landing
// makes the epoch done (nothing is owed: the chain reveals); and a restart in each phase finds the
// same answers from the record alone.
TEST(CommitPolicy, TimelockedCommits) {
  using C = CallKind;
  using S = AttemptStatus;
  auto tl = [](std::function<void(Case&)> more = {}) {
    return [more](Case& c) {
      c.facts.commit_reveal = true;
      c.facts.timelocked = true;
      if (more) more(c);
    };
  };
  run({
      {"commit-reveal on, the runtime has the call", tl(), "commit(commit_timelocked_weights)"},
      {"the runtime has the call, commit-reveal off: set_weights", [](Case& c) { c.facts.timelocked = true; },
       "commit(set_weights)"},
      {"commit-reveal on, no timelocked call (the local runtime): the hash commit",
       [](Case& c) { c.facts.commit_reveal = true; }, "commit(commit_weights)"},
      {"window closed without a commit", tl([](Case& c) { c.facts.block = 1090; }),
       "record_missed(commit_timelocked_weights 1050..1090)"},
      // Restarts: the memo is fresh, the record is what survives.
      {"restart, nothing sent, before the window", tl([](Case& c) { c.facts.block = 1010; }),
       "wait(before_window until 1050)"},
      {"restart, sent and outcome unknown",
       tl([](Case& c) { c.attempts = {attempt(C::kCommitTimelockedWeights, S::kPending)}; }),
       "wait(outcome_unknown)"},
      {"restart, outcome unknown after the window: still looked for", tl([](Case& c) {
         c.attempts = {attempt(C::kCommitTimelockedWeights, S::kPending)};
         c.facts.block = 1095;
       }),
       "wait(outcome_unknown)"},
      {"restart, included: done, no reveal owed",
       tl([](Case& c) { c.attempts = {attempt(C::kCommitTimelockedWeights, S::kIncluded)}; }), "idle(done)"},
      {"restart, finalized, in the reveal epoch's blocks", tl([](Case& c) {
         c.attempts = {attempt(C::kCommitTimelockedWeights, S::kFinalized)};
         c.facts.block = 1095;
       }),
       "idle(done)"},
      {"restart, failed: tried again while the window lasts",
       tl([](Case& c) { c.attempts = {attempt(C::kCommitTimelockedWeights, S::kFailed)}; }),
       "commit(commit_timelocked_weights)"},
      {"restart, expired: tried again",
       tl([](Case& c) { c.attempts = {attempt(C::kCommitTimelockedWeights, S::kExpired)}; }),
       "commit(commit_timelocked_weights)"},
      {"restart, missed recorded: not again", tl([](Case& c) {
         c.attempts = {attempt(C::kCommitTimelockedWeights, S::kMissed)};
         c.facts.block = 1095;
       }),
       "idle(window_closed)"},
      {"the runtime gained the call mid-epoch after a landed hash commit: done",
       tl([](Case& c) { c.attempts = {attempt(C::kCommitWeights, S::kIncluded)}; }), "idle(done)"},
  });
  // R12, R13: a landed timelocked commit counts as the epoch's commit.
  const std::vector<LedgerEntry> record{attempt(C::kCommitTimelockedWeights, S::kIncluded, 900),
                                        attempt(C::kCommitWeights, S::kIncluded, 800)};
  EXPECT_EQ(last_committed_epoch(record), 900u);
  PolicyOptions every;
  EXPECT_FALSE(epoch_missed(900, 1000, true, std::vector<LedgerEntry>{record[0]}, every));
  EXPECT_TRUE(epoch_missed(900, 1000, true,
                           std::vector<LedgerEntry>{attempt(C::kCommitTimelockedWeights, S::kFailed, 900)},
                           every));
  EXPECT_EQ(call_for(true, true), C::kCommitTimelockedWeights);
  EXPECT_EQ(call_for(true, false), C::kCommitWeights);
  EXPECT_EQ(call_for(false, true), C::kSetWeights);
}

}  // namespace
}  // namespace pylon::committer

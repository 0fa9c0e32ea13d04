// The reveal round of timelocked commits: the epoch-schedule simulation against bittensor-drand
// 2.0's published vectors (src/epoch_schedule_vectors.rs @ d7baf976, quoted in
// ../shared/crv4/README.md §1.5), the formula rule against bittensor-drand 1.x's legacy formula
// (src/drand.rs generate_commit, README §1.3), and the blocks -> round mapping and its floor at
// Drand.LastStoredRound worked by hand.
#include "committer/reveal_round.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <tuple>

#include "epoch_rows.hpp"

namespace pylon::committer {
namespace {

using test::schedule_state;

// A commit on top of `state` with reveal period `period`: the epoch it is filed under and the first
// block its reveal is accepted in.
struct RevealCase {
  EpochScheduleState state;
  std::uint64_t period, commit_epoch, first_reveal;
  const char* why;
};

void expect_reveals(std::initializer_list<RevealCase> cases) {
  for (const RevealCase& c : cases) {
    auto out = first_reveal_block(c.state, c.period);
    ASSERT_TRUE(out.ok()) << c.why << ": " << out.error().message;
    // (commit block, commit epoch, first reveal block): the commit lands in the block after the head.
    EXPECT_EQ(std::tuple(out->commit_block, out->commit_epoch, out->first_reveal_block),
              std::tuple(c.state.current_block + 1, c.commit_epoch, c.first_reveal))
        << c.why;
  }
}

constexpr std::uint64_t kGenesisMs = 1692803367ULL * 1000;

TEST(RevealRound, PublishedPredictVectors) {
  // predict_vectors(): (last, pending, idx, tempo, bsls, cur), reveal period 1.
  auto cycle_reset = first_reveal_block(schedule_state(10, 0, 0, 50, 0, 10), 1);
  ASSERT_TRUE(cycle_reset.ok()) << cycle_reset.error().message;
  EXPECT_EQ(cycle_reset->first_reveal_block, 60u);
  EXPECT_EQ(cycle_reset->commit_epoch, 0u);
  EXPECT_EQ(cycle_reset->commit_block, 11u);

  auto pending = first_reveal_block(schedule_state(80, 95, 0, 20, 0, 91), 1);
  ASSERT_TRUE(pending.ok()) << pending.error().message;
  EXPECT_EQ(pending->first_reveal_block, 95u);

  auto zero = first_reveal_block(schedule_state(10, 0, 0, 0, 0, 10), 1);
  ASSERT_FALSE(zero.ok());
  EXPECT_TRUE(zero.error().is(RevealRoundErrc::tempo_zero));
}

TEST(RevealRound, PublishedCommitEpochVector) {
  // commit_epoch_vectors(): (100, 0, 0, 50, 0, 120) commits in epoch 0.
  auto b = first_reveal_block(schedule_state(100, 0, 0, 50, 0, 120), 1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->commit_epoch, 0u);
  EXPECT_EQ(b->first_reveal_block, 150u);  // 100 + tempo: the next auto-fire
}

TEST(RevealRound, RevealIsTheFirstBlockOfTheTargetEpochNotALaterOne) {
  // bittensor-drand's reveal_uses_exact_equality_not_gte, over every block up to the answer.
  const auto head = schedule_state(80, 95, 0, 20, 0, 91);
  auto b = first_reveal_block(head, 1);
  ASSERT_TRUE(b.ok());
  EpochScheduleState s = head;
  for (std::uint64_t r = b->commit_block; r < b->first_reveal_block; ++r) {
    EXPECT_NE(lookahead_epoch(s, r), b->commit_epoch + 1) << r;
    s = simulate_block(s, r);
  }
  EXPECT_EQ(lookahead_epoch(s, b->first_reveal_block), b->commit_epoch + 1);
}

TEST(RevealRound, EdgeCasesWorkedByHand) {
  // Not published vectors: each derived by hand from subtensor's rules (README §1.4).
  expect_reveals({
      // A commit landing in the block an epoch fires is filed under the next epoch (lookahead), so
      // its reveal is one full tempo later: last 10, tempo 50, head 59 -> commit at 60 in epoch 1,
      // reveal when epoch 2 begins at 110.
      {schedule_state(10, 0, 0, 50, 0, 59), 1, 1, 110, "a commit in the block an epoch fires"},
      // Reveal period 2 after a pending epoch: epochs at 95 (pending), 115 (95 + tempo).
      {schedule_state(80, 95, 4, 20, 0, 91), 2, 4, 115, "reveal period 2 after a pending epoch"},
      // Reveal period 0: revealed in the commit's own epoch, from the commit block on.
      {schedule_state(10, 0, 0, 50, 0, 20), 0, 0, 21, "reveal period 0"},
      // Tempo above MAX_TEMPO: BlocksSinceLastStep > 50400 forces the epochs. Head 50401 with
      // bsls 50401: the commit block 50402 fires (epoch 6), the coinbase of 100803 bumps bsls to
      // 50401 and fires epoch 7, whose lookahead shows first before the coinbase of 100804.
      {schedule_state(0, 0, 5, 60000, 50401, 50401), 1, 6, 100804, "tempo above MAX_TEMPO"},
      // A pending epoch in the past fires at once: at 15, the next at 15 + 50.
      {schedule_state(10, 12, 3, 50, 2, 14), 1, 4, 65, "an overdue pending epoch"},
  });
  // A reveal period beyond any runtime's is refused, not simulated for hours.
  auto huge = first_reveal_block(schedule_state(10, 0, 0, 50, 0, 10), kMaxRevealPeriodEpochs + 1);
  ASSERT_FALSE(huge.ok());
  EXPECT_TRUE(huge.error().is(RevealRoundErrc::bad_input));
}

TEST(RevealRound, CommitEpochIsTheOneTheExtrinsicSees) {
  // The commit extrinsic runs after its block's coinbase (block_step.rs:19-21, weights.rs:100
  // @14bc6f9f9). Rows: last, bsls, head -> commit epoch and first reveal block, index 5,
  // tempo 100, reveal period 1.
  auto at_1000 = [](std::uint64_t last, std::uint64_t bsls) {
    return schedule_state(last, 0, 5, 100, bsls, 1000);
  };
  expect_reveals({
      {at_1000(990, 10), 1, 5, 1090, "no epoch in the commit block"},
      {at_1000(901, 99), 1, 6, 1101, "the period ends in the commit block"},
      // The bump of 1001 takes BlocksSinceLastStep to 50401: the coinbase fires epoch 6
      // before the extrinsic, which files the commit under 6; epoch 7 comes at 1001 + 100.
      {at_1000(990, 50400), 1, 6, 1101, "the safety net fires in the commit block"},
      // A block later: 1002 fires epoch 6 in its coinbase, after its reveal saw epoch 5.
      {at_1000(990, 50399), 1, 5, 1003, "the safety net fires in the next block"},
  });
}

TEST(RevealRound, FormulaRuleMatchesTheLegacyFormula) {
  // bittensor-drand 1.x generate_commit: cur_epoch = (block + netuid + 1) / (tempo + 1);
  // first = (cur_epoch + period) * (tempo + 1) - (netuid + 1). Same answer while head + 1 stays in
  // head's epoch; finney's recorded metagraph block (netuid 1, tempo 360, 6852690) gives 6852861.
  for (std::uint16_t netuid : {0, 1, 7, 300}) {
    for (std::uint16_t tempo : {10, 99, 360}) {
      for (std::uint64_t period : {1, 2, 3}) {
        for (std::uint64_t head = 1000; head < 1400; ++head) {
          const std::uint64_t span = tempo + 1u, off = netuid + 1u;
          if ((head + 1 + off) / span != (head + off) / span) continue;  // the boundary: head + 1 is newer
          const std::uint64_t legacy = ((head + off) / span + period) * span - off;
          auto b = first_reveal_block(FormulaEpochState{netuid, tempo, head}, period);
          ASSERT_TRUE(b.ok());
          ASSERT_EQ(b->first_reveal_block, legacy) << netuid << " " << tempo << " " << head;
        }
      }
    }
  }
  auto finney = first_reveal_block(FormulaEpochState{1, 360, 6852690}, 1);
  ASSERT_TRUE(finney.ok());
  EXPECT_EQ(finney->first_reveal_block, 6852861u);
  EXPECT_FALSE(first_reveal_block(FormulaEpochState{1, 0, 100}, 1).ok());
}

TEST(RevealRound, BlocksBecomeTheRoundOfTheTargetBlock) {
  // cycle_reset: reveal at 60, target 63, 53 blocks of 12 s after the head = 636 s = 212 rounds
  // after the head's time; the head's time is round 1000's.
  RevealRoundInputs in;
  in.state = schedule_state(10, 0, 0, 50, 0, 10);
  in.reveal_period_epochs = 1;
  in.now_unix_ms = kGenesisMs + 999 * 3000 + 1500;  // mid-way through round 1000's period
  in.block_time_ms = 12000;
  in.last_stored_round = 990;
  auto r = reveal_round(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->target_block, 63u);
  EXPECT_EQ(r->round, 1211u);  // floor((999*3 + 1.5 + 636) / 3) = floor(1211.5)
  EXPECT_FALSE(r->raised_to_stored);
  // A fast runtime's 250 ms slots: 53 blocks = 13.25 s.
  in.block_time_ms = 250;
  r = reveal_round(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->round, 999u + 4u);  // floor((2997 + 1.5 + 13.25) / 3) = floor(1003.9)
}

TEST(RevealRound, NeverAtOrBelowTheLastStoredRound) {
  RevealRoundInputs in;
  in.state = schedule_state(10, 0, 0, 50, 0, 10);
  in.reveal_period_epochs = 1;
  in.now_unix_ms = kGenesisMs + 999 * 3000;
  in.block_time_ms = 12000;
  in.last_stored_round = 5000;  // the chain is ahead of this clock
  auto r = reveal_round(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->round, 5001u);
  EXPECT_TRUE(r->raised_to_stored);
  in.last_stored_round = 1211;  // exactly the computed round: already public
  r = reveal_round(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->round, 1212u);
  // A clock before drand's genesis gives round 1 (bittensor-drand's max(1, ...)).
  in.now_unix_ms = 1000;
  in.last_stored_round = 0;
  r = reveal_round(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->round, 1u);
}

TEST(RevealRound, RefusesInputsNoChainProduces) {
  RevealRoundInputs in;
  in.state = schedule_state(10, 0, 0, 50, 0, 10);
  in.reveal_period_epochs = 1;
  in.now_unix_ms = kGenesisMs;
  in.block_time_ms = 0;
  auto r = reveal_round(in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(RevealRoundErrc::bad_input));
  in.block_time_ms = 12000;
  in.state = schedule_state(10, 0, 0, 0, 0, 10);
  r = reveal_round(in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(RevealRoundErrc::tempo_zero));
}

}  // namespace
}  // namespace pylon::committer

// Epoch boundaries: the formula against values worked by hand from subtensor's
// blocks_until_next_epoch (and the table in its doc comment), and the stateful rule against a
// block-by-block model of run_coinbase's scheduling (drain_pending_subnet_emissions).
#include "committer/epoch.hpp"

#include <gtest/gtest.h>

namespace pylon::committer {
namespace {

// subtensor: blocks_until_next_epoch = tempo - (block + netuid + 1) % (tempo + 1); an epoch runs
// where it is 0.
bool runs_epoch(std::uint16_t netuid, std::uint16_t tempo, std::uint64_t block) {
  return tempo - (block + netuid + 1) % (tempo + 1) == 0;
}

TEST(EpochFormula, FirstEpochBlocksMatchSubtensorsTable) {
  // "tempo | netuid | # first epoch block": 1 0 0, 1 1 1, 2 0 1, 2 1 0, 100 0 99, 100 1 98.
  struct Row {
    std::uint16_t tempo, netuid;
    std::uint64_t first;
  };
  for (const Row& r :
       {Row{1, 0, 0}, Row{1, 1, 1}, Row{2, 0, 1}, Row{2, 1, 0}, Row{100, 0, 99}, Row{100, 1, 98}}) {
    SCOPED_TRACE("tempo " + std::to_string(r.tempo) + " netuid " + std::to_string(r.netuid));
    auto s = epoch_by_formula(r.netuid, r.tempo, r.first);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->start, r.first);
    EXPECT_EQ(s->end, r.first + r.tempo + 1);
    EXPECT_EQ(s->rule, EpochSpan::Rule::formula);
  }
}

TEST(EpochFormula, HandWorkedValues) {
  struct Row {
    std::uint16_t netuid, tempo;
    std::uint64_t block, start, end;
    const char* why;
  };
  for (const Row& r : {
           // Local chain, netuid 2, tempo 10: epochs run where (B + 3) % 11 == 10: 7, 18, 29, ...
           Row{2, 10, 20, 18, 29, "inside an epoch"},
           Row{2, 10, 29, 29, 40, "at an epoch's first block"},
           Row{2, 10, 28, 18, 29, "at an epoch's last block"},
           // Finney's recorded metagraph: netuid 1, tempo 360, block 6852690: (6852690 + 2) % 361 =
           // 190, 170 blocks to go: the next epoch is at 6852860, this one began at 6852499.
           Row{1, 360, 6852690, 6852499, 6852860, "finney's recorded block"},
           Row{2, 10, 3, 0, 7, "before the chain's first epoch: from genesis"},
       }) {
    SCOPED_TRACE(r.why);
    auto e = epoch_by_formula(r.netuid, r.tempo, r.block);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->start, r.start);
    EXPECT_EQ(e->end, r.end);
    EXPECT_EQ(e->tempo, r.tempo);
  }
  EXPECT_FALSE(epoch_by_formula(1, 0, 100).ok());
}

TEST(EpochFormula, EveryBlockLiesInTheSpanBetweenTwoEpochRuns) {
  for (std::uint16_t netuid : {0, 1, 2, 7, 64}) {
    for (std::uint16_t tempo : {1, 2, 10, 99, 360}) {
      std::uint64_t last = 0;
      bool seen = false;
      for (std::uint64_t b = 0; b < 2000; ++b) {
        if (runs_epoch(netuid, tempo, b)) {
          last = b;
          seen = true;
        }
        auto s = epoch_by_formula(netuid, tempo, b);
        ASSERT_TRUE(s.ok());
        ASSERT_EQ(s->start, seen ? last : 0) << "netuid " << netuid << " tempo " << tempo << " block " << b;
        ASSERT_GT(s->end, b);
        ASSERT_TRUE(runs_epoch(netuid, tempo, s->end));
        for (std::uint64_t x = b + 1; x < s->end; ++x) ASSERT_FALSE(runs_epoch(netuid, tempo, x));
      }
    }
  }
}

TEST(EpochState, ReadsTheBoundariesFromTheScheduleItems) {
  EpochState st{.last_epoch_block = 1000, .pending_epoch_at = 0, .blocks_since_last_step = 5, .tempo = 360};
  auto s = epoch_by_state(st, 1005);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->start, 1000u);
  EXPECT_EQ(s->end, 1360u);  // period tempo, not tempo + 1
  EXPECT_EQ(s->rule, EpochSpan::Rule::stateful);
  st.pending_epoch_at = 1100;  // an owner-triggered epoch comes first
  EXPECT_EQ(epoch_by_state(st, 1005)->end, 1100u);
  st.pending_epoch_at = 2000;  // a pending trigger after the regular one does not delay it
  EXPECT_EQ(epoch_by_state(st, 1005)->end, 1360u);
  st.pending_epoch_at = 0;
  st.blocks_since_last_step = 360;  // the safety net fires at the next block
  EXPECT_EQ(epoch_by_state(st, 1005)->end, 1006u);
  // Due at 1360 but deferred by MaxEpochsPerBlock: PendingEpochAt = 1361.
  EpochState deferred{
      .last_epoch_block = 1000, .pending_epoch_at = 1361, .blocks_since_last_step = 10, .tempo = 360};
  EXPECT_EQ(epoch_by_state(deferred, 1360)->end, 1361u);
  EXPECT_EQ(epoch_by_state(deferred, 1360)->start, 1000u);
  EXPECT_FALSE(epoch_by_state({.last_epoch_block = 10, .tempo = 0}, 20).ok());
  EXPECT_FALSE(epoch_by_state({.last_epoch_block = 30, .tempo = 5}, 20).ok());
}

// subtensor's scheduling, block by block: bump BlocksSinceLastStep (capped at tempo + 1), then
// fire on a due PendingEpochAt, BlocksSinceLastStep > tempo or block - LastEpochBlock >= tempo;
// beyond the per-block cap a fire is deferred one block; a fired slot is consumed even when the
// epoch is skipped (then BlocksSinceLastStep is not reset).
struct ChainModel {
  EpochState st;
  void step(std::uint64_t block, bool capped, bool skipped) {
    st.blocks_since_last_step = std::min<std::uint64_t>(st.blocks_since_last_step + 1, st.tempo + 1u);
    const bool due = (st.pending_epoch_at > 0 && block >= st.pending_epoch_at) ||
                     st.blocks_since_last_step > st.tempo || block - st.last_epoch_block >= st.tempo;
    fired = false;
    if (!due) return;
    if (capped) {
      st.pending_epoch_at = block + 1;
      return;
    }
    if (!skipped) st.blocks_since_last_step = 0;
    st.last_epoch_block = block;
    st.pending_epoch_at = 0;
    fired = true;
  }
  bool fired = false;
};

TEST(EpochState, PredictsTheNextFiringOfAModelledChain) {
  ChainModel chain{
      .st = {.last_epoch_block = 0, .pending_epoch_at = 0, .blocks_since_last_step = 0, .tempo = 12}};
  std::uint64_t predicted_end = 0, predicted_start = 0;
  int checked = 0;
  for (std::uint64_t b = 1; b < 400; ++b) {
    const bool capped = b == 60 || b == 61;         // two blocks too busy: the due epoch slides to 62
    const bool skipped = b >= 98 && b <= 100;       // skipped epochs: the safety net fires each block
    if (b == 200) chain.st.pending_epoch_at = 205;  // the owner triggers an epoch early
    chain.step(b, capped, skipped);
    if (predicted_end != 0 && b < predicted_end) {
      EXPECT_FALSE(chain.fired) << "fired at " << b << " before the predicted " << predicted_end;
    }
    if (chain.fired && predicted_end != 0) {
      EXPECT_EQ(b, predicted_end) << "block " << b;
      ++checked;
    }
    auto s = epoch_by_state(chain.st, b);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->start, chain.st.last_epoch_block);
    if (chain.fired) {
      EXPECT_EQ(s->start, b);
    }
    EXPECT_GE(s->start, predicted_start);
    predicted_start = s->start;
    predicted_end = s->end;
  }
  EXPECT_GT(checked, 25);
}

}  // namespace
}  // namespace pylon::committer

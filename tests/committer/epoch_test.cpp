// Epoch boundaries: the formula against values worked by hand from subtensor's
// blocks_until_next_epoch (and the table in its doc comment), and the stateful rule against a
// block-by-block model of run_coinbase's scheduling (drain_pending), both read from
// opentensor/subtensor main at 14bc6f9f9 (2026-06-30).
#include "committer/epoch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "epoch_rows.hpp"

namespace pylon::committer {
namespace {

using test::epoch_state;

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

// A state read after block `block`, and `end`: the first block whose coinbase finds an epoch due
// (should_run_epoch, run_coinbase.rs:1085@14bc6f9f9).
struct SpanCase {
  EpochState state;
  std::uint64_t block, end;
  const char* why;
};

void expect_spans(std::initializer_list<SpanCase> cases) {
  for (const SpanCase& c : cases) {
    SCOPED_TRACE(c.why);
    auto s = epoch_by_state(c.state, c.block);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->start, c.state.last_epoch_block);
    EXPECT_EQ(s->end, c.end);
    EXPECT_EQ(s->rule, EpochSpan::Rule::stateful);
  }
}

TEST(EpochState, ReadsTheBoundariesFromTheScheduleItems) {
  using P = EpochState::Period;
  expect_spans({
      {epoch_state(1000, 0, 5, 360, P::tempo), 1005, 1360, "period tempo, not tempo + 1"},
      {epoch_state(1000, 0, 5, 360, P::tempo_plus_one), 1005, 1361, "before SubnetEpochIndex: > tempo"},
      {epoch_state(1000, 1100, 5, 360, P::tempo), 1005, 1100, "an owner-triggered epoch comes first"},
      {epoch_state(1000, 2000, 5, 360, P::tempo), 1005, 1360, "a later pending trigger does not delay it"},
      {epoch_state(1000, 1361, 10, 360, P::tempo), 1360, 1361, "due at 1360, deferred by MaxEpochsPerBlock"},
      {epoch_state(1000, 1003, 5, 360, P::tempo), 1005, 1006, "a pending block already passed: the next"},
  });
  EXPECT_FALSE(epoch_by_state({.last_epoch_block = 10, .tempo = 0}, 20).ok());
  EXPECT_FALSE(epoch_by_state({.last_epoch_block = 30, .tempo = 5}, 20).ok());
}

TEST(EpochState, TheSafetyNetOfOpentensorsSubtensor) {
  // BlocksSinceLastStep is not reset by a skipped epoch: past tempo it only counts on, and fires
  // an epoch only past MAX_TEMPO (50400). State: LastEpochBlock, PendingEpochAt, bsls, tempo.
  expect_spans({
      {epoch_state(1000, 0, 150, 100), 1010, 1100, "bsls past tempo is no safety net"},
      {epoch_state(1000, 0, 360, 360), 1005, 1360, "bsls at tempo is no safety net"},
      {epoch_state(1000, 0, 50300, 360), 1005, 1106, "bsls passes 50400 at the bump of 1106"},
      {epoch_state(1000, 0, 50400, 360), 1005, 1006, "bsls 50400: 50401 at the next bump"},
      {epoch_state(1000, 0, 90000, 360), 1005, 1006, "bsls far past 50400: every block"},
      {epoch_state(0, 0, 0, 60000), 0, 50401, "tempo above MAX_TEMPO: the safety net first"},
  });
}

TEST(EpochState, TheCappedSafetyNetOfRaoFoundationsSubtensor) {
  // drain_pending_emissions.rs@0bb2cb305: BlocksSinceLastStep = min(+1, tempo + 1), then due at
  // BlocksSinceLastStep > tempo: a counter at tempo or above fires at the next block.
  auto capped = [](std::uint64_t bsls) {
    return epoch_state(1000, 0, bsls, 100, EpochState::Period::tempo, EpochState::SafetyNet::tempo);
  };
  expect_spans({
      {capped(5), 1005, 1100, "the regular period"},
      {capped(99), 1005, 1007, "bsls 99: 100 at the next bump, 101 at the one after"},
      {capped(100), 1010, 1011, "bsls at tempo: past it at the next bump"},
      {capped(101), 1010, 1011, "bsls at its cap after a skipped epoch"},
  });
}

// subtensor's scheduling, block by block, as drain_pending (run_coinbase.rs:347-431@14bc6f9f9)
// does it: BlocksSinceLastStep += 1 (no cap), then a due epoch (should_run_epoch: PendingEpochAt
// due, BlocksSinceLastStep > MAX_TEMPO, or the period over) is deferred one block past the
// per-block cap (PendingEpochAt = block + 1, nothing else); otherwise the slot is consumed
// (LastEpochBlock = block, PendingEpochAt = 0) and BlocksSinceLastStep is reset only when the
// epoch ran (not when skipped).
struct ChainModel {
  EpochState st;
  void step(std::uint64_t block, bool capped, bool skipped) {
    const bool capped_net = st.safety_net == EpochState::SafetyNet::tempo;  // RaoFoundation's
    const std::uint64_t limit = capped_net ? st.tempo : 50400;
    st.blocks_since_last_step += 1;
    if (capped_net)
      st.blocks_since_last_step = std::min<std::uint64_t>(st.blocks_since_last_step, st.tempo + 1u);
    const std::uint64_t period = st.tempo + (st.period == EpochState::Period::tempo_plus_one ? 1u : 0u);
    const bool due = (st.pending_epoch_at > 0 && block >= st.pending_epoch_at) ||
                     st.blocks_since_last_step > limit || block - st.last_epoch_block >= period;
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
  for (const auto& [period, net] :
       {std::pair{EpochState::Period::tempo, EpochState::SafetyNet::max_tempo},
        std::pair{EpochState::Period::tempo_plus_one, EpochState::SafetyNet::max_tempo},
        std::pair{EpochState::Period::tempo, EpochState::SafetyNet::tempo}}) {
    ChainModel chain{.st = {.tempo = 12, .period = period, .safety_net = net}};
    std::uint64_t predicted_end = 0, predicted_start = 0;
    int checked = 0, safety_net_fires = 0;
    for (std::uint64_t b = 1; b < 60000; ++b) {
      const bool capped = b == 60 || b == 61;  // two blocks too busy: the due epoch slides to 62
      // Epochs skipped for long: BlocksSinceLastStep passes 50400 near 50500, and from there the
      // safety net fires each block until an epoch runs again at 50600.
      const bool skipped = (b >= 98 && b <= 100) || (b >= 100 + 13 && b < 50600);
      if (b == 200) chain.st.pending_epoch_at = 205;  // the owner triggers an epoch early
      const std::uint64_t last_before = chain.st.last_epoch_block;
      chain.step(b, capped, skipped);
      if (predicted_end != 0 && b < predicted_end) {
        ASSERT_FALSE(chain.fired) << "fired at " << b << " before the predicted " << predicted_end;
      }
      // A predicted block fires unless MaxEpochsPerBlock deferred it (which nothing can foresee).
      if (b == predicted_end && !capped) {
        ASSERT_TRUE(chain.fired) << "predicted " << b << " did not fire";
      }
      if (chain.fired && predicted_end != 0) {
        ASSERT_EQ(b, predicted_end) << "block " << b;
        ++checked;
        if (b - last_before < 12) ++safety_net_fires;
      }
      auto s = epoch_by_state(chain.st, b);
      ASSERT_TRUE(s.ok()) << s.error().message;
      ASSERT_EQ(s->start, chain.st.last_epoch_block);
      if (chain.fired) {
        ASSERT_EQ(s->start, b);
      }
      ASSERT_GE(s->start, predicted_start);
      predicted_start = s->start;
      predicted_end = s->end;
    }
    EXPECT_GT(checked, 4000);
    EXPECT_GT(safety_net_fires, 50);
  }
}

}  // namespace
}  // namespace pylon::committer

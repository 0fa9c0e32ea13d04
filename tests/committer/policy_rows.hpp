// What the committer policy tables (policy_test.cpp, policy_mechanisms_test.cpp) share: the
// situation every row starts from, and the one-line text of an Action (its kind, why, and the block
// or window it names), so a row's expected answer is a short string and a failing row prints both
// sides. Pure functions; no state.
#pragma once

#include <string>
#include <variant>

#include "committer/policy.hpp"

namespace pylon::committer::test {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Epoch [1000, 1100) (length 100, so the default window mid:10 is [1050, 1090)), block 1060, a
// registered validator with a permit that never set weights, rate limit 100.
inline ChainFacts starting_facts() {
  ChainFacts facts;
  facts.block = 1060;
  facts.epoch_start = 1000;
  facts.epoch_end = 1100;
  facts.own = ChainFacts::Neuron{true, 0};
  facts.weights_rate_limit = 100;
  return facts;
}

inline std::string describe(const Action& a) {
  using namespace action;
  auto call = [](weights::CallKind c) { return std::string(weights::to_text(c)); };
  return std::visit(Overloaded{
                        [](const Idle& i) -> std::string {
                          switch (i.why) {
                            case IdleWhy::kDone:
                              return "idle(done)";
                            case IdleWhy::kOffCadence:
                              return "idle(off_cadence)";
                            case IdleWhy::kNoWeights:
                              return "idle(no_weights)";
                            case IdleWhy::kWindowClosed:
                              return "idle(window_closed)";
                          }
                          return "idle(?)";
                        },
                        [](const Wait& w) -> std::string {
                          switch (w.why) {
                            case WaitWhy::kOutcomeUnknown:
                              return "wait(outcome_unknown)";
                            case WaitWhy::kBeforeWindow:
                              return "wait(before_window until " + std::to_string(w.until) + ")";
                            case WaitWhy::kRateLimit:
                              return "wait(rate_limit until " + std::to_string(w.until) + ")";
                            case WaitWhy::kBackoff:
                              return "wait(backoff until " + std::to_string(w.until) + ")";
                          }
                          return "wait(?)";
                        },
                        [](const Blocked& b) -> std::string {
                          switch (b.why) {
                            case BlockedWhy::kNotRegistered:
                              return "blocked(not_registered)";
                            case BlockedWhy::kNoPermit:
                              return "blocked(no_permit)";
                          }
                          return "blocked(?)";
                        },
                        [&](const Commit& c) { return "commit(" + call(c.call) + ")"; },
                        [&](const RecordMissed& m) {
                          return "record_missed(" + call(m.call) + " " + std::to_string(m.window.start) +
                                 ".." + std::to_string(m.window.end) + ")";
                        },
                    },
                    a);
}

}  // namespace pylon::committer::test

// The committer's phase as the REST answers show it: /health's "committer" object and
// /weights_status's both start with these members.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "committer/committer.hpp"
#include "committer/timelocked_reveal.hpp"
#include "common/json_writer.hpp"

namespace pylon::rest {

// Appends `"phase":…,"blocked_reason":…` (members only: the caller writes the braces).
inline void append_committer_phase(std::string& out, const committer::CommitterState& st) {
  out += "\"phase\":";
  append_json_string(out, committer::to_string(st.phase));
  out += ",\"blocked_reason\":";
  append_json_string(out, st.blocked_reason);
}

// /weights_status' "revealed" member of a landed timelocked commit (handlers_status.cpp): the
// chain's decision about it, and the Weights row once revealed (null before).
std::string chain_reveal_json(const committer::ChainReveal& r, std::uint64_t commit_block);

// /weights_status' committer.mechanisms: per mechanism the committer has state for (0 always),
// the last epoch committed (null before one) and its attempts by how they ended, every outcome
// named (0 until it happens). The phase is the loop's, one for all mechanisms (above). `only`:
// that mechanism's entry alone.
inline void append_committer_mechanisms(std::string& out, const committer::CommitterState& st,
                                        std::optional<std::uint8_t> only) {
  std::set<std::uint8_t> ids{only.value_or(0)};
  if (!only) {
    for (const auto& [m, epoch] : st.last_epoch_by_mechanism) ids.insert(m);
    for (const auto& [m, outcomes] : st.outcomes_by_mechanism) ids.insert(m);
  }
  constexpr weights::AttemptStatus kOutcomes[] = {
      weights::AttemptStatus::kIncluded, weights::AttemptStatus::kFinalized, weights::AttemptStatus::kFailed,
      weights::AttemptStatus::kExpired, weights::AttemptStatus::kMissed};
  out += '[';
  bool first = true;
  for (std::uint8_t m : ids) {
    if (!first) out += ',';
    first = false;
    out += "{\"mechanism\":" + std::to_string(m) + ",\"last_epoch_committed\":";
    const auto last = st.last_epoch_by_mechanism.find(m);
    out += last == st.last_epoch_by_mechanism.end() ? std::string("null") : std::to_string(last->second);
    out += ",\"outcomes\":{";
    const auto outcomes = st.outcomes_by_mechanism.find(m);
    for (std::size_t i = 0; i < std::size(kOutcomes); ++i) {
      if (i) out += ',';
      std::uint64_t n = 0;
      if (outcomes != st.outcomes_by_mechanism.end()) {
        const auto it = outcomes->second.find(kOutcomes[i]);
        if (it != outcomes->second.end()) n = it->second;
      }
      append_json_string(out, weights::to_text(kOutcomes[i]));
      out += ':' + std::to_string(n);
    }
    out += "}}";
  }
  out += ']';
}

}  // namespace pylon::rest

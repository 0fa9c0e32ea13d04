// The committer's phase as the REST answers show it: /health's "committer" object and
// /weights_status's both start with these members.
#pragma once

#include <string>

#include "committer/committer.hpp"
#include "common/json_writer.hpp"

namespace pylon::rest {

// Appends `"phase":…,"blocked_reason":…` (members only: the caller writes the braces).
inline void append_committer_phase(std::string& out, const committer::CommitterState& st) {
  out += "\"phase\":";
  append_json_string(out, committer::to_string(st.phase));
  out += ",\"blocked_reason\":";
  append_json_string(out, st.blocked_reason);
}

}  // namespace pylon::rest

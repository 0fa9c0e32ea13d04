// Recorded finney JSON-RPC traffic (shared/chain/finney-recordings.json) as a lookup table: one
// scenario's {method: {params_json: response}} keyed by the method and the params' canonical form,
// so a request matches its recording whatever the spelling of its hex (the recorder wrote "0100"
// where Pylon sends "0x0100") or its JSON whitespace.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace pylon::replay {

// A recorded answer: the JSON text of `result`, or of the `error` object when the node refused.
struct RecordedAnswer {
  bool is_error = false;
  std::string json;
};

// Rewrites a hex string already in canonical form (lowercase, 0x) during canonicalisation, e.g.
// to map a synthetic block hash onto the recorded one. Returns nullopt to keep it.
using HexRewrite = std::function<std::optional<std::string>(std::string_view canonical_hex)>;

// The canonical text of a JSON params value: no whitespace, object keys sorted, every string that
// is all hex digits (even length, optional 0x) lowercased with a 0x prefix. Errors on bad JSON.
Result<std::string> canonical_params(std::string_view json, const HexRewrite& rewrite = {});

class Recording {
 public:
  static Result<Recording> load(const std::string& path, const std::string& scenario);

  // The answer recorded for this request (params canonicalised first), or null.
  const RecordedAnswer* find(std::string_view method, std::string_view canonical) const;
  const RecordedAnswer* find_raw(std::string_view method, std::string_view params_json) const;
  std::size_t size() const { return answers_.size(); }
  const std::string& scenario() const { return scenario_; }

 private:
  std::string scenario_;
  std::map<std::string, RecordedAnswer, std::less<>> answers_;  // method + '\n' + canonical params
};

}  // namespace pylon::replay

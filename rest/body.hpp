// Strict decoding of request bodies and query parameters: a body is one JSON object with exactly
// the fields its endpoint names (unknown or repeated fields, wrong types, NaN/infinite or
// out-of-range numbers are refused with a message naming the field), so a bad request can never
// reach the store half-understood.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "common/result.hpp"
#include "weights/weight_value.hpp"

namespace pylon::rest {

// Weights and deltas follow the one rule of weights/weight_value.hpp (0 <= weight <= 1e15).
using weights::kMaxWeight;

struct HotkeyArg {
  AccountId account{};
  std::string text;  // as sent (valid SS58)
};

struct SetWeightBody {  // PUT /set_weight
  HotkeyArg hotkey;
  double weight = 0;
};
struct UpdateWeightBody {  // PUT /update_weight
  HotkeyArg hotkey;
  double delta = 0;
};
struct SetWeightsBody {  // PUT /set_weights
  std::vector<std::pair<HotkeyArg, double>> weights;
};
struct SetCommitmentBody {  // POST /set_commitment
  Bytes data;
};
struct SetHyperparamBody {  // PUT /set_hyperparam
  std::string name;
  std::string value_json;  // the value as compact JSON: an integer, a string or a bool
};

Result<SetWeightBody> decode_set_weight(std::string_view body);
Result<UpdateWeightBody> decode_update_weight(std::string_view body);
Result<SetWeightsBody> decode_set_weights(std::string_view body);
Result<SetCommitmentBody> decode_set_commitment(std::string_view body);
Result<SetHyperparamBody> decode_set_hyperparam(std::string_view body);

Result<HotkeyArg> parse_hotkey(std::string_view text);

// A block number or epoch in a path or query: decimal digits only, at most 2^63 - 1.
Result<std::uint64_t> parse_block_number(std::string_view text, std::string_view what);
// The value of `name` in a query string (no percent-decoding: the values Pylon takes are digits);
// nullopt when absent.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);
// `?epoch=N` of the weights reads: nullopt when absent, an error (the 400's detail) when malformed.
Result<std::optional<std::uint64_t>> epoch_query_param(std::string_view query);

}  // namespace pylon::rest

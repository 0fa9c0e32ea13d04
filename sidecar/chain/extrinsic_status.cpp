#include "chain/extrinsic_status.hpp"

#include <simdjson.h>

#include "chain/chain_client.hpp"

namespace pylon::chain {
namespace {

using Kind = ExtrinsicStatus::Kind;

Error bad(std::string what) {
  return make_error(ChainErrc::kBadAnswer, "transaction status: " + std::move(what));
}

}  // namespace

Result<ExtrinsicStatus> parse_extrinsic_status(std::string_view json) {
  // simdjson copies the text first: a view without data (nullptr, 0) must not reach memcpy.
  if (json.empty()) return bad("empty");
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (auto err = parser.parse(json.data(), json.size()).get(e))
    return bad(std::string("not JSON (") + simdjson::error_message(err) + ")");
  ExtrinsicStatus st;
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {  // the unit variants
    if (s == "future")
      st.kind = Kind::kFuture;
    else if (s == "ready")
      st.kind = Kind::kReady;
    else if (s == "dropped")
      st.kind = Kind::kDropped;
    else if (s == "invalid")
      st.kind = Kind::kInvalid;
    else
      return bad("unknown status \"" + std::string(s.substr(0, 64)) + "\"");
    return st;
  }
  // The others are objects of one member: {"inBlock": "0x…"}, {"broadcast": [peer, …]}, ...
  simdjson::dom::object o;
  if (e.get_object().get(o) || o.size() != 1) return bad("neither a status name nor an object of one member");
  const auto [key, value] = *o.begin();
  static constexpr std::pair<std::string_view, Kind> kWithBlock[] = {
      {"inBlock", Kind::kInBlock},
      {"retracted", Kind::kRetracted},
      {"finalityTimeout", Kind::kFinalityTimeout},
      {"finalized", Kind::kFinalized},
  };
  for (const auto& [name, kind] : kWithBlock) {
    if (key != name) continue;
    std::string_view hex;
    if (value.get_string().get(hex)) return bad(std::string(name) + ": the block is not a string");
    auto h = parse_hash(hex);
    if (!h.ok()) return bad(std::string(name) + ": " + h.error().message);
    st.kind = kind;
    st.block = *h;
    return st;
  }
  // Their values (peers, the usurping transaction's hash) are not used: only the kind matters.
  if (key == "broadcast")
    st.kind = Kind::kBroadcast;
  else if (key == "usurped")
    st.kind = Kind::kUsurped;
  else if (key == "dropped")
    st.kind = Kind::kDropped;
  else if (key == "invalid")
    st.kind = Kind::kInvalid;
  else
    return bad("unknown status \"" + std::string(key.substr(0, 64)) + "\"");
  return st;
}

}  // namespace pylon::chain

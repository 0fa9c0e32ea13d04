#include "chain/extrinsic_status.hpp"

#include <simdjson.h>

#include "chain/chain_client.hpp"
#include "common/enum_names.hpp"

namespace pylon::chain {
namespace {

using Kind = ExtrinsicStatus::Kind;

// The node's names of the statuses (substrate's TransactionStatus, camelCase), in Kind's order.
constexpr auto kStatusNames = enum_names<Kind::kFuture, Kind::kInvalid>(
    "future", "ready", "broadcast", "inBlock", "retracted", "finalityTimeout", "finalized", "usurped",
    "dropped", "invalid");

// The unit variants come as a bare string; nodes have sent dropped and invalid both ways.
bool comes_as_name(Kind k) {
  return k == Kind::kFuture || k == Kind::kReady || k == Kind::kDropped || k == Kind::kInvalid;
}
bool comes_as_object(Kind k) {
  return k != Kind::kFuture && k != Kind::kReady;
}
// The objects whose value is the block hash the transaction is in (or was, or could not be finalized in).
bool carries_block(Kind k) {
  return k == Kind::kInBlock || k == Kind::kRetracted || k == Kind::kFinalityTimeout || k == Kind::kFinalized;
}

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
  std::string_view name;
  simdjson::dom::element value;
  const bool unit = e.get_string().get(name) == simdjson::SUCCESS;  // a unit variant: "ready"
  if (!unit) {
    // Every other status is an object of one member: {"inBlock": "0x…"}, {"broadcast": [peer, …]}, ...
    simdjson::dom::object o;
    if (e.get_object().get(o) || o.size() != 1)
      return bad("neither a status name nor an object of one member");
    name = o.begin().key();
    value = o.begin().value();
  }
  const std::optional<Kind> kind = kStatusNames.parse(name);
  if (!kind || (unit ? !comes_as_name(*kind) : !comes_as_object(*kind)))
    return bad("unknown status \"" + std::string(name.substr(0, 64)) + "\"");
  ExtrinsicStatus st;
  st.kind = *kind;
  // The other objects' values (peers, the usurping transaction's hash) are not used: only the kind matters.
  if (unit || !carries_block(*kind)) return st;
  std::string_view hex;
  if (value.get_string().get(hex)) return bad(std::string(name) + ": the block is not a string");
  auto h = parse_hash(hex);
  if (!h.ok()) return bad(std::string(name) + ": " + h.error().message);
  st.block = *h;
  return st;
}

}  // namespace pylon::chain

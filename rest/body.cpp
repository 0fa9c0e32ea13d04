#include "rest/body.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <set>

#include "common/utf8.hpp"

namespace pylon::rest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The parser is reused per thread: bodies are decoded on the I/O thread (and by the fuzzer).
simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

// A number as the shortest text that reads back the same.
std::string number_text(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// The body's top-level object with its fields, each known name at most once and no others.
struct Fields {
  std::vector<std::pair<std::string_view, element>> items;
  std::optional<element> get(std::string_view name) const {
    for (const auto& [k, v] : items)
      if (k == name) return v;
    return std::nullopt;
  }
};

Result<Fields> object_fields(std::string_view body, std::initializer_list<std::string_view> known) {
  // simdjson copies the text first: a view without data (nullptr, 0) must not reach memcpy.
  if (body.empty()) return make_error("the body is empty; it must be a JSON object");
  element root;
  if (auto err = parser().parse(body.data(), body.size(), true).get(root))
    return make_error(std::string("the body is not valid JSON: ") + simdjson::error_message(err));
  if (root.type() != element_type::OBJECT) return make_error("the body must be a JSON object");
  simdjson::dom::object obj;
  if (root.get(obj)) return make_error("the body must be a JSON object");
  Fields f;
  for (auto [key, value] : obj) {
    bool ok = false;
    for (auto k : known) ok = ok || k == key;
    // Quoted up to 64 bytes, cut between characters (the answer must stay valid UTF-8).
    if (!ok) return make_error("unknown field \"" + std::string(utf8::prefix(key, 64)) + "\"");
    if (f.get(key)) return make_error("field \"" + std::string(key) + "\" is given twice");
    f.items.emplace_back(key, value);
  }
  for (auto k : known)
    if (!f.get(k)) return make_error("field \"" + std::string(k) + "\" is required");
  return f;
}

// A JSON number as a double (integers beyond 2^53 round, as any JSON reader's do); the range is
// the caller's rule.
Result<double> number_field(const Fields& f, std::string_view name) {
  element e = *f.get(name);
  switch (e.type()) {
    case element_type::INT64:
      return static_cast<double>(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return e.get_double().value_unsafe();
    default:
      return make_error("field \"" + std::string(name) + "\" must be a number");
  }
}

Result<std::string_view> string_field(const Fields& f, std::string_view name) {
  element e = *f.get(name);
  if (e.type() != element_type::STRING)
    return make_error("field \"" + std::string(name) + "\" must be a string");
  return e.get_string().value_unsafe();
}

Result<HotkeyArg> hotkey_field(const Fields& f, std::string_view name) {
  PYLON_ASSIGN(std::string_view text, string_field(f, name));
  return parse_hotkey(text);
}

// A weight by the one rule (weights/weight_value.hpp); `what` names it in the message.
Result<double> weight_value(double v, const std::string& what) {
  if (!weights::valid_weight(v))
    return make_error(what + " is out of range: " + number_text(v) + weights::weight_problem(v));
  return v;
}

Result<double> weight_field(const Fields& f, std::string_view name) {
  PYLON_ASSIGN(double v, number_field(f, name));
  return weight_value(v, "field \"" + std::string(name) + "\"");
}

Result<double> delta_field(const Fields& f, std::string_view name) {
  PYLON_ASSIGN(double v, number_field(f, name));
  if (!weights::valid_delta(v))
    return make_error("field \"" + std::string(name) +
                      "\" is out of range (|value| <= 1e15): " + number_text(v));
  return v;
}

// The one-hotkey bodies: {"hotkey": SS58, <number_name>: number}, the number checked by `number`;
// the hotkey's error first, as the fields are listed.
struct HotkeyAndNumber {
  HotkeyArg hotkey;
  double number = 0;
};
Result<HotkeyAndNumber> hotkey_and_number(std::string_view body, std::string_view number_name,
                                          Result<double> (*number)(const Fields&, std::string_view)) {
  PYLON_ASSIGN(Fields f, object_fields(body, {"hotkey", number_name}));
  HotkeyAndNumber out;
  PYLON_ASSIGN(out.hotkey, hotkey_field(f, "hotkey"));
  PYLON_ASSIGN(out.number, number(f, number_name));
  return out;
}

}  // namespace

Result<HotkeyArg> parse_hotkey(std::string_view text) {
  if (text.size() > 64) return make_error("hotkey is not an SS58 address (too long)");
  auto d = codec::ss58_decode(text);
  if (!d.ok()) return make_error("hotkey is not an SS58 address: " + d.error().message);
  // The same key under another network's prefix is a different address text: echoing it back,
  // or storing it, would hand the client an address the chain never prints.
  if (d->prefix != codec::kBittensorSs58Prefix) {
    return make_error("hotkey is an SS58 address of network prefix " + std::to_string(d->prefix) +
                      ", not of the chain's prefix " + std::to_string(codec::kBittensorSs58Prefix));
  }
  return HotkeyArg{d->account, std::string(text)};
}

Result<SetWeightBody> decode_set_weight(std::string_view body) {
  PYLON_ASSIGN(HotkeyAndNumber b, hotkey_and_number(body, "weight", weight_field));
  return SetWeightBody{std::move(b.hotkey), b.number};
}

Result<UpdateWeightBody> decode_update_weight(std::string_view body) {
  PYLON_ASSIGN(HotkeyAndNumber b, hotkey_and_number(body, "weight_delta", delta_field));
  return UpdateWeightBody{std::move(b.hotkey), b.number};
}

Result<SetWeightsBody> decode_set_weights(std::string_view body) {
  PYLON_ASSIGN(Fields f, object_fields(body, {"weights"}));
  element e = *f.get("weights");
  if (e.type() != element_type::OBJECT)
    return make_error("field \"weights\" must be an object of hotkey: weight");
  simdjson::dom::object obj;
  if (e.get(obj)) return make_error("field \"weights\" must be an object of hotkey: weight");
  SetWeightsBody out;
  std::set<AccountId> seen;
  for (auto [key, value] : obj) {
    auto hk = parse_hotkey(key);
    if (!hk.ok()) return make_error("weights: " + hk.error().message);
    if (!seen.insert(hk->account).second)
      return make_error("weights: hotkey " + hk->text + " is given twice");
    Fields one;
    one.items.emplace_back(hk->text, value);
    auto v = number_field(one, hk->text);
    if (!v.ok()) return make_error("weights: " + v.error().message);
    PYLON_ASSIGN(double w, weight_value(*v, "weights: the weight of " + hk->text));
    out.weights.emplace_back(std::move(hk).value(), w);
  }
  if (out.weights.empty()) return make_error("field \"weights\" is empty");
  if (out.weights.size() > 65536) return make_error("field \"weights\" has more than 65536 hotkeys");
  return out;
}

Result<SetCommitmentBody> decode_set_commitment(std::string_view body) {
  PYLON_ASSIGN(Fields f, object_fields(body, {"data_hex"}));
  PYLON_ASSIGN(std::string_view text, string_field(f, "data_hex"));
  auto bytes = from_hex(text);
  if (!bytes.ok()) return make_error("field \"data_hex\" is not hex: " + bytes.error().message);
  if (bytes->size() > 128) return make_error("field \"data_hex\" holds more than 128 bytes");
  return SetCommitmentBody{std::move(bytes).value()};
}

Result<SetHyperparamBody> decode_set_hyperparam(std::string_view body) {
  PYLON_ASSIGN(Fields f, object_fields(body, {"name", "value"}));
  SetHyperparamBody out;
  PYLON_ASSIGN(std::string_view name, string_field(f, "name"));
  if (name.empty() || name.size() > 64) return make_error("field \"name\" must be 1 to 64 characters");
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return make_error("field \"name\" must be a snake_case hyperparameter name");
  out.name = std::string(name);
  element v = *f.get("value");
  switch (v.type()) {
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::BOOL:
    case element_type::STRING:
      out.value_json = simdjson::minify(v);
      break;
    case element_type::DOUBLE:
      return make_error("field \"value\" must be an integer, a string or a bool (not a fraction)");
    default:
      return make_error("field \"value\" must be an integer, a string or a bool");
  }
  return out;
}

Result<std::uint64_t> parse_block_number(std::string_view text, std::string_view what) {
  if (text.empty() || text.size() > 19)
    return make_error(std::string(what) + " must be a non-negative integer");
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return make_error(std::string(what) + " must be a non-negative integer");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return make_error(std::string(what) + " is out of range");
  return v;
}

Result<std::optional<std::uint64_t>> epoch_query_param(std::string_view query) {
  const auto param = query_param(query, "epoch");
  if (!param) return std::optional<std::uint64_t>();
  PYLON_ASSIGN(const std::uint64_t block, parse_block_number(*param, "epoch"));
  return std::optional<std::uint64_t>(block);
}

std::optional<std::string_view> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    auto eq = part.find('=');
    if (part.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace pylon::rest

#include "net/rpc_message.hpp"

#include <simdjson.h>

#include "common/json_writer.hpp"
#include "net/rpc_transport.hpp"

namespace pylon::net {
namespace {

namespace od = simdjson::ondemand;

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Raw JSON text of any value (simdjson 3.0's value has no raw_json(); objects and arrays do).
simdjson::error_code raw_of(od::value v, std::string_view& out) {
  od::json_type type;
  if (auto err = v.type().get(type)) return err;
  if (type == od::json_type::object) {
    od::object o;
    if (auto err = v.get_object().get(o)) return err;
    return o.raw_json().get(out);
  }
  if (type == od::json_type::array) {
    od::array a;
    if (auto err = v.get_array().get(a)) return err;
    return a.raw_json().get(out);
  }
  out = trim_right(v.raw_json_token());
  return simdjson::SUCCESS;
}

// Where the first character past JSON whitespace is (text.size() when there is none).
std::size_t first_non_space(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
  return i;
}

Error json_error(std::string_view where, simdjson::error_code err) {
  return make_error(RpcErrc::kBadAnswer,
                    "invalid JSON-RPC message: " + std::string(where) + ": " + simdjson::error_message(err));
}

// Reads past a value that is not interpreted (on demand, each value must be consumed to go on).
Status skip(od::value v, std::string_view where) {
  std::string_view ignored;
  if (auto err = raw_of(v, ignored)) return json_error(where, err);
  return {};
}

// Hands each member of `o` to fn(key, value) -> Status, in order, and stops at the first error.
// `key_what` and `value_what` name a member whose key or value cannot be read.
template <class Fn>
Status for_each_member(od::object& o, std::string_view key_what, std::string_view value_what, Fn&& fn) {
  for (auto field : o) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return json_error(key_what, err);
    od::value v;
    if (auto err = field.value().get(v)) return json_error(value_what, err);
    PYLON_TRY(fn(key, v));
  }
  return {};
}

Result<RpcError> parse_error_object(od::value v) {
  od::object o;
  if (auto err = v.get_object().get(o)) return json_error("\"error\" is not an object", err);
  RpcError e;
  bool has_code = false;
  PYLON_TRY(for_each_member(o, "error key", "error field", [&](std::string_view key, od::value fv) -> Status {
    if (key == "code") {
      if (auto err = fv.get_int64().get(e.code)) return json_error("error.code", err);
      has_code = true;
    } else if (key == "message") {
      std::string_view m;
      if (auto err = fv.get_string().get(m)) return json_error("error.message", err);
      e.message = std::string(m);
    } else if (key == "data") {
      std::string_view raw;
      if (auto err = raw_of(fv, raw)) return json_error("error.data", err);
      e.data_json = std::string(raw);
    } else {
      return skip(fv, "error field");
    }
    return {};
  }));
  if (!has_code)
    return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: error object without a code");
  return e;
}

}  // namespace

struct RpcMessageParser::Impl {
  od::parser parser;
  simdjson::padded_string buffer;
};

RpcMessageParser::RpcMessageParser() : impl_(std::make_unique<Impl>()) {}
RpcMessageParser::~RpcMessageParser() = default;

namespace {

// One JSON-RPC object (a response or a notification), read member by member from `root`.
Result<IncomingMessage> parse_object(od::object root) {
  IncomingMessage msg;
  bool has_result = false, has_method = false, has_params = false, has_id = false;
  PYLON_TRY(for_each_member(root, "bad key", "bad value", [&](std::string_view key, od::value v) -> Status {
    if (key == "id") {
      has_id = true;
      od::json_type t;
      if (auto err = v.type().get(t)) return json_error("id", err);
      std::uint64_t id = 0;
      if (t == od::json_type::number && !v.get_uint64().get(id)) msg.id = id;
      // null, strings or other numbers: not one of ours, left empty.
    } else if (key == "result") {
      if (auto err = raw_of(v, msg.result_json)) return json_error("result", err);
      has_result = true;
    } else if (key == "error") {
      PYLON_ASSIGN(msg.error, parse_error_object(v));
    } else if (key == "method") {
      std::string_view m;
      if (auto err = v.get_string().get(m)) return json_error("method", err);
      msg.method = std::string(m);
      has_method = true;
    } else if (key == "params") {
      od::json_type t;
      if (auto err = v.type().get(t)) return json_error("params", err);
      if (t != od::json_type::object) return skip(v, "params");  // not a notification's; judged below
      od::object params;
      if (auto err = v.get_object().get(params)) return json_error("notification params", err);
      has_params = true;
      return for_each_member(
          params, "params key", "params value", [&](std::string_view pkey, od::value pv) -> Status {
            if (pkey == "subscription") {
              od::json_type t;
              if (auto err = pv.type().get(t)) return json_error("subscription", err);
              if (t == od::json_type::string) {
                std::string_view s;
                if (auto err = pv.get_string().get(s)) return json_error("subscription", err);
                msg.subscription = std::string(s);
              } else if (t == od::json_type::number) {
                std::uint64_t n = 0;
                if (auto err = pv.get_uint64().get(n)) return json_error("subscription", err);
                msg.subscription = std::to_string(n);
              } else {
                return make_error(RpcErrc::kBadAnswer,
                                  "invalid JSON-RPC message: subscription id is neither string nor number");
              }
            } else if (pkey == "result") {
              if (auto err = raw_of(pv, msg.result_json)) return json_error("params.result", err);
              has_result = true;
            } else {
              return skip(pv, "params field");
            }
            return {};
          });
    } else {
      return skip(v, "member");  // "jsonrpc" and unknown members: consumed, not interpreted
    }
    return {};
  }));
  if (has_method) {
    if (has_id)
      return make_error(RpcErrc::kBadAnswer,
                        "invalid JSON-RPC message: a request from the server (method with id)");
    if (!has_params || msg.subscription.empty() || !has_result) {
      return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: notification '" + msg.method +
                                                 "' without params.subscription and params.result");
    }
    msg.kind = IncomingMessage::Kind::kNotification;
    return msg;
  }
  if (!has_id)
    return make_error(RpcErrc::kBadAnswer,
                      "invalid JSON-RPC message: neither a response (id) nor a notification (method)");
  if (has_result == msg.error.has_value()) {
    return make_error(RpcErrc::kBadAnswer,
                      "invalid JSON-RPC message: a response needs exactly one of result and error");
  }
  msg.kind = IncomingMessage::Kind::kResponse;
  return msg;
}

}  // namespace

Result<IncomingMessage> RpcMessageParser::parse(std::string_view text) {
  // padded_string copies the text: a view without data (nullptr, 0) must not reach memcpy.
  if (text.empty()) return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: empty");
  impl_->buffer = simdjson::padded_string(text);
  od::document doc;
  if (auto err = impl_->parser.iterate(impl_->buffer).get(doc)) return json_error("not JSON", err);
  od::object root;
  if (auto err = doc.get_object().get(root)) return json_error("not a JSON object", err);
  PYLON_ASSIGN(IncomingMessage msg, parse_object(root));
  // simdjson 3.0 has no document::at_end(): current_location() fails with OUT_OF_BOUNDS at the end.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
    return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: trailing content after the object");
  }

  return msg;
}

Result<std::vector<IncomingMessage>> RpcMessageParser::parse_all(std::string_view text) {
  const std::size_t i = first_non_space(text);
  std::vector<IncomingMessage> out;
  if (i == text.size() || text[i] != '[') {
    PYLON_ASSIGN(IncomingMessage one, parse(text));
    out.push_back(std::move(one));
    return out;
  }
  impl_->buffer = simdjson::padded_string(text);
  od::document doc;
  if (auto err = impl_->parser.iterate(impl_->buffer).get(doc)) return json_error("not JSON", err);
  od::array items;
  if (auto err = doc.get_array().get(items)) return json_error("not a JSON array", err);
  for (auto item : items) {
    od::object o;
    if (auto err = item.get_object().get(o)) return json_error("batch item", err);
    PYLON_ASSIGN(IncomingMessage msg, parse_object(o));
    if (msg.kind != IncomingMessage::Kind::kResponse)
      return make_error(RpcErrc::kBadAnswer,
                        "invalid JSON-RPC message: a notification inside a batch answer");
    out.push_back(std::move(msg));
  }
  // simdjson 3.0 has no document::at_end(): current_location() fails with OUT_OF_BOUNDS at the end.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) {
    return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: trailing content after the array");
  }

  if (out.empty()) return make_error(RpcErrc::kBadAnswer, "invalid JSON-RPC message: an empty batch answer");
  return out;
}

Result<RemoteSubscriptionId> parse_subscription_id(std::string_view result_json) {
  if (result_json.empty()) return make_error(RpcErrc::kBadAnswer, "subscription id is empty");
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (auto err = parser.parse(result_json.data(), result_json.size(), true).get(element)) {
    return make_error(RpcErrc::kBadAnswer,
                      std::string("subscription id is not JSON: ") + simdjson::error_message(err));
  }
  RemoteSubscriptionId out;
  if (element.is_string()) {
    out.text = std::string(element.get_string().value_unsafe());
    if (out.text.empty()) return make_error(RpcErrc::kBadAnswer, "subscription id is an empty string");
    out.json.clear();
    append_json_string(out.json, out.text);
  } else if (element.is_uint64()) {
    out.text = std::to_string(element.get_uint64().value_unsafe());
    out.json = out.text;
  } else {
    return make_error(RpcErrc::kBadAnswer,
                      "subscription id must be a string or a non-negative integer, got " +
                          std::string(trim_right(result_json.substr(0, 64))));
  }
  return out;
}

Status validate_params_json(std::string_view text) {
  const std::size_t i = first_non_space(text);
  if (i == text.size() || (text[i] != '[' && text[i] != '{')) {
    return make_error(RpcErrc::kRejected, "params must be a JSON array or object");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (auto err = parser.parse(text.data(), text.size(), true).get(element)) {
    return make_error(RpcErrc::kRejected,
                      std::string("params are not valid JSON: ") + simdjson::error_message(err));
  }
  return {};
}

std::string make_request_json(std::uint64_t id, std::string_view method, std::string_view params_json) {
  std::string out;
  out.reserve(48 + method.size() + params_json.size());
  out += R"({"jsonrpc":"2.0","id":)";
  out += std::to_string(id);
  out += R"(,"method":)";
  append_json_string(out, method);
  out += R"(,"params":)";
  out += params_json;
  out += '}';
  return out;
}

}  // namespace pylon::net

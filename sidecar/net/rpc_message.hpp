// JSON-RPC 2.0 messages as the chain sends them over WebSocket: responses (matched to requests by
// integer id) and subscription notifications. Results stay raw JSON text; callers decode what they
// need with their own parser.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pylon::net {

struct RpcError {
  std::int64_t code = 0;
  std::string message;
  std::string data_json;  // raw JSON of "data", empty when absent
};

struct IncomingMessage {
  enum class Kind { kResponse, kNotification };
  Kind kind = Kind::kResponse;

  // kResponse: id is empty when the server answered with a null or non-integer id (e.g. a parse
  // error about a request it could not read), which no request can be matched to.
  std::optional<std::uint64_t> id;
  std::optional<RpcError> error;

  // kNotification: the method (e.g. "chain_newHead") and the subscription id, as text whether the
  // server wrote it as a JSON string or a number.
  std::string method;
  std::string subscription;

  // Raw JSON of "result" (response or notification), e.g. "\"0xabc…\"" or "{…}". A view into the
  // parser's buffer: valid until the next parse().
  std::string_view result_json;
};

// Reuses its buffers across messages; one per connection/thread (not thread-safe).
class RpcMessageParser {
 public:
  RpcMessageParser();
  ~RpcMessageParser();
  RpcMessageParser(const RpcMessageParser&) = delete;
  RpcMessageParser& operator=(const RpcMessageParser&) = delete;

  // Errors name what is wrong ("not JSON", "neither result nor error", ...) and never throw.
  Result<IncomingMessage> parse(std::string_view text);
  // A message that may also be a batch answer (a JSON array of responses, as the server answers
  // an array of requests: in any order, each matched by its id); a single message is a list of
  // one. Any bad item fails the whole message.
  Result<std::vector<IncomingMessage>> parse_all(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A subscribe call's result: the server's id for the subscription, a JSON string or a non-negative
// integer. text is the form notifications are matched on; json is what to pass to unsubscribe.
struct RemoteSubscriptionId {
  std::string text;
  std::string json;
};
Result<RemoteSubscriptionId> parse_subscription_id(std::string_view result_json);

// Checks that text is one complete JSON array or object (JSON-RPC params), so a caller's malformed
// params become a clear error instead of a server parse error that no request can be matched to.
Status validate_params_json(std::string_view text);

// The request text: {"jsonrpc":"2.0","id":<id>,"method":"<method>","params":<params_json>}.
std::string make_request_json(std::uint64_t id, std::string_view method, std::string_view params_json);

}  // namespace pylon::net

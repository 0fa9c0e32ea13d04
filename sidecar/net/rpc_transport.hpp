// What a chain client needs of a JSON-RPC connection: blocking calls and subscriptions. RpcClient
// (the WebSocket client) is the one used in production; the interface lets the parsing of a node's
// answers be driven without sockets (tests/fuzz/fuzz_chain_answers.cpp answers from fuzz input).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pylon::net {

// What kind of failure an RpcClient error is: `error.kind_of<RpcErrc>()`. Callers decide on
// these (retry, look the transaction up, give up), never on the message text.
enum class RpcErrc {
  kNodeError = 1,   // the node answered with a JSON-RPC error; Error::code holds its code
  kTimeout,         // no answer within the request's timeout (the node may still have run it)
  kConnectionLost,  // the connection dropped with the request on it (it may have been run)
  kStopped,         // the client is shutting down
  kRejected,        // refused before sending: bad parameters, too many pending, wrong thread
  kBadAnswer,       // the node's answer is not a valid JSON-RPC message or subscription id
  kStalled,         // a blocking call got no completion from the network thread
  kBadOptions,      // create(): invalid options or TLS set-up
  // kBadOptions last: app/timed_transport.cpp names kNodeError..kBadOptions.
};

// Local, stable across reconnects (the server's own subscription ids change).
using SubscriptionId = std::uint64_t;

struct SubscribeSpec {
  std::string method;  // e.g. "chain_subscribeNewHeads"
  std::string params_json = "[]";
  std::string unsubscribe_method;  // e.g. "chain_unsubscribeNewHeads"
};

using NotificationCallback = std::function<void(std::string_view result_json)>;

// One call of a call_all.
struct CallSpec {
  std::string method;
  std::string params_json = "[]";
};

// Thread contract: implementations are called from any thread; notifications may arrive on a
// thread of the implementation's own, and none after unsubscribe returns.
class RpcTransport {
 public:
  virtual ~RpcTransport() = default;

  // The method's "result" as raw JSON text, or an error of kind RpcErrc. params_json must be a
  // JSON array or object.
  virtual Result<std::string> call(std::string method, std::string params_json = "[]",
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;
  // on_notification gets each notification's "result" in order until unsubscribe.
  virtual Result<SubscriptionId> subscribe(SubscribeSpec spec, NotificationCallback on_notification) = 0;
  virtual Status unsubscribe(SubscriptionId id) = 0;
  virtual bool connected() const = 0;
  // The answers to several calls, in the order given, each as call() would return it. RpcClient
  // sends them all at once on its one connection and waits once (a round trip and a wakeup for the
  // lot, not one each); this default asks them in turn, for transports that cannot pipeline.
  virtual std::vector<Result<std::string>> call_all(
      std::vector<CallSpec> calls, std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    std::vector<Result<std::string>> out;
    out.reserve(calls.size());
    for (CallSpec& c : calls) out.push_back(call(std::move(c.method), std::move(c.params_json), timeout));
    return out;
  }
};

}  // namespace pylon::net

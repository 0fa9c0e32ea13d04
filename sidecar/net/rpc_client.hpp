// JSON-RPC 2.0 client for the chain's WebSocket API: Pylon's one network door to subtensor.
//
// - Requests are pipelined on one connection with integer ids and matched by id; each has its own
//   timeout. Results come back as raw JSON text (decode them with your own parser).
// - Failures are values: JSON-RPC errors as pylon::Error naming the method and code; a dropped
//   connection fails the requests that were on it at once (they are not re-sent: they may not be
//   idempotent). Requests made while disconnected wait for the next connection, within their
//   timeout.
// - Reconnects by itself with exponential backoff and jitter, rotating through the endpoints;
//   re-establishes every subscription on the new connection and says so through on_event.
// - All network work happens on the NetContext's thread. Callbacks (done, notifications, events)
//   run on that thread: keep them short and never block in them. The blocking variants (call,
//   subscribe, unsubscribe, wait_connected) may be used from any other thread; on the network
//   thread they return an error instead of deadlocking.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "net/backoff.hpp"
#include "net/net_context.hpp"
#include "net/rpc_transport.hpp"

namespace pylon::net {

struct ClientEvent {
  enum class Kind {
    kConnected,         // a connection is open (reconnect: true when it is not the first one)
    kConnectFailed,     // an attempt failed (detail); the next endpoint is tried after a backoff
    kDisconnected,      // an open connection dropped (detail); reconnecting
    kResubscribed,      // after a reconnect, `count` subscriptions are active again
    kSubscriptionLost,  // `subscription` could not be re-established (detail) and was removed
  };
  Kind kind = Kind::kConnected;
  std::string endpoint;
  std::string detail;
  bool reconnect = false;
  SubscriptionId subscription = 0;
  std::size_t count = 0;
};

struct RpcClientOptions {
  std::vector<std::string> endpoints;  // ws:// or wss:// URLs, tried in order, then round-robin
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // ping after half of it, drop after all; 0 = off
  // A connection that stayed up this long resets the backoff; shorter ones keep it growing, so a
  // node that accepts and then drops at once is not hammered.
  std::chrono::milliseconds stable_after{5'000};
  BackoffOptions backoff{};
  std::size_t max_message_bytes = 64u << 20;
  std::size_t max_pending_requests = 65'536;
  // wss://: the system's trust store, plus this PEM file when set. Peer verification is always on.
  std::string tls_ca_file;
  std::function<void(const ClientEvent&)> on_event;
};

using CallCallback = std::function<void(Result<std::string> result_json)>;
using SubscribeCallback = std::function<void(Result<SubscriptionId>)>;
using StatusCallback = std::function<void(Status)>;

class RpcClient final : public RpcTransport {
 public:
  // Validates the options (endpoint URLs, TLS setup) and starts connecting. `net` must outlive the
  // client.
  static Result<std::unique_ptr<RpcClient>> create(NetContext& net, RpcClientOptions options);
  // Closes the connection; pending requests fail with "client stopped". No callback runs after
  // the destructor returns.
  ~RpcClient() override;
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // params_json must be a JSON array or object. timeout defaults to options.request_timeout.
  void call_async(std::string method, std::string params_json, CallCallback done,
                  std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  Result<std::string> call(std::string method, std::string params_json = "[]",
                           std::optional<std::chrono::milliseconds> timeout = std::nullopt) override;

  // Sends every call at once, as JSON-RPC batches (a few messages, each under one timeout; each
  // call alone when the server refuses batches) and waits once for all answers, in the order
  // given. `on_answer` (optional) hears each answer
  // as it arrives, with its index, on the network thread: keep it short.
  using AnswerHook = std::function<void(std::size_t index, const Result<std::string>& answer)>;
  std::vector<Result<std::string>> call_all(std::vector<CallSpec> calls,
                                            std::optional<std::chrono::milliseconds> timeout,
                                            AnswerHook on_answer);
  std::vector<Result<std::string>> call_all(
      std::vector<CallSpec> calls, std::optional<std::chrono::milliseconds> timeout = std::nullopt) override {
    return call_all(std::move(calls), timeout, AnswerHook{});
  }
  // done gets the id once the server confirmed the subscription; on_notification then gets each
  // notification's "result" in order, across reconnects, until unsubscribe.
  void subscribe_async(SubscribeSpec spec, NotificationCallback on_notification, SubscribeCallback done);
  Result<SubscriptionId> subscribe(SubscribeSpec spec, NotificationCallback on_notification) override;

  // No notification is delivered after done runs (or unsubscribe returns). The subscription is
  // removed locally even when the server's answer is an error, which is then reported.
  void unsubscribe_async(SubscriptionId id, StatusCallback done);
  Status unsubscribe(SubscriptionId id) override;

  // Waits until a connection is open (useful at startup).
  Status wait_connected(std::chrono::milliseconds timeout);
  bool connected() const override;
  std::string current_endpoint() const;  // the URL of the open connection, or "" when down

  struct Impl;

 private:
  explicit RpcClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace pylon::net

// RpcClient's state machine (internal). Every member function runs on `strand`; the public
// RpcClient posts into it. Split by concern: client_core.cpp (connection lifecycle and requests),
// client_subscriptions.cpp (subscriptions across reconnects).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <unordered_map>

#include "common/sync.hpp"
#include "net/endpoint_url.hpp"
#include "net/rpc_client.hpp"
#include "net/rpc_message.hpp"
#include "net/ws_connection.hpp"

namespace pylon::net {

// Why an internal request failed: subscriptions treat a lost connection (retry on the next one)
// differently from a refusal.
enum class FailKind { kNone, kRpcError, kTimeout, kConnectionLost, kStopped, kRejected };
using InternalDone = std::function<void(Result<std::string>, FailKind)>;
RpcErrc errc_of(FailKind kind);

// User callbacks must not throw; if one does, the client's state must still stay consistent.
template <class F, class... Args>
void invoke_user(const char* what, F& f, Args&&... args) {
  if (!f) return;
  try {
    f(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pylon net: %s callback threw: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "pylon net: %s callback threw a non-standard exception\n", what);
  }
}

struct RpcClient::Impl : std::enable_shared_from_this<RpcClient::Impl> {
  Impl(NetContext& net, RpcClientOptions options, std::vector<EndpointUrl> endpoints,
       std::unique_ptr<boost::asio::ssl::context> ssl);

  // client_core.cpp
  void start();
  void shutdown();
  void request(std::string method, std::string_view params_json, std::chrono::milliseconds timeout,
               InternalDone done);
  // The calls as one JSON-RPC batch (an array of requests in one message) under one timer; each
  // alone (request()) while no connection is open or once the server refused a batch.
  // `done` hears each call's answer with its index.
  void request_batch(std::vector<CallSpec> calls, std::chrono::milliseconds timeout,
                     std::function<void(std::size_t, Result<std::string>)> done);
  void connect_next();
  void on_open(std::uint64_t gen);
  void on_message(std::uint64_t gen, std::string_view text);
  void on_close(std::uint64_t gen, Error reason);
  void schedule_reconnect();
  void handle_response(const IncomingMessage& msg);
  void fail_request(std::uint64_t id, const std::string& detail, FailKind kind);
  void emit(ClientEvent ev);
  // An event of `kind` about the endpoint in use.
  ClientEvent event_here(ClientEvent::Kind kind) const;
  void set_link_state(bool is_open, std::string endpoint, std::string last_error);

  // client_subscriptions.cpp
  void subscribe(SubscribeSpec spec, NotificationCallback notify, SubscribeCallback done);
  void unsubscribe(SubscriptionId id, StatusCallback done);
  void send_subscribe(SubscriptionId id, bool first);
  void on_subscribe_answer(SubscriptionId id, bool first, std::uint64_t gen,
                           const std::string& unsubscribe_method, Result<std::string> answer, FailKind kind);
  void handle_notification(const IncomingMessage& msg);
  void resubscribe_all();
  void resubscribe_done(std::uint64_t gen, bool ok);
  void subscriptions_lost_connection();

  // The requests sent in one batch message share one timer.
  struct Batch {
    explicit Batch(Strand& s) : timer(s) {}
    boost::asio::steady_timer timer;
    std::vector<std::uint64_t> ids;
    std::size_t left = 0;  // ids still pending; the timer is cancelled at 0
  };
  struct Pending {
    std::string method;
    InternalDone done;
    std::unique_ptr<boost::asio::steady_timer> timer;  // null for a batch's request
    std::shared_ptr<Batch> batch;                      // set for a batch's request
    std::string text;                                  // the request, kept only until it is sent
    bool sent = false;
  };
  // Removes an answered or failed request's timers (its own, or its batch's once all are done).
  static void settle(Pending& p);
  struct Subscription {
    enum class State { kSubscribing, kActive, kLost };
    SubscribeSpec spec;
    NotificationCallback notify;
    SubscribeCallback first_done;  // set until the first confirmation
    State state = State::kSubscribing;
    std::string remote_id;       // as text, the key of by_remote
    std::string remote_id_json;  // as the server wrote it, for the unsubscribe params
  };
  struct EarlyNotification {
    std::string subscription;
    std::string result_json;
  };
  static constexpr std::size_t kMaxEarlyNotifications = 256;

  NetContext& net;
  Strand strand;
  RpcClientOptions options;
  std::vector<EndpointUrl> endpoints;
  std::unique_ptr<boost::asio::ssl::context> ssl;
  Backoff backoff;
  boost::asio::steady_timer reconnect_timer;
  RpcMessageParser parser;

  std::shared_ptr<WsConnection> conn;
  std::uint64_t generation = 0;  // of conn; stale callbacks from older connections are ignored
  bool open = false;
  bool stopped = false;
  bool ever_connected = false;
  std::size_t endpoint_index = 0;
  std::chrono::steady_clock::time_point opened_at{};

  std::uint64_t next_request_id = 1;
  // Set when the server answered a batch with an error for no request (batches disabled, or too
  // large): from then on every call goes alone.
  bool batches_refused = false;
  std::map<std::uint64_t, Pending> pending;
  std::deque<std::uint64_t> unsent;  // waiting for a connection, in order

  SubscriptionId next_subscription_id = 1;
  std::map<SubscriptionId, Subscription> subs;
  std::unordered_map<std::string, SubscriptionId> by_remote;
  // Notifications that arrived before their subscribe answer (servers may send them first).
  std::deque<EarlyNotification> early;
  std::uint64_t resubscribe_gen = 0;
  std::size_t resubscribe_outstanding = 0;
  std::size_t resubscribe_ok = 0;

  // Readable from any thread.
  mutable Mutex link_mutex;
  std::condition_variable link_cv;  // with link_mutex
  bool link_open PYLON_GUARDED_BY(link_mutex) = false;
  bool link_stopped PYLON_GUARDED_BY(link_mutex) = false;
  std::string link_endpoint PYLON_GUARDED_BY(link_mutex);
  std::string link_last_error PYLON_GUARDED_BY(link_mutex);
};

}  // namespace pylon::net

#include "net/client_core.hpp"

#include <boost/asio/post.hpp>
#include <vector>

namespace pylon::net {

RpcErrc errc_of(FailKind kind) {
  switch (kind) {
    case FailKind::kNone:  // not a failure; never passed with an error
    case FailKind::kRpcError:
      return RpcErrc::kNodeError;
    case FailKind::kTimeout:
      return RpcErrc::kTimeout;
    case FailKind::kConnectionLost:
      return RpcErrc::kConnectionLost;
    case FailKind::kStopped:
      return RpcErrc::kStopped;
    case FailKind::kRejected:
      return RpcErrc::kRejected;
  }
  return RpcErrc::kNodeError;
}

RpcClient::Impl::Impl(NetContext& net_, RpcClientOptions options_, std::vector<EndpointUrl> endpoints_,
                      std::unique_ptr<boost::asio::ssl::context> ssl_)
    : net(net_),
      strand(net_.make_strand()),
      options(std::move(options_)),
      endpoints(std::move(endpoints_)),
      ssl(std::move(ssl_)),
      backoff(options.backoff),
      reconnect_timer(strand) {}

void RpcClient::Impl::start() {
  connect_next();
}

void RpcClient::Impl::shutdown() {
  if (stopped) return;
  stopped = true;
  reconnect_timer.cancel();
  if (conn) conn->close();  // the connection keeps itself alive until its close completes
  conn.reset();
  open = false;
  options.on_event = nullptr;
  subs.clear();
  by_remote.clear();
  early.clear();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, p] : pending) ids.push_back(id);
  for (auto id : ids) fail_request(id, "client stopped", FailKind::kStopped);
  unsent.clear();
  {
    Lock lock(link_mutex);
    link_open = false;
    link_stopped = true;
    link_endpoint.clear();
  }
  link_cv.notify_all();
}

void RpcClient::Impl::request(std::string method, std::string_view params_json,
                              std::chrono::milliseconds timeout, InternalDone done) {
  if (stopped) return done(make_error(RpcErrc::kStopped, method + ": client stopped"), FailKind::kStopped);
  if (method.empty())
    return done(make_error(RpcErrc::kRejected, "JSON-RPC request without a method name"),
                FailKind::kRejected);
  if (pending.size() >= options.max_pending_requests) {
    return done(make_error(RpcErrc::kRejected, method + ": too many pending requests (limit " +
                                                   std::to_string(options.max_pending_requests) + ")"),
                FailKind::kRejected);
  }
  if (auto valid = validate_params_json(params_json); !valid.ok()) {
    return done(make_error(RpcErrc::kRejected, method + ": " + valid.error().message), FailKind::kRejected);
  }
  if (timeout.count() <= 0)
    return done(make_error(RpcErrc::kRejected, method + ": timeout must be positive"), FailKind::kRejected);

  const std::uint64_t id = next_request_id++;
  Pending p;
  p.method = std::move(method);
  p.done = std::move(done);
  p.timer = std::make_unique<boost::asio::steady_timer>(strand);
  p.timer->expires_after(timeout);
  p.timer->async_wait([weak = weak_from_this(), id, timeout](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->fail_request(id,
                       "no response within " + std::to_string(timeout.count()) + " ms (request id " +
                           std::to_string(id) + ")",
                       FailKind::kTimeout);
  });
  std::string text = make_request_json(id, p.method, params_json);
  if (open) {
    conn->send(std::move(text));
    p.sent = true;
  } else {
    p.text = std::move(text);
    unsent.push_back(id);
  }
  pending.emplace(id, std::move(p));
}

void RpcClient::Impl::request_batch(std::vector<CallSpec> calls, std::chrono::milliseconds timeout,
                                    std::function<void(std::size_t, Result<std::string>)> done) {
  auto alone = [&](std::size_t i) {
    request(std::move(calls[i].method), calls[i].params_json, timeout,
            [done, i](Result<std::string> r, FailKind) { done(i, std::move(r)); });
  };
  if (stopped || !open || batches_refused || calls.size() < 2 || timeout.count() <= 0 ||
      pending.size() + calls.size() > options.max_pending_requests) {
    for (std::size_t i = 0; i < calls.size(); ++i) alone(i);  // request() says what is wrong, if anything
    return;
  }
  auto batch = std::make_shared<Batch>(strand);
  std::string text = "[";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    CallSpec& c = calls[i];
    if (c.method.empty() || !validate_params_json(c.params_json).ok()) {
      alone(i);  // refused with its reason, outside the batch
      continue;
    }
    const std::uint64_t id = next_request_id++;
    if (!batch->ids.empty()) text += ',';
    text += make_request_json(id, c.method, c.params_json);
    Pending p;
    p.method = std::move(c.method);
    p.done = [done, i](Result<std::string> r, FailKind) { done(i, std::move(r)); };
    p.batch = batch;
    p.sent = true;
    pending.emplace(id, std::move(p));
    batch->ids.push_back(id);
  }
  if (batch->ids.empty()) return;
  text += ']';
  batch->left = batch->ids.size();
  batch->timer.expires_after(timeout);
  batch->timer.async_wait([weak = weak_from_this(), batch, timeout](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    for (auto id : batch->ids)
      self->fail_request(id,
                         "no response within " + std::to_string(timeout.count()) + " ms (request id " +
                             std::to_string(id) + ", in a batch)",
                         FailKind::kTimeout);
  });
  conn->send(std::move(text));
}

void RpcClient::Impl::fail_request(std::uint64_t id, const std::string& detail, FailKind kind) {
  auto it = pending.find(id);
  if (it == pending.end()) return;
  Pending p = std::move(it->second);
  pending.erase(it);
  settle(p);
  p.done(make_error(errc_of(kind), p.method + ": " + detail), kind);
}

void RpcClient::Impl::connect_next() {
  if (stopped) return;
  const std::uint64_t gen = ++generation;
  WsConnectionOptions wo;
  wo.max_message_bytes = options.max_message_bytes;
  wo.connect_timeout = options.connect_timeout;
  wo.idle_timeout = options.idle_timeout;
  conn = make_ws_connection(strand, ssl.get(), endpoints[endpoint_index], wo);
  auto weak = weak_from_this();
  WsConnection::Handlers h;
  h.on_open = [weak, gen] {
    if (auto self = weak.lock()) self->on_open(gen);
  };
  h.on_message = [weak, gen](std::string_view text) {
    if (auto self = weak.lock()) self->on_message(gen, text);
  };
  h.on_close = [weak, gen](Error reason) {
    if (auto self = weak.lock()) self->on_close(gen, std::move(reason));
  };
  conn->start(std::move(h));
}

void RpcClient::Impl::on_open(std::uint64_t gen) {
  if (stopped || gen != generation) return;
  open = true;
  opened_at = std::chrono::steady_clock::now();
  ClientEvent ev = event_here(ClientEvent::Kind::kConnected);
  set_link_state(true, ev.endpoint, "");
  ev.reconnect = ever_connected;
  ever_connected = true;
  emit(std::move(ev));
  if (stopped || gen != generation) return;  // the event handler may have stopped us

  std::deque<std::uint64_t> waiting;
  waiting.swap(unsent);
  for (auto id : waiting) {
    auto it = pending.find(id);
    if (it == pending.end() || it->second.sent) continue;  // timed out meanwhile
    conn->send(std::move(it->second.text));
    it->second.text = std::string();
    it->second.sent = true;
  }
  resubscribe_all();
}

void RpcClient::Impl::on_message(std::uint64_t gen, std::string_view text) {
  if (stopped || gen != generation) return;
  auto parsed = parser.parse_all(text);  // a batch's answer is an array of responses
  if (!parsed.ok()) {
    // A server that sends something other than JSON-RPC cannot be trusted with the requests on
    // this connection: fail them with the reason now rather than let them time out.
    conn->abort(Error{endpoints[endpoint_index].str() + ": " + parsed.error().message});
    return;
  }
  for (const IncomingMessage& msg : parsed.value()) {
    // A callback may have stopped the client or dropped the connection meanwhile.
    if (stopped || gen != generation) return;
    if (msg.kind == IncomingMessage::Kind::kResponse) {
      handle_response(msg);
    } else {
      handle_notification(msg);
    }
  }
}

void RpcClient::Impl::settle(Pending& p) {
  if (p.timer) p.timer->cancel();
  if (p.batch && --p.batch->left == 0) p.batch->timer.cancel();
}

void RpcClient::Impl::handle_response(const IncomingMessage& msg) {
  // No id (e.g. a server parse error) or an id no longer pending (answered after its timeout):
  // nothing to match it to. An error without an id while batches are out is the server refusing
  // a batch (jsonrpsee with batches disabled or over its limit answers so): fail the batches' requests
  // with it, now rather than at their timeout, and send each call alone from here on.
  if (!msg.id) {
    if (!msg.error) return;
    std::vector<std::uint64_t> batched;
    for (const auto& [id, p] : pending)
      if (p.batch && p.sent) batched.push_back(id);
    if (batched.empty()) return;
    batches_refused = true;
    const std::string detail = "the server refused a batch of requests: JSON-RPC error " +
                               std::to_string(msg.error->code) + ": " + msg.error->message;
    for (auto id : batched) fail_request(id, detail, FailKind::kRpcError);
    return;
  }
  auto it = pending.find(*msg.id);
  if (it == pending.end() || !it->second.sent) return;
  Pending p = std::move(it->second);
  pending.erase(it);
  settle(p);
  if (msg.error) {
    std::string text =
        p.method + ": JSON-RPC error " + std::to_string(msg.error->code) + ": " + msg.error->message;
    if (!msg.error->data_json.empty()) text += " (data: " + msg.error->data_json + ")";
    Error e = make_error(RpcErrc::kNodeError, std::move(text), msg.error->code);
    e.peer_data = msg.error->data_json;
    p.done(std::move(e), FailKind::kRpcError);
  } else {
    p.done(std::string(msg.result_json), FailKind::kNone);
  }
}

void RpcClient::Impl::on_close(std::uint64_t gen, Error reason) {
  if (stopped || gen != generation) return;
  const bool was_open = open;
  ClientEvent ev =
      event_here(was_open ? ClientEvent::Kind::kDisconnected : ClientEvent::Kind::kConnectFailed);
  ev.detail = reason.message;
  open = false;
  conn.reset();
  set_link_state(false, "", reason.message);

  emit(std::move(ev));
  if (stopped) return;

  subscriptions_lost_connection();
  // Requests already on the wire cannot be answered any more. Not re-sent: they may not be
  // idempotent (author_submitExtrinsic). Callbacks may issue new requests: they wait for the next
  // connection.
  std::vector<std::uint64_t> lost;
  for (const auto& [id, p] : pending) {
    if (p.sent) lost.push_back(id);
  }
  const std::string detail = "connection lost before the response arrived (" + reason.message + ")";
  for (auto id : lost) fail_request(id, detail, FailKind::kConnectionLost);
  if (stopped) return;

  if (was_open && std::chrono::steady_clock::now() - opened_at >= options.stable_after) backoff.reset();
  endpoint_index = (endpoint_index + 1) % endpoints.size();
  schedule_reconnect();
}

void RpcClient::Impl::schedule_reconnect() {
  reconnect_timer.expires_after(backoff.next());
  reconnect_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped) return;
    self->connect_next();
  });
}

ClientEvent RpcClient::Impl::event_here(ClientEvent::Kind kind) const {
  ClientEvent ev;
  ev.kind = kind;
  ev.endpoint = endpoints[endpoint_index].str();
  return ev;
}

void RpcClient::Impl::emit(ClientEvent ev) {
  if (stopped) return;
  invoke_user("event", options.on_event, ev);
}

void RpcClient::Impl::set_link_state(bool is_open, std::string endpoint, std::string last_error) {
  {
    Lock lock(link_mutex);
    link_open = is_open;
    link_endpoint = std::move(endpoint);
    if (!last_error.empty()) link_last_error = std::move(last_error);
  }
  link_cv.notify_all();
}

}  // namespace pylon::net

// Subscriptions across reconnects: the caller keeps one local SubscriptionId while the server's id
// changes with every connection.
#include <vector>

#include "common/json_writer.hpp"
#include "net/client_core.hpp"

namespace pylon::net {

namespace {

// The params of an unsubscribe call: the server's subscription id (already checked JSON, as it
// wrote it), in an array made by the JSON writer.
std::string id_params(std::string_view id_json) {
  JsonWriter w;
  w.begin_array();
  w.raw(id_json);
  w.end_array();
  return w.take();
}

}  // namespace

void RpcClient::Impl::subscribe(SubscribeSpec spec, NotificationCallback notify, SubscribeCallback done) {
  if (stopped)
    return invoke_user(
        "subscribe", done,
        Result<SubscriptionId>(make_error(RpcErrc::kStopped, spec.method + ": client stopped")));
  if (spec.method.empty() || spec.unsubscribe_method.empty()) {
    return invoke_user("subscribe", done,
                       Result<SubscriptionId>(make_error(
                           RpcErrc::kRejected, "subscribe needs both a method and an unsubscribe method")));
  }
  if (!notify) {
    return invoke_user(
        "subscribe", done,
        Result<SubscriptionId>(make_error(RpcErrc::kRejected, spec.method + ": no notification callback")));
  }
  const SubscriptionId id = next_subscription_id++;
  Subscription s;
  s.spec = std::move(spec);
  s.notify = std::move(notify);
  s.first_done = std::move(done);
  subs.emplace(id, std::move(s));
  send_subscribe(id, true);
}

void RpcClient::Impl::send_subscribe(SubscriptionId id, bool first) {
  auto it = subs.find(id);
  if (it == subs.end()) return;
  it->second.state = Subscription::State::kSubscribing;
  const std::uint64_t gen = generation;
  std::string unsubscribe_method = it->second.spec.unsubscribe_method;
  request(it->second.spec.method, it->second.spec.params_json, options.request_timeout,
          [weak = weak_from_this(), id, first, gen, unsubscribe_method = std::move(unsubscribe_method)](
              Result<std::string> answer, FailKind kind) {
            if (auto self = weak.lock()) {
              self->on_subscribe_answer(id, first, gen, unsubscribe_method, std::move(answer), kind);
            }
          });
}

void RpcClient::Impl::on_subscribe_answer(SubscriptionId id, bool first, std::uint64_t gen,
                                          const std::string& unsubscribe_method, Result<std::string> answer,
                                          FailKind kind) {
  std::optional<RemoteSubscriptionId> remote;
  if (answer.ok()) {
    auto parsed = parse_subscription_id(answer.value());
    if (parsed.ok()) {
      remote = std::move(parsed).value();
    } else {
      answer = make_error(RpcErrc::kBadAnswer, "subscribe answer: " + parsed.error().message);
      kind = FailKind::kRpcError;
    }
  }

  auto it = subs.find(id);
  if (it == subs.end()) {
    // Unsubscribed while the (re)subscribe was in flight: end the server's side too.
    if (remote && open) {
      request(unsubscribe_method, id_params(remote->json), options.request_timeout,
              [](Result<std::string>, FailKind) {});
    }
    if (!first) resubscribe_done(gen, false);
    return;
  }
  Subscription& s = it->second;

  if (!remote) {
    if (first) {
      auto done = std::move(s.first_done);
      subs.erase(it);
      invoke_user("subscribe", done, Result<SubscriptionId>(std::move(answer).error()));
    } else if (kind == FailKind::kConnectionLost || kind == FailKind::kStopped) {
      s.state = Subscription::State::kLost;  // tried again on the next connection
      resubscribe_done(gen, false);
    } else {
      const std::string detail = std::move(answer).error().message;
      subs.erase(it);
      ClientEvent ev = event_here(ClientEvent::Kind::kSubscriptionLost);
      ev.subscription = id;
      ev.detail = detail;
      emit(std::move(ev));
      resubscribe_done(gen, false);
    }
    return;
  }

  s.state = Subscription::State::kActive;
  s.remote_id = remote->text;
  s.remote_id_json = remote->json;
  by_remote[remote->text] = id;
  if (first) {
    auto done = std::move(s.first_done);
    s.first_done = nullptr;
    invoke_user("subscribe", done, Result<SubscriptionId>(id));
  }

  // Notifications that overtook this answer, in their order.
  std::vector<std::string> mine;
  for (auto e = early.begin(); e != early.end();) {
    if (e->subscription == remote->text) {
      mine.push_back(std::move(e->result_json));
      e = early.erase(e);
    } else {
      ++e;
    }
  }
  for (const auto& result : mine) {
    auto cur = subs.find(id);  // a callback may have unsubscribed it
    if (cur == subs.end() || cur->second.state != Subscription::State::kActive) break;
    invoke_user("notification", cur->second.notify, std::string_view(result));
  }
  if (!first) resubscribe_done(gen, true);
}

void RpcClient::Impl::handle_notification(const IncomingMessage& msg) {
  auto r = by_remote.find(msg.subscription);
  if (r != by_remote.end()) {
    auto it = subs.find(r->second);
    if (it != subs.end() && it->second.state == Subscription::State::kActive) {
      invoke_user("notification", it->second.notify, msg.result_json);
    }
    return;
  }
  // Possibly ahead of its subscribe answer; bounded, as ids nobody asked for land here too.
  early.push_back(EarlyNotification{msg.subscription, std::string(msg.result_json)});
  if (early.size() > kMaxEarlyNotifications) early.pop_front();
}

void RpcClient::Impl::unsubscribe(SubscriptionId id, StatusCallback done) {
  auto it = subs.find(id);
  if (it == subs.end()) {
    return invoke_user(
        "unsubscribe", done,
        Status(make_error(RpcErrc::kRejected, "unsubscribe: unknown subscription " + std::to_string(id))));
  }
  Subscription s = std::move(it->second);
  subs.erase(it);
  if (s.state == Subscription::State::kActive) {
    by_remote.erase(s.remote_id);
    if (open) {
      request(s.spec.unsubscribe_method, id_params(s.remote_id_json), options.request_timeout,
              [done = std::move(done)](Result<std::string> answer, FailKind) mutable {
                invoke_user("unsubscribe", done, answer.ok() ? Status() : Status(std::move(answer).error()));
              });
      return;
    }
  }
  // Lost with the connection, or still being re-established (the answer handler ends it).
  invoke_user("unsubscribe", done, Status());
}

void RpcClient::Impl::subscriptions_lost_connection() {
  for (auto& [id, s] : subs) {
    if (s.state == Subscription::State::kActive) s.state = Subscription::State::kLost;
  }
  by_remote.clear();
  early.clear();
  resubscribe_outstanding = 0;  // a round cut short by the drop never completes
}

void RpcClient::Impl::resubscribe_all() {
  std::vector<SubscriptionId> lost;
  for (const auto& [id, s] : subs) {
    if (s.state == Subscription::State::kLost) lost.push_back(id);
  }
  resubscribe_gen = generation;
  resubscribe_outstanding = lost.size();
  resubscribe_ok = 0;
  for (auto id : lost) send_subscribe(id, false);
}

void RpcClient::Impl::resubscribe_done(std::uint64_t gen, bool ok) {
  if (gen != resubscribe_gen || resubscribe_outstanding == 0) return;
  if (ok) ++resubscribe_ok;
  if (--resubscribe_outstanding > 0) return;
  ClientEvent ev = event_here(ClientEvent::Kind::kResubscribed);
  ev.reconnect = true;
  ev.count = resubscribe_ok;
  emit(std::move(ev));
}

}  // namespace pylon::net

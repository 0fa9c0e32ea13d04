// RpcClient's public face: validates options, posts work onto the client's strand, and turns the
// asynchronous API into blocking calls for other threads.
#include "net/rpc_client.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <future>
#include <iterator>

#include "net/client_core.hpp"

namespace pylon::net {
namespace {

// How long a blocking call waits beyond its own timeout before concluding the network thread is
// stuck; never reached while the thread runs, as every request ends by answer, timeout or stop.
constexpr std::chrono::milliseconds kStallGrace{10'000};

// call_all's largest batch message, in requests.
constexpr std::size_t kBatchCalls = 32;

Error on_network_thread(std::string_view what) {
  return make_error(
      RpcErrc::kRejected,
      std::string(what) + ": blocking call on the network thread would deadlock; use the async variant");
}

template <class T>
Result<T> wait_for(std::future<Result<T>>& f, std::chrono::milliseconds limit, std::string_view what) {
  if (f.wait_for(limit) != std::future_status::ready) {
    return make_error(RpcErrc::kStalled,
                      std::string(what) + ": no completion from the network thread (stalled?)");
  }
  return f.get();
}

}  // namespace

Result<std::unique_ptr<RpcClient>> RpcClient::create(NetContext& net, RpcClientOptions options) {
  if (options.endpoints.empty())
    return make_error(RpcErrc::kBadOptions, "RPC client: no endpoints configured");
  if (options.request_timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return make_error(RpcErrc::kBadOptions, "RPC client: request and connect timeouts must be positive");
  }
  if (options.idle_timeout.count() < 0)
    return make_error(RpcErrc::kBadOptions, "RPC client: idle timeout must not be negative");
  if (options.max_message_bytes < 1024)
    return make_error(RpcErrc::kBadOptions, "RPC client: max_message_bytes must be at least 1024");
  if (options.max_pending_requests == 0)
    return make_error(RpcErrc::kBadOptions, "RPC client: max_pending_requests must be positive");

  std::vector<EndpointUrl> endpoints;
  bool any_tls = false;
  for (const auto& text : options.endpoints) {
    PYLON_ASSIGN(EndpointUrl url, parse_endpoint_url(text));
    any_tls = any_tls || url.tls;
    endpoints.push_back(std::move(url));
  }

  std::unique_ptr<boost::asio::ssl::context> ssl;
  if (any_tls) {
    try {
      ssl = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    } catch (const std::exception& e) {
      return make_error(RpcErrc::kBadOptions,
                        std::string("RPC client: cannot create TLS context: ") + e.what());
    }
    boost::system::error_code ec;
    ssl->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                         boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                         boost::asio::ssl::context::no_tlsv1_1,
                     ec);
    // The system's trust store (OpenSSL honours SSL_CERT_FILE / SSL_CERT_DIR here), plus the
    // configured CA file. Peer verification is never switched off: a validator's chain endpoint
    // decides what it signs.
    if (!ec) ssl->set_default_verify_paths(ec);
    if (ec) return make_error(RpcErrc::kBadOptions, "RPC client: TLS setup failed: " + ec.message());
    if (!options.tls_ca_file.empty()) {
      ssl->load_verify_file(options.tls_ca_file, ec);
      if (ec) {
        return make_error(RpcErrc::kBadOptions, "RPC client: TLS setup failed: cannot load the CA file " +
                                                    options.tls_ca_file + ": " + ec.message());
      }
    }
    ssl->set_verify_mode(boost::asio::ssl::verify_peer, ec);
    if (ec) return make_error(RpcErrc::kBadOptions, "RPC client: TLS setup failed: " + ec.message());
  }

  auto impl = std::make_shared<Impl>(net, std::move(options), std::move(endpoints), std::move(ssl));
  boost::asio::post(impl->strand, [impl] { impl->start(); });
  return std::unique_ptr<RpcClient>(new RpcClient(std::move(impl)));
}

RpcClient::RpcClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RpcClient::~RpcClient() {
  auto impl = impl_;
  if (impl->strand.running_in_this_thread()) {
    impl->shutdown();
    return;
  }
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  boost::asio::post(impl->strand, [impl, done] {
    impl->shutdown();
    done->set_value();
  });
  finished.wait_for(kStallGrace);
}

void RpcClient::call_async(std::string method, std::string params_json, CallCallback done,
                           std::optional<std::chrono::milliseconds> timeout) {
  boost::asio::post(impl_->strand, [impl = impl_, method = std::move(method), params = std::move(params_json),
                                    done = std::move(done), timeout]() mutable {
    impl->request(std::move(method), params, timeout.value_or(impl->options.request_timeout),
                  [done = std::move(done)](Result<std::string> result, FailKind) mutable {
                    invoke_user("call", done, std::move(result));
                  });
  });
}

Result<std::string> RpcClient::call(std::string method, std::string params_json,
                                    std::optional<std::chrono::milliseconds> timeout) {
  if (impl_->strand.running_in_this_thread()) return on_network_thread(method);
  const auto limit = timeout.value_or(impl_->options.request_timeout) + kStallGrace;
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  auto future = promise->get_future();
  std::string what = method;
  call_async(
      std::move(method), std::move(params_json),
      [promise](Result<std::string> result) { promise->set_value(std::move(result)); }, timeout);
  return wait_for(future, limit, what);
}

std::vector<Result<std::string>> RpcClient::call_all(std::vector<CallSpec> calls,
                                                     std::optional<std::chrono::milliseconds> timeout,
                                                     AnswerHook on_answer) {
  std::vector<Result<std::string>> out;
  out.reserve(calls.size());
  if (calls.empty()) return out;
  if (impl_->strand.running_in_this_thread()) {
    for (const CallSpec& c : calls) out.push_back(on_network_thread(c.method));
    return out;
  }
  // The answers land in their slots on the network thread (one strand: one at a time); the last
  // one fulfils the promise, which orders every slot's write before this thread reads them.
  struct Batch {
    std::vector<std::optional<Result<std::string>>> answers;
    std::size_t left = 0;
    std::promise<void> all;
    AnswerHook on_answer;
  };
  auto batch = std::make_shared<Batch>();
  batch->answers.resize(calls.size());
  batch->left = calls.size();
  batch->on_answer = std::move(on_answer);
  auto finished = batch->all.get_future();
  const std::chrono::milliseconds each = timeout.value_or(impl_->options.request_timeout);
  std::vector<std::string> what;
  what.reserve(calls.size());
  for (const CallSpec& c : calls) what.push_back(c.method);
  boost::asio::post(impl_->strand, [impl = impl_, calls = std::move(calls), batch, each]() mutable {
    // Batch messages of at most kBatchCalls requests, all sent at once: small enough that no
    // answer comes near a node's response size limit (substrate's default is 15 MiB; a 256-neuron
    // subnet's largest answers are ~100 KiB), large enough that a block's reads take a few messages.
    for (std::size_t first = 0; first < calls.size(); first += kBatchCalls) {
      const std::size_t n = std::min(kBatchCalls, calls.size() - first);
      std::vector<CallSpec> group(
          std::make_move_iterator(calls.begin() + static_cast<std::ptrdiff_t>(first)),
          std::make_move_iterator(calls.begin() + static_cast<std::ptrdiff_t>(first + n)));
      impl->request_batch(std::move(group), each, [batch, first](std::size_t i, Result<std::string> result) {
        invoke_user("call_all", batch->on_answer, first + i, result);
        batch->answers[first + i] = std::move(result);
        if (--batch->left == 0) batch->all.set_value();
      });
    }
  });
  // Every request ends by answer, timeout or stop, so the grace is never reached while the network
  // thread runs; past it, the calls still unanswered are reported stalled.
  if (finished.wait_for(each + kStallGrace) != std::future_status::ready) {
    for (const std::string& m : what)
      out.push_back(make_error(RpcErrc::kStalled, m + ": no completion from the network thread (stalled?)"));
    return out;
  }
  for (auto& a : batch->answers) out.push_back(std::move(*a));
  return out;
}

void RpcClient::subscribe_async(SubscribeSpec spec, NotificationCallback on_notification,
                                SubscribeCallback done) {
  boost::asio::post(impl_->strand, [impl = impl_, spec = std::move(spec), notify = std::move(on_notification),
                                    done = std::move(done)]() mutable {
    impl->subscribe(std::move(spec), std::move(notify), std::move(done));
  });
}

Result<SubscriptionId> RpcClient::subscribe(SubscribeSpec spec, NotificationCallback on_notification) {
  if (impl_->strand.running_in_this_thread()) return on_network_thread(spec.method);
  auto promise = std::make_shared<std::promise<Result<SubscriptionId>>>();
  auto future = promise->get_future();
  std::string what = spec.method;
  subscribe_async(std::move(spec), std::move(on_notification),
                  [promise](Result<SubscriptionId> result) { promise->set_value(std::move(result)); });
  return wait_for(future, impl_->options.request_timeout + kStallGrace, what);
}

void RpcClient::unsubscribe_async(SubscriptionId id, StatusCallback done) {
  boost::asio::post(impl_->strand, [impl = impl_, id, done = std::move(done)]() mutable {
    impl->unsubscribe(id, std::move(done));
  });
}

Status RpcClient::unsubscribe(SubscriptionId id) {
  if (impl_->strand.running_in_this_thread()) return on_network_thread("unsubscribe");
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  unsubscribe_async(id, [promise](Status status) { promise->set_value(std::move(status)); });
  return wait_for(future, impl_->options.request_timeout + kStallGrace, "unsubscribe");
}

Status RpcClient::wait_connected(std::chrono::milliseconds timeout) {
  if (impl_->strand.running_in_this_thread()) return on_network_thread("wait_connected");
  Lock lock(impl_->link_mutex);
  if (lock.wait_for(
          impl_->link_cv, timeout,
          [&]() PYLON_REQUIRES(impl_->link_mutex) { return impl_->link_open || impl_->link_stopped; }) &&
      impl_->link_open) {
    return {};
  }
  std::string text = "not connected within " + std::to_string(timeout.count()) + " ms";
  if (!impl_->link_last_error.empty()) text += " (last error: " + impl_->link_last_error + ")";
  return make_error(RpcErrc::kTimeout, std::move(text));
}

bool RpcClient::connected() const {
  Lock lock(impl_->link_mutex);
  return impl_->link_open;
}

std::string RpcClient::current_endpoint() const {
  Lock lock(impl_->link_mutex);
  return impl_->link_endpoint;
}

}  // namespace pylon::net

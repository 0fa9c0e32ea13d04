#include "rest/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/log.hpp"
#include "rest/api.hpp"
#include "rest/session.hpp"

namespace pylon::rest {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The way back onto the I/O thread; closed when the server stops so late answers (a Writer
// callback, a worker finishing) are dropped instead of touching a destroyed io_context.
struct IoGate {
  std::mutex mu;
  asio::io_context* ioc = nullptr;
  void post(Task t) {
    {
      std::lock_guard lock(mu);
      if (!ioc) return;
      // Not on the I/O thread (a worker, the Writer): queue it there.
      if (!ioc->get_executor().running_in_this_thread()) return asio::post(*ioc, std::move(t));
    }
    t();  // already on the I/O thread (an answer ready at once): no extra trip through the queue
  }
  void close() {
    std::lock_guard lock(mu);
    ioc = nullptr;
  }
};

}  // namespace

// Members are destroyed bottom-up: the acceptor and the worker pool (and whatever closures it
// still holds) before the io_context, and the io_context (whose pending handlers hold sessions
// that use the Api and the metrics) before the Api and the metrics.
struct Server::Impl {
  RestOptions options;
  Metrics metrics;
  std::unique_ptr<Api> api;
  asio::io_context ioc{1};
  asio::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};
  std::shared_ptr<IoGate> gate = std::make_shared<IoGate>();
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;  // I/O thread only
  std::thread io_thread;
  std::mutex stop_mu;
  bool stopped = false;

  explicit Impl(RestOptions o) : options(std::move(o)), workers(std::max<std::size_t>(options.workers, 1)) {}

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors or similar: wait a little rather than spin, then go on.
        log::warn("rest", "accept failed", {{"error", ec.message()}});
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](boost::system::error_code e) {
          if (!e) accept();
        });
        return;
      }
      boost::system::error_code nd;
      socket.set_option(tcp::no_delay(true), nd);
      // A whole metagraph answer (~458 KB) fits the send buffer: one write call per response.
      socket.set_option(asio::socket_base::send_buffer_size(1 << 20), nd);
      SessionHooks hooks{[g = gate](Task t) { g->post(std::move(t)); },
                         [this](Session* s) { sessions.erase(s); }};
      auto s = std::make_shared<Session>(std::move(socket), options, *api, std::move(hooks));
      sessions.emplace(s.get(), s);
      s->start();
      accept();
    });
  }

  void run() {
    // Handlers do not throw by design; if one ever does, the server logs it and keeps serving.
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        log::error("rest", "an I/O handler threw; serving on", {{"what", e.what()}});
      }
    }
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::start(RestOptions options, RestDeps deps) {
  auto impl = std::make_unique<Impl>(std::move(options));
  Impl& i = *impl;
  i.gate->ioc = &i.ioc;
  i.api = std::make_unique<Api>(
      i.options, std::move(deps), i.metrics, [g = i.gate](Task t) { g->post(std::move(t)); },
      [&i](Task t) { asio::post(i.workers, std::move(t)); });

  boost::system::error_code ec;
  const std::string host = i.options.host == "localhost" ? "127.0.0.1" : i.options.host;
  auto address = asio::ip::make_address(host, ec);
  if (ec)
    return make_error("PYLON_HTTP_HOST \"" + i.options.host + "\" is not an IP address: " + ec.message());
  const tcp::endpoint ep(address, i.options.port);
  const std::string where = host + ":" + std::to_string(i.options.port);
  if (i.acceptor.open(ep.protocol(), ec); ec)
    return make_error("cannot open a socket for " + where + ": " + ec.message());
  if (i.acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
    return make_error("cannot set SO_REUSEADDR for " + where + ": " + ec.message());
  if (i.acceptor.bind(ep, ec); ec) return make_error("cannot listen on " + where + ": " + ec.message());
  if (i.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return make_error("cannot listen on " + where + ": " + ec.message());

  i.accept();
  i.io_thread = std::thread([&i] { i.run(); });
  log::info("rest", "listening",
            {{"address", host}, {"port", std::to_string(i.acceptor.local_endpoint().port())}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() {
  if (!impl_) return;
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  Impl& i = *impl_;
  // Close the listener and every connection on the I/O thread, and wait (briefly) for that.
  auto closed = std::make_shared<std::promise<void>>();
  asio::post(i.ioc, [&i, closed] {
    boost::system::error_code ec;
    i.acceptor.close(ec);
    i.retry.cancel();
    auto sessions = i.sessions;  // close() erases from the map
    for (auto& [p, s] : sessions) s->close();
    closed->set_value();
  });
  closed->get_future().wait_for(std::chrono::seconds(2));
  i.gate->close();
  // Blocking work still running finishes (its answer is dropped); queued work is abandoned.
  i.workers.stop();
  i.workers.join();
  i.ioc.stop();
  if (i.io_thread.joinable()) i.io_thread.join();
  i.sessions.clear();
}

}  // namespace pylon::rest

#include "rest/server.hpp"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <exception>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/io_loop.hpp"
#include "common/log.hpp"
#include "common/sync.hpp"
#include "rest/api.hpp"
#include "rest/long_poll.hpp"
#include "rest/session.hpp"

namespace pylon::rest {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The way back onto the I/O thread; closed when the server stops so late answers (a Writer
// callback, a worker finishing) are dropped instead of touching a destroyed io_context.
struct IoGate {
  Mutex mu;
  asio::io_context* ioc PYLON_GUARDED_BY(mu) = nullptr;
  void post(Task t) {
    {
      Lock lock(mu);
      if (!ioc) return;
      // Not on the I/O thread (a worker, the Writer): queue it there.
      if (!ioc->get_executor().running_in_this_thread()) return asio::post(*ioc, std::move(t));
    }
    t();  // already on the I/O thread (an answer ready at once): no extra trip through the queue
  }
  void open(asio::io_context& io) {
    Lock lock(mu);
    ioc = &io;
  }
  void close() {
    Lock lock(mu);
    ioc = nullptr;
  }
};

}  // namespace

// One I/O thread with its own io_context, its connections and its way back in. Connections never
// move between loops, so a session's handlers all run on one thread and need no strand.
struct IoLoop {
  asio::io_context ioc{1};
  // A loop with no connection yet has no pending work; without this its run() would return at once.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  std::shared_ptr<IoGate> gate = std::make_shared<IoGate>();
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;  // this loop's thread only
  std::thread thread;

  IoLoop() { gate->open(ioc); }

  void run() { serve_io_loop(ioc, "pylon-http", "rest"); }
};

// Members are destroyed bottom-up: the acceptor and the worker pool (and whatever closures it
// still holds) before the loops, and the loops (whose pending handlers hold sessions that use the
// Api and the metrics) before the Api and the metrics.
struct Server::Impl {
  RestOptions options;
  Metrics metrics;
  std::unique_ptr<Api> api;
  std::vector<std::unique_ptr<IoLoop>> loops;  // loops[0] also runs the acceptor
  std::unique_ptr<LongPolls> long_polls;       // on loops[0]; its timers go before the loops
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::size_t next_loop = 0;  // round-robin over loops; the acceptor's thread only
  Mutex stop_mu;
  bool stopped PYLON_GUARDED_BY(stop_mu) = false;
  // Set before stop() closes the connections: a connection accepted around then is dropped rather
  // than served by a loop whose sessions were already closed.
  std::atomic<bool> stopping{false};
  // Each followed subnet's store and this server's listener on it, which hands each published
  // snapshot to a worker to render and compress its bodies (SubnetContext::prepare_latest).
  std::vector<std::pair<follower::SnapshotStore*, follower::SnapshotStore::ListenerId>> prepare_listeners;

  static std::vector<std::unique_ptr<IoLoop>> make_loops(std::size_t n) {
    std::vector<std::unique_ptr<IoLoop>> v;
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) v.push_back(std::make_unique<IoLoop>());
    return v;
  }

  explicit Impl(RestOptions o)
      : options(std::move(o)),
        loops(make_loops(options.io_threads)),
        workers(std::max<std::size_t>(options.workers, 1)),
        acceptor(loops[0]->ioc),
        retry(loops[0]->ioc) {}

  void accept() {
    // The new connection's socket belongs to the loop that will serve it.
    IoLoop& loop = *loops[next_loop];
    next_loop = (next_loop + 1) % loops.size();
    acceptor.async_accept(loop.ioc, [this, &loop](boost::system::error_code ec, tcp::socket socket) {
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
      asio::post(loop.ioc,
                 [this, &loop, socket = std::move(socket)]() mutable { serve(loop, std::move(socket)); });
      accept();
    });
  }

  // On `loop`'s thread.
  void serve(IoLoop& loop, tcp::socket socket) {
    if (stopping) return;  // the socket closes as it goes
    SessionHooks hooks{[g = loop.gate](Task t) { g->post(std::move(t)); },
                       [&loop](Session* s) { loop.sessions.erase(s); }};
    auto s = std::make_shared<Session>(std::move(socket), options, *api, std::move(hooks));
    loop.sessions.emplace(s.get(), s);
    s->start();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::start(RestOptions options, RestDeps deps) {
  // sendfile(2) has no MSG_NOSIGNAL: a client that goes away while a /metagraph leaves would raise
  // SIGPIPE, whose default action ends the process. Ignore it unless the program chose otherwise.
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL)
    ::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>(std::move(options));
  Impl& i = *impl;
  i.long_polls = std::make_unique<LongPolls>(i.loops[0]->ioc, deps.snapshots, i.options.max_long_polls);
  // A worker's continuation may run on any loop (the Api's caches are shared under their lock);
  // the answer itself goes back through the session's own loop.
  i.api = std::make_unique<Api>(
      i.options, std::move(deps), i.metrics, [g = i.loops[0]->gate](Task t) { g->post(std::move(t)); },
      [&i](Task t) { asio::post(i.workers, std::move(t)); }, i.long_polls.get());

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

  // From here on stop() runs (the destructor), so the listener is always taken off the store.
  // Posted, not run on the follower's thread: compressing takes tens of milliseconds.
  for (SubnetContext* sub : i.api->followed_subnets()) {
    const auto id = sub->snapshots().subscribe(
        [&i, sub](const follower::SnapshotPtr&) { asio::post(i.workers, [sub] { sub->prepare_latest(); }); });
    i.prepare_listeners.emplace_back(&sub->snapshots(), id);
    asio::post(i.workers, [sub] { sub->prepare_latest(); });  // a snapshot published before the start
  }
  i.accept();
  for (auto& loop : i.loops) loop->thread = std::thread([l = loop.get()] { l->run(); });
  log::info("rest", "listening",
            {{"address", host},
             {"port", std::to_string(i.acceptor.local_endpoint().port())},
             {"io_threads", std::to_string(i.loops.size())}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

bool Server::wait_prepared(std::uint64_t block, std::chrono::milliseconds timeout) const {
  return impl_->api->wait_prepared(block, timeout);
}

bool Server::wait_prepared(std::uint16_t netuid, std::uint64_t block, std::chrono::milliseconds timeout) const {
  SubnetContext* sub = impl_->api->followed(netuid);
  return sub != nullptr && sub->wait_prepared(block, timeout);
}

std::size_t Server::long_polls_parked() const {
  return impl_->long_polls->parked();
}

std::uint16_t Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() {
  if (!impl_) return;
  Lock lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  Impl& i = *impl_;
  i.stopping = true;
  // Each returns once a running listener is done: no new prepare is posted after this.
  for (auto& [store, id] : i.prepare_listeners) store->unsubscribe(id);
  i.prepare_listeners.clear();
  i.long_polls->stop();  // no new parks, no more wakes; the parked ones go with their connections
  // Close the listener, then every connection on its own loop, and wait (briefly) for that.
  std::vector<std::future<void>> closed;
  auto on_loop = [&](IoLoop& loop, std::function<void()> f) {
    auto done = std::make_shared<std::promise<void>>();
    closed.push_back(done->get_future());
    asio::post(loop.ioc, [f = std::move(f), done] {
      f();
      done->set_value();
    });
  };
  on_loop(*i.loops[0], [&i] {
    boost::system::error_code ec;
    i.acceptor.close(ec);
    i.retry.cancel();
    i.long_polls->drop_all();
  });
  for (auto& l : i.loops)
    on_loop(*l, [loop = l.get()] {
      auto sessions = loop->sessions;  // close() erases from the map
      for (auto& [p, s] : sessions) s->close();
    });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (auto& f : closed) f.wait_until(deadline);
  for (auto& l : i.loops) l->gate->close();
  // Blocking work still running finishes (its answer is dropped); queued work is abandoned, and
  // work waiting to retry gives up at once.
  i.api->stop();
  i.workers.stop();
  i.workers.join();
  for (auto& l : i.loops) {
    l->ioc.stop();
    if (l->thread.joinable()) l->thread.join();
  }
  for (auto& l : i.loops) l->sessions.clear();
}

}  // namespace pylon::rest

// The accept side the in-test WebSocket servers share (FakeWsServer, TlsWsServer): a listener on
// 127.0.0.1 at an ephemeral port and one I/O thread; each accepted socket is handed, with its
// 1-based connection number, to the owner's session coroutine.
//
// Make it the owner's last member: it is then built after everything its sessions use, and gone
// (thread joined, pending session frames destroyed with the io_context) before any of that is.
#pragma once

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <thread>

namespace pylon::net::testing {

class LoopbackListener {
 public:
  using Session = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket, int connection)>;

  explicit LoopbackListener(Session session) : session_(std::move(session)) {
    namespace asio = boost::asio;
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoopbackListener() {
    io_.stop();
    thread_.join();
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      const int n = ++connections_;
      boost::asio::co_spawn(io_, session_(std::move(socket), n), boost::asio::detached);
    }
  }

  Session session_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace pylon::net::testing

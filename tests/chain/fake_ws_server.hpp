// A tiny loopback WebSocket server for fault tests: it answers each request with whatever the test's
// handler says, including garbage, oversized frames, wrong ids, close frames, dropped sockets and
// silence. It can also be a TCP listener that never speaks, or one that answers with raw bytes.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "loopback_listener.hpp"

namespace pylon::net::testing {

struct FakeReply {
  enum class After { kKeep, kDrop, kCloseFrame, kHang };
  std::vector<std::string> frames;  // sent in order
  After after = After::kKeep;
  std::uint16_t close_code = 1000;
};

class FakeWsServer {
 public:
  enum class Mode { kWebSocket, kSilentTcp, kRawReply };
  // (request text, 1-based connection number) -> reply. Runs on the server's thread.
  using Handler = std::function<FakeReply(const std::string& request, int connection)>;

  explicit FakeWsServer(Handler handler, Mode mode = Mode::kWebSocket, std::string raw = "")
      : handler_(std::move(handler)), mode_(mode), raw_(std::move(raw)) {}

  int port() const { return listener_.port(); }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()); }
  int connections() const { return listener_.connections(); }
  void set_handler(Handler h) {
    std::lock_guard lock(mu_);
    handler_ = std::move(h);
  }

  static std::string id_of(const std::string& request) {
    static const std::regex re("\"id\":([0-9]+)");
    std::smatch m;
    return std::regex_search(request, m, re) ? m[1].str() : "null";
  }
  static std::string method_of(const std::string& request) {
    static const std::regex re("\"method\":\"([^\"]*)\"");
    std::smatch m;
    return std::regex_search(request, m, re) ? m[1].str() : "";
  }
  static std::string result(const std::string& request, const std::string& result_json) {
    return R"({"jsonrpc":"2.0","id":)" + id_of(request) + R"(,"result":)" + result_json + "}";
  }

 private:
  using Awaitable = boost::asio::awaitable<void>;

  Awaitable hang() {
    boost::asio::steady_timer t(listener_.io(), std::chrono::hours(1));
    co_await t.async_wait(boost::asio::use_awaitable);
  }

  Awaitable session(boost::asio::ip::tcp::socket socket, int n) {
    namespace beast = boost::beast;
    using boost::asio::use_awaitable;
    try {
      if (mode_ == Mode::kSilentTcp) co_await hang();
      if (mode_ == Mode::kRawReply) {
        co_await boost::asio::async_write(socket, boost::asio::buffer(raw_), use_awaitable);
        co_return;
      }
      beast::websocket::stream<beast::tcp_stream> ws(std::move(socket));
      co_await ws.async_accept(use_awaitable);
      for (;;) {
        beast::flat_buffer buf;
        co_await ws.async_read(buf, use_awaitable);
        FakeReply reply;
        {
          std::lock_guard lock(mu_);
          reply = handler_(beast::buffers_to_string(buf.data()), n);
        }
        for (const auto& f : reply.frames) {
          ws.text(true);
          co_await ws.async_write(boost::asio::buffer(f), use_awaitable);
        }
        switch (reply.after) {
          case FakeReply::After::kKeep:
            break;
          case FakeReply::After::kDrop:
            beast::get_lowest_layer(ws).socket().close();
            co_return;
          case FakeReply::After::kCloseFrame:
            co_await ws.async_close(
                beast::websocket::close_reason(static_cast<beast::websocket::close_code>(reply.close_code),
                                               "test says goodbye"),
                use_awaitable);
            co_return;
          case FakeReply::After::kHang:
            co_await hang();  // stops reading: pings go unanswered
            co_return;
        }
      }
    } catch (const std::exception&) {
      // The client went away or the test stopped the server: that is what these tests provoke.
    }
  }

  std::mutex mu_;
  Handler handler_;
  Mode mode_;
  std::string raw_;
  LoopbackListener listener_{
      [this](boost::asio::ip::tcp::socket s, int n) { return session(std::move(s), n); }};
};

}  // namespace pylon::net::testing

// A loopback wss:// JSON-RPC server for the TLS tests: Beast's WebSocket over an Asio SSL stream
// with the certificate the test gives it. Each request is answered by the test's handler (frames
// sent in order, so a subscription answer can be followed by its notifications). It records what
// the tests check: the SNI name each client sent, how many TLS handshakes failed, how many
// requests arrived.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "loopback_listener.hpp"
#include "test_certs.hpp"

namespace pylon::net::testing {

class TlsWsServer {
 public:
  // request text -> frames to send back.
  using Handler = std::function<std::vector<std::string>(const std::string& request)>;

  TlsWsServer(const Pem& identity, Handler handler)
      : handler_(std::move(handler)), ssl_(server_context(identity)) {}

  std::string url(const std::string& host) const {
    return "wss://" + host + ":" + std::to_string(listener_.port()) + "/";
  }
  int handshakes_ok() const { return handshakes_ok_.load(); }
  int handshakes_failed() const { return handshakes_failed_.load(); }
  int requests() const { return requests_.load(); }
  // The SNI host name of each completed handshake, in order ("" when the client sent none).
  std::vector<std::string> sni_names() const {
    std::lock_guard lock(mu_);
    return sni_;
  }

 private:
  using Awaitable = boost::asio::awaitable<void>;

  // Made before the listener starts (a member initialiser), so no session sees it half set up.
  static boost::asio::ssl::context server_context(const Pem& identity) {
    namespace asio = boost::asio;
    asio::ssl::context ssl(asio::ssl::context::tls_server);
    ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3);
    ssl.use_certificate_chain(asio::buffer(identity.cert));
    ssl.use_private_key(asio::buffer(identity.key), asio::ssl::context::pem);
    return ssl;
  }

  Awaitable session(boost::asio::ip::tcp::socket socket) {
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    using asio::use_awaitable;
    beast::websocket::stream<asio::ssl::stream<beast::tcp_stream>> ws(beast::tcp_stream(std::move(socket)),
                                                                      ssl_);
    auto [hs_ec] = co_await ws.next_layer().async_handshake(asio::ssl::stream_base::server,
                                                            asio::as_tuple(use_awaitable));
    if (hs_ec) {
      ++handshakes_failed_;  // the client refused our certificate (or we refused the client)
      co_return;
    }
    ++handshakes_ok_;
    {
      const char* sni = SSL_get_servername(ws.next_layer().native_handle(), TLSEXT_NAMETYPE_host_name);
      std::lock_guard lock(mu_);
      sni_.push_back(sni ? sni : "");
    }
    try {
      co_await ws.async_accept(use_awaitable);
      for (;;) {
        beast::flat_buffer buf;
        co_await ws.async_read(buf, use_awaitable);
        ++requests_;
        std::vector<std::string> frames;
        {
          std::lock_guard lock(mu_);
          frames = handler_(beast::buffers_to_string(buf.data()));
        }
        for (const auto& f : frames) {
          ws.text(true);
          co_await ws.async_write(asio::buffer(f), use_awaitable);
        }
      }
    } catch (const std::exception&) {
      // The client closed the connection or the test stopped the server.
    }
  }

  mutable std::mutex mu_;
  Handler handler_;
  std::vector<std::string> sni_;
  boost::asio::ssl::context ssl_;
  std::atomic<int> handshakes_ok_{0}, handshakes_failed_{0}, requests_{0};
  LoopbackListener listener_{[this](boost::asio::ip::tcp::socket s, int) { return session(std::move(s)); }};
};

}  // namespace pylon::net::testing

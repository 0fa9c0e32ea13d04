#include "net/ws_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <type_traits>

namespace pylon::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using PlainStream = websocket::stream<beast::tcp_stream>;
// asio::ssl::stream rather than beast::ssl_stream: with Boost 1.81, clang finds beast::ssl_stream's
// async_teardown ambiguous (friend declaration vs. definition).
using TlsStream = websocket::stream<asio::ssl::stream<beast::tcp_stream>>;

template <class Stream>
class WsConnectionImpl final : public WsConnection,
                               public std::enable_shared_from_this<WsConnectionImpl<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  WsConnectionImpl(Strand strand, asio::ssl::context* ssl_context, EndpointUrl url,
                   WsConnectionOptions options)
      : strand_(strand),
        url_(std::move(url)),
        options_(options),
        resolver_(strand),
        deadline_(strand),
        ws_(make_stream(strand, ssl_context)) {}

  void start(Handlers handlers) override {
    handlers_ = std::move(handlers);
    deadline_.expires_after(options_.connect_timeout);
    deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->open_ || self->closed_) return;
      self->finish(Error{self->where() + "connect timed out after " +
                         std::to_string(self->options_.connect_timeout.count()) + " ms"});
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          self->on_resolved(ec, std::move(r));
        });
  }

  void send(std::string text) override {
    if (closed_ || closing_) return;
    queue_.push_back(std::move(text));
    if (open_ && !writing_) write_next();
  }

  void close() override {
    if (closed_) return;
    if (!open_) return finish(Error{where() + "closed by client"});
    if (closing_) return;
    closing_ = true;
    drop_unsent();
    // A close frame is a write: it must wait for a write in flight (Beast allows one at a time).
    if (!writing_) send_close();
  }

  void abort(Error reason) override { finish(std::move(reason)); }

 private:
  static Stream make_stream(Strand strand, asio::ssl::context* ssl_context) {
    if constexpr (kTls) {
      return Stream(strand, *ssl_context);
    } else {
      (void)ssl_context;
      return Stream(strand);
    }
  }

  std::string where() const { return url_.str() + ": "; }

  bool failed(beast::error_code ec, std::string_view step) {
    if (!ec) return false;
    if (closed_) return true;
    if (ec == websocket::error::message_too_big || ec == beast::http::error::buffer_overflow) {
      finish(Error{where() + "incoming message larger than the " +
                   std::to_string(options_.max_message_bytes) + "-byte limit"});
    } else if (ec == websocket::error::closed) {
      const auto& r = ws_.reason();
      finish(Error{where() + "closed by server (code " + std::to_string(r.code) +
                   (r.reason.empty() ? "" : ", " + std::string(r.reason.c_str())) + ")"});
    } else if (ec == beast::error::timeout) {
      finish(Error{where() + std::string(step) + ": timed out (no traffic, peer unresponsive)"});
    } else {
      finish(Error{where() + std::string(step) + " failed: " + ec.message()});
    }
    return true;
  }

  void on_resolved(beast::error_code ec, tcp::resolver::results_type results) {
    if (failed(ec, "resolve")) return;
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = this->shared_from_this()](beast::error_code ec2, const tcp::endpoint&) {
          self->on_connected(ec2);
        });
  }

  void on_connected(beast::error_code ec) {
    if (failed(ec, "connect")) return;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls) {
      if (auto st = setup_tls_verification(); !st.ok()) return finish(std::move(st).error());
      ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                       [self = this->shared_from_this()](beast::error_code ec2) {
                                         if (ec2 && !self->closed_) return self->tls_failed(ec2);
                                         if (self->failed(ec2, "TLS handshake")) return;
                                         self->ws_handshake();
                                       });
    } else {
      ws_handshake();
    }
  }

  // The peer's certificate must chain to a trusted CA (set up in the context: verify_peer) and
  // name the host we asked for. OpenSSL checks the name itself (SSL_set1_host, or the IP address for
  // literals) so that a mismatch is reported as such by the verify result. SNI carries host names
  // only: RFC 6066 forbids IP literals in it.
  Status setup_tls_verification() {
    SSL* ssl = ws_.next_layer().native_handle();
    beast::error_code ec;
    asio::ip::make_address(url_.host, ec);
    const bool ip_literal = !ec;
    if (ip_literal) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str()) != 1)
        return Error{where() + "TLS: cannot set the IP address to verify"};
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (SSL_set1_host(ssl, url_.host.c_str()) != 1)
        return Error{where() + "TLS: cannot set the host name to verify"};
      if (!SSL_set_tlsext_host_name(ssl, url_.host.c_str()))
        return Error{where() + "TLS: cannot set SNI host name"};
    }
    return {};
  }

  // A refused certificate says why (unknown issuer, expired, wrong name), not just "verify failed".
  void tls_failed(beast::error_code ec) {
    const long verify = SSL_get_verify_result(ws_.next_layer().native_handle());
    if (verify != X509_V_OK) {
      return finish(Error{where() + "TLS handshake failed: the server's certificate was refused: " +
                          X509_verify_cert_error_string(verify) +
                          " (trusted: the system CA store, or SSL_CERT_FILE / SSL_CERT_DIR, and the "
                          "client's tls_ca_file)"});
    }
    failed(ec, "TLS handshake");
  }

  void ws_handshake() {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = options_.connect_timeout;
    t.idle_timeout =
        options_.idle_timeout.count() > 0
            ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.idle_timeout)
            : websocket::stream_base::none();
    t.keep_alive_pings = options_.idle_timeout.count() > 0;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "pylon"); }));
    ws_.read_message_max(options_.max_message_bytes);
    ws_.async_handshake(url_.host_header(), url_.target,
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (self->failed(ec, "WebSocket handshake")) return;
                          self->on_open();
                        });
  }

  void on_open() {
    if (closed_) return;
    open_ = true;
    deadline_.cancel();
    ws_.text(true);
    if (handlers_.on_open) handlers_.on_open();
    if (closed_) return;
    read_next();
    if (!queue_.empty() && !writing_) write_next();
  }

  void read_next() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->failed(ec, "read")) return;
      const auto data = self->buffer_.cdata();
      if (self->handlers_.on_message && !self->closed_) {
        self->handlers_.on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
      self->buffer_.consume(self->buffer_.size());
      if (!self->closed_) self->read_next();
    });
  }

  // The message being written must stay alive until its write completes.
  void drop_unsent() {
    queue_.erase(writing_ && !queue_.empty() ? queue_.begin() + 1 : queue_.begin(), queue_.end());
  }

  void send_close() {
    ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](beast::error_code) {
      self->finish(Error{self->where() + "closed by client"});
    });
  }

  void write_next() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (self->failed(ec, "write")) return;
                      if (self->closing_) return self->send_close();
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  void finish(Error reason) {
    if (closed_) return;
    closed_ = true;
    deadline_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    drop_unsent();
    // on_message may be running right now (abort from inside it): leave the other handlers in
    // place; closed_ keeps them from being called again.
    auto on_close = std::move(handlers_.on_close);
    if (on_close) {
      asio::post(strand_, [on_close = std::move(on_close), reason = std::move(reason)]() mutable {
        on_close(std::move(reason));
      });
    }
  }

  Strand strand_;
  EndpointUrl url_;
  WsConnectionOptions options_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  Stream ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  Handlers handlers_;
  bool open_ = false, writing_ = false, closing_ = false, closed_ = false;
};

}  // namespace

std::shared_ptr<WsConnection> make_ws_connection(Strand strand, asio::ssl::context* ssl_context,
                                                 EndpointUrl url, WsConnectionOptions options) {
  if (url.tls) {
    return std::make_shared<WsConnectionImpl<TlsStream>>(strand, ssl_context, std::move(url), options);
  }
  return std::make_shared<WsConnectionImpl<PlainStream>>(strand, ssl_context, std::move(url), options);
}

}  // namespace pylon::net

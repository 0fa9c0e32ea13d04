// One WebSocket connection (ws:// or wss://) to one endpoint: connect with a deadline, a write
// queue (Beast allows one write in flight), a read loop with a bounded message size, and exactly
// one on_close with a readable reason. All members must be called on the given strand; callbacks
// run on it too.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "net/endpoint_url.hpp"
#include "net/net_context.hpp"

namespace pylon::net {

struct WsConnectionOptions {
  std::size_t max_message_bytes = 64u << 20;
  // Resolve + TCP connect + TLS handshake + WebSocket handshake together.
  std::chrono::milliseconds connect_timeout{10'000};
  // With no traffic for half of this a ping is sent; with none for all of it the connection is
  // treated as dead. Zero disables it.
  std::chrono::milliseconds idle_timeout{30'000};
};

class WsConnection {
 public:
  struct Handlers {
    std::function<void()> on_open;
    // The view is valid during the call only.
    std::function<void(std::string_view text)> on_message;
    // Called once (posted, never from inside another call), after which no handler runs again.
    std::function<void(Error reason)> on_close;
  };

  virtual ~WsConnection() = default;
  virtual void start(Handlers handlers) = 0;
  // Queued; sent in order once open. Ignored after close.
  virtual void send(std::string text) = 0;
  // Polite close (WebSocket close frame); on_close gets "closed by client".
  virtual void close() = 0;
  // Immediate close for a protocol violation; on_close gets the reason.
  virtual void abort(Error reason) = 0;
};

// ssl_context is used for wss:// only and must outlive the connection.
std::shared_ptr<WsConnection> make_ws_connection(Strand strand, boost::asio::ssl::context* ssl_context,
                                                 EndpointUrl url, WsConnectionOptions options);

}  // namespace pylon::net

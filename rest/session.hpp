// One HTTP/1.1 connection: reads a request (its head first by rest/request_head.hpp's strict reader,
// which refuses ambiguous framing; then Beast's parser, with header and body limits, which must
// frame the body the same way), hands it to the Api, writes the answer, and goes on while the
// client keeps the connection alive.
// Pipelined requests wait in the read buffer and are answered in order. A connection idle longer
// than the idle timeout, or whose request or response takes longer than its timeout, is closed.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "rest/accept_encoding.hpp"
#include "rest/api.hpp"
#include "rest/request_head.hpp"

namespace pylon::rest {

class Session;

// What a session needs from its server: a way back onto the I/O thread that is safe to call from
// any thread even after the server stopped (it then drops the task), and the notice that the
// session closed (the server drops its reference).
struct SessionHooks {
  std::function<void(Task)> post;
  std::function<void(Session*)> closed;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket socket, const RestOptions& options, Api& api, SessionHooks hooks);
  ~Session();
  void start();

 private:
  void wait_for_request();
  void read_request();
  // Reads until the head is complete in buffer_ and read_request_head accepts it.
  void read_head();
  void refuse_head(const Error& e);
  void on_header();
  void read_body();
  void on_read_error(const boost::beast::error_code& ec);
  // The request line and headers as the Api sees them (body not included).
  Request request_head() const;
  void on_request();
  // `accept`: the request's Accept-Encoding, which picks the form of a compressed body.
  void write(Response r, bool keep_alive, bool head, AcceptEncoding accept = {});
  // After the headers: the file body with sendfile, waiting for writability in between.
  void send_file(std::size_t offset, bool keep_alive);
  void after_write(const boost::beast::error_code& ec, bool keep_alive);
  void fail_and_close(unsigned status, std::string_view code, std::string_view detail);

 public:
  void close();

 private:
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  const RestOptions& options_;
  Api& api_;
  SessionHooks hooks_;
  bool loopback_ = false;
  // The head of the request being read, as read_request_head framed it, and how far the search
  // for its end got.
  RequestHead framing_{};
  std::size_t head_searched_ = 0;
  bool closed_ = false;
  unsigned version_ = 11;
  Route route_ = Route::unknown;
  std::chrono::steady_clock::time_point started_{};
  // The response being written: headers text and the shared body stay alive until it is sent.
  std::string head_;
  std::shared_ptr<const std::string> body_;
  std::shared_ptr<const FileBody> file_;
  // The write deadline of a sendfile response (tcp_stream's own timer covers only its operations).
  boost::asio::steady_timer file_deadline_;
};

}  // namespace pylon::rest

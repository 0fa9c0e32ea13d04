#include "rest/session.hpp"

#include <sys/sendfile.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <cerrno>

#include "rest/compress.hpp"

namespace pylon::rest {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

namespace {

bool is_loopback(const asio::ip::address& a) {
  if (a.is_loopback()) return true;
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
  return false;
}

Method to_method(http::verb v) {
  switch (v) {
    case http::verb::get:
      return Method::get;
    case http::verb::put:
      return Method::put;
    case http::verb::post:
      return Method::post;
    case http::verb::head:
      return Method::head;
    default:
      return Method::other;
  }
}

// Every Accept-Encoding line of the request as one list (RFC 9110 §5.3 lets a list be split over
// several lines).
AcceptEncoding accept_encoding_of(const http::request<http::string_body>& msg) {
  auto [from, to] = msg.equal_range(http::field::accept_encoding);
  if (from == to) return {};
  if (std::next(from) == to)
    return parse_accept_encoding(std::string_view(from->value().data(), from->value().size()));
  std::string joined;
  for (auto it = from; it != to; ++it) {
    if (!joined.empty()) joined += ',';
    joined.append(it->value().data(), it->value().size());
  }
  return parse_accept_encoding(joined);
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, const RestOptions& options, Api& api, SessionHooks hooks)
    : stream_(std::move(socket)),
      options_(options),
      api_(api),
      hooks_(std::move(hooks)),
      file_deadline_(stream_.get_executor()) {
  api_.metrics().connection_opened();
}

Session::~Session() {
  api_.metrics().connection_closed();
}

void Session::start() {
  beast::error_code ec;
  auto peer = stream_.socket().remote_endpoint(ec);
  loopback_ = !ec && is_loopback(peer.address());
  wait_for_request();
}

void Session::wait_for_request() {
  if (closed_) return;
  if (buffer_.size() > 0) return read_request();  // a pipelined request is already here
  // Between requests only the idle timeout applies; once bytes arrive the request must be
  // complete within the read timeout.
  stream_.expires_after(options_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->buffer_.commit(n);
                            self->read_request();
                          });
}

void Session::read_request() {
  stream_.expires_after(options_.read_timeout);
  head_searched_ = 0;
  read_head();
}

void Session::read_head() {
  if (closed_) return;
  const auto data = buffer_.data();
  const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  auto head = read_request_head(bytes, options_.header_limit, head_searched_);
  if (!head.ok()) return refuse_head(head.error());
  if (!*head) {
    head_searched_ = bytes.size();
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->on_read_error(ec);
                              self->buffer_.commit(n);
                              self->read_head();
                            });
    return;
  }
  framing_ = **head;
  parser_.emplace();
  parser_->body_limit(options_.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
  // The head is all in buffer_ now; the head first, so `Expect: 100-continue` can be answered
  // before the body is sent.
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return self->on_read_error(ec);
                            self->on_header();
                          });
}

void Session::refuse_head(const Error& e) {
  const auto kind = e.kind_of<HeadErrc>();
  if (!kind) return fail_and_close(400, code::bad_request, e.message);
  switch (*kind) {
    case HeadErrc::kTooLarge:
      return fail_and_close(431, code::bad_request, e.message);
    case HeadErrc::kMalformed:
      return fail_and_close(400, code::bad_request, "malformed HTTP request: " + e.message);
    case HeadErrc::kFraming:
      return fail_and_close(400, code::bad_request, "ambiguous HTTP request framing: " + e.message);
  }
}

void Session::on_header() {
  // Beast must frame the body as the strict reader did; if it does not, the two readers disagree
  // and so might a proxy in front: refuse rather than pick one.
  const auto length = parser_->content_length();
  if (!same_framing(framing_, parser_->chunked(), length.has_value(), length.value_or(0)))
    return fail_and_close(400, code::bad_request, "ambiguous HTTP request framing");
  if (parser_->is_done()) return on_request();  // no body
  const auto& msg = parser_->get();
  const auto expect = msg[http::field::expect];
  if (msg.version() < 11 || !beast::iequals(expect, "100-continue")) return read_body();
  // The client waits for our word before it sends the body (curl does for bodies over 1 KiB).
  // A request that would be refused anyway gets its answer now, and the connection is closed
  // after it, since the client may send the body regardless.
  Request head = request_head();
  if (auto refused = api_.precheck(head)) {
    started_ = std::chrono::steady_clock::now();
    route_ = Route::unknown;
    version_ = msg.version();
    return write(std::move(*refused), false, false);
  }
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->close();
                      self->stream_.expires_after(self->options_.read_timeout);
                      self->read_body();
                    });
}

void Session::read_body() {
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) return self->on_read_error(ec);
                     self->on_request();
                   });
}

void Session::on_read_error(const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    api_.metrics().timed_out();
    return close();
  }
  if (ec == http::error::body_limit)
    return fail_and_close(413, code::payload_too_large,
                          "the body is over the limit of " + std::to_string(options_.body_limit) + " bytes");
  if (ec == http::error::header_limit)
    return fail_and_close(431, code::bad_request, "the request headers are too large");
  if (ec != http::error::end_of_stream && is_parse_error(ec))
    return fail_and_close(400, code::bad_request, "malformed HTTP request: " + ec.message());
  close();
}

Request Session::request_head() const {
  const auto& msg = parser_->get();
  Request req;
  req.method = to_method(msg.method());
  const std::string_view target(msg.target().data(), msg.target().size());
  const auto q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string_view::npos) req.query = target.substr(q + 1);
  const auto auth = msg[http::field::authorization];
  req.authorization = std::string_view(auth.data(), auth.size());
  req.has_authorization = msg.find(http::field::authorization) != msg.end();
  if (auto t = msg.find("X-Pylon-Timeout"); t != msg.end())
    req.pylon_timeout = std::string_view(t->value().data(), t->value().size());
  req.from_loopback = loopback_;
  return req;
}

void Session::on_request() {
  started_ = std::chrono::steady_clock::now();
  const auto& msg = parser_->get();
  Request req = request_head();
  req.body = msg.body();
  const bool keep_alive = msg.keep_alive();
  const bool head = req.method == Method::head;
  const AcceptEncoding accept = accept_encoding_of(msg);
  version_ = msg.version();
  route_ = match_route(req.method, req.path).route;

  // The answer comes back on the I/O thread, inline when the handler answers at once. The
  // session is held weakly: a reply arriving after the server stopped finds nothing to write to.
  std::weak_ptr<Session> weak = shared_from_this();
  api_.handle(req, [weak, post = hooks_.post, keep_alive, head, accept](Response r) {
    post([weak, r = std::move(r), keep_alive, head, accept]() mutable {
      if (auto self = weak.lock()) self->write(std::move(r), keep_alive, head, accept);
    });
  });
}

void Session::write(Response r, bool keep_alive, bool head, AcceptEncoding accept) {
  if (closed_) return;
  api_.metrics().count_request(route_, r.status, std::chrono::steady_clock::now() - started_);
  body_ = r.body;
  // A body kept compressed leaves in the form the request asks for: picking one is all the work
  // done here (the forms were made when the body was rendered). HEAD gets the same head, so its
  // Content-Length is that of the form a GET would get.
  Coding coding = Coding::identity;
  if (r.compressed && body_) {
    coding = choose_coding(accept, !r.compressed->gzip.empty(), !r.compressed->zstd.empty());
    if (coding != Coding::identity) {
      const std::string& form = coding == Coding::gzip ? r.compressed->gzip : r.compressed->zstd;
      // Aliasing: the chosen form lives as long as the whole CompressedBody does.
      body_ = std::shared_ptr<const std::string>(r.compressed, &form);
      r.file.reset();  // the file holds the identity bytes
    }
  }
  const std::size_t length = body_ ? body_->size() : 0;
  head_.clear();
  head_ += "HTTP/1.1 ";
  head_ += std::to_string(r.status);
  head_ += ' ';
  const auto reason = http::obsolete_reason(http::int_to_status(r.status));
  head_.append(reason.data(), reason.size());
  head_ += "\r\nServer: pylon\r\nContent-Type: ";
  head_ += r.content_type;
  head_ += "\r\nContent-Length: ";
  head_ += std::to_string(length);
  head_ += "\r\n";
  if (coding != Coding::identity) {
    head_ += "Content-Encoding: ";
    head_ += coding_token(coding);
    head_ += "\r\n";
  }
  if (r.compressed) head_ += "Vary: Accept-Encoding\r\n";  // caches must key on it, identity too
  if (!keep_alive)
    head_ += "Connection: close\r\n";
  else if (version_ < 11)
    head_ += "Connection: keep-alive\r\n";
  head_ += r.extra_headers;
  head_ += "\r\n";
  stream_.expires_after(options_.write_timeout);
  if (r.file && !head) {
    file_ = std::move(r.file);
    body_.reset();
    asio::async_write(
        stream_, asio::buffer(head_),
        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->after_write(ec, keep_alive);
          self->file_deadline_.expires_after(self->options_.write_timeout);
          self->file_deadline_.async_wait([weak = std::weak_ptr<Session>(self)](beast::error_code e) {
            auto s = weak.lock();
            if (!e && s && s->file_) {
              s->api_.metrics().timed_out();
              s->close();
            }
          });
          self->send_file(0, keep_alive);
        });
    return;
  }
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                            head || !body_ ? asio::const_buffer() : asio::buffer(*body_)};
  asio::async_write(stream_, buffers,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->after_write(ec, keep_alive);
                    });
}

void Session::send_file(std::size_t offset, bool keep_alive) {
  if (closed_) return;
  auto& sock = stream_.socket();
  beast::error_code ec;
  sock.native_non_blocking(true, ec);  // sendfile below must never block the I/O thread
  while (!ec && offset < file_->size) {
    off_t off = static_cast<off_t>(offset);
    const ssize_t n = ::sendfile(sock.native_handle(), file_->fd, &off, file_->size - offset);
    if (n > 0) {
      offset += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      sock.async_wait(asio::ip::tcp::socket::wait_write,
                      [self = shared_from_this(), offset, keep_alive](beast::error_code e) {
                        if (e) return self->after_write(e, keep_alive);
                        self->send_file(offset, keep_alive);
                      });
      return;
    }
    ec = beast::error_code(n < 0 ? errno : EPIPE, boost::system::system_category());
  }
  file_deadline_.cancel();
  file_.reset();
  after_write(ec, keep_alive);
}

void Session::after_write(const beast::error_code& ec, bool keep_alive) {
  body_.reset();
  file_.reset();
  if (ec) {
    if (ec == beast::error::timeout) api_.metrics().timed_out();
    return close();
  }
  if (!keep_alive) return close();
  wait_for_request();
}

void Session::fail_and_close(unsigned status, std::string_view code, std::string_view detail) {
  started_ = std::chrono::steady_clock::now();
  route_ = Route::unknown;
  version_ = 11;
  write(error_response(status, code, detail), false, false);
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  file_deadline_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
  if (hooks_.closed) hooks_.closed(this);
}

}  // namespace pylon::rest

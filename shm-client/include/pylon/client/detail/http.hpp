// A minimal blocking HTTP/1.1 client (Boost.Beast) for pylon::Client's REST transport: plain
// http:// only, one keep-alive connection reopened when the server closed it, each request
// bounded by a deadline. The request runs as asynchronous operations on a private io_context so
// that the deadline also covers connect and reads (Beast's synchronous calls have none).
//
// Thread contract: one HttpConnection per thread (the Client's contract).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pylon/shm/result.hpp"

namespace pylon::client_detail {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// "http://host[:port][/base]" → parts; false for anything else.
struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string base;  // without the trailing '/'
};
inline bool parse_http_url(std::string_view url, HttpUrl& out) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.base = slash == std::string_view::npos ? std::string() : std::string(url.substr(slash));
  while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
  std::size_t colon = authority.rfind(':');
  if (!authority.empty() && authority.front() == '[') {  // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    out.host = std::string(authority.substr(1, close - 1));
    colon = close + 1 < authority.size() && authority[close + 1] == ':' ? close + 1 : std::string_view::npos;
  } else {
    out.host = std::string(authority.substr(0, colon));
  }
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    out.port = std::string(port);
  }
  return !out.host.empty();
}

class HttpConnection {
 public:
  HttpConnection(HttpUrl url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}

  // One request; the answer of any status, or Errc::not_found (cannot connect) / timeout /
  // os_error. A connection the server closed is reopened once.
  shm::ShmResult<HttpAnswer> request(boost::beast::http::verb method, const std::string& target,
                                     const std::string& body, std::chrono::nanoseconds timeout) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{method, url_.base + target, 11};
    req.set(http::field::host, url_.host);
    req.set(http::field::accept, "application/json");
    req.keep_alive(true);
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    if (!body.empty() || method == http::verb::put || method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream_.socket().is_open();
      boost::system::error_code ec;
      HttpAnswer answer;
      run(req, answer, ec, timeout);
      if (!ec) return answer;
      stream_.close();
      // A kept-alive connection the server had closed: one fresh try.
      if (reused && attempt == 0 && ec != boost::beast::error::timeout) continue;
      if (ec == boost::beast::error::timeout) {
        return shm::make_shm_error(shm::Errc::timeout, "%s %s: no answer in time",
                                   std::string(boost::beast::http::to_string(method)).c_str(),
                                   target.c_str());
      }
      return shm::make_shm_error(connected_ ? shm::Errc::os_error : shm::Errc::not_found, "%s %s:%s%s: %s",
                                 std::string(boost::beast::http::to_string(method)).c_str(),
                                 url_.host.c_str(), url_.port.c_str(), target.c_str(), ec.message().c_str());
    }
  }

 private:
  void run(const boost::beast::http::request<boost::beast::http::string_body>& req, HttpAnswer& answer,
           boost::system::error_code& result, std::chrono::nanoseconds timeout) {
    namespace http = boost::beast::http;
    connected_ = stream_.socket().is_open();
    stream_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout));
    buffer_.clear();
    parser_.emplace();
    parser_->body_limit(64u << 20);  // a 65536-neuron /metagraph is ~32 MB
    auto read = [&] {
      http::async_read(stream_, buffer_, *parser_, [&](boost::system::error_code ec, std::size_t) {
        result = ec;
        if (!ec) {
          answer.status = parser_->get().result_int();
          answer.body = std::move(parser_->get().body());
          if (!parser_->get().keep_alive()) stream_.close();
        }
      });
    };
    auto write = [&] {
      http::async_write(stream_, req, [&, read](boost::system::error_code ec, std::size_t) {
        if (ec) {
          result = ec;
        } else {
          read();
        }
      });
    };
    if (connected_) {
      write();
    } else {
      boost::asio::ip::tcp::resolver resolver(ioc_);
      boost::system::error_code ec;
      auto endpoints = resolver.resolve(url_.host, url_.port, ec);
      if (ec) {
        result = ec;
        return;
      }
      stream_.async_connect(endpoints, [&, write](boost::system::error_code ec2, const auto&) {
        if (ec2) {
          result = ec2;
        } else {
          connected_ = true;
          write();
        }
      });
    }
    ioc_.restart();
    ioc_.run();
  }

  HttpUrl url_;
  std::string token_;
  boost::asio::io_context ioc_{1};
  boost::beast::tcp_stream stream_{ioc_};
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  bool connected_ = false;
};

}  // namespace pylon::client_detail

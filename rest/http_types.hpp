// What a handler sees of a request and what it gives back. Bodies of answers rendered once per
// snapshot are shared (shared_ptr) so a 458 KB metagraph is never copied per response.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pylon::rest {

enum class Method : std::uint8_t { get, put, post, head, other };  // other last: see method_text

// The method as HTTP spells it ("GET"); "" for other.
std::string_view method_text(Method m);

struct Request {
  Method method = Method::other;
  std::string_view path;   // without the query
  std::string_view query;  // after '?', may be empty
  std::string_view body;
  std::string_view authorization;  // the Authorization header, may be empty
  bool has_authorization = false;   // whether the header was sent at all (v1: 401 texts differ)
  std::optional<std::string_view> pylon_timeout;  // X-Pylon-Timeout, when sent (v1 deadline)
  bool from_loopback = false;
};

struct CompressedBody;  // rest/compress.hpp

// A large body kept in an anonymous in-memory file so it can leave with sendfile(2): on loopback
// the kernel then copies it once (into the reader) instead of twice, as nginx serves static files.
struct FileBody {
  int fd = -1;
  std::size_t size = 0;
  FileBody() = default;
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  ~FileBody();
};
// null when the file cannot be made (the body is then written from memory).
std::shared_ptr<const FileBody> make_file_body(std::string_view bytes);

struct Response {
  unsigned status = 200;
  std::string_view content_type = "application/json";
  std::shared_ptr<const std::string> body;
  std::shared_ptr<const FileBody> file;  // when set: the same bytes as `body`, sent from the file
  // When set: `body` compressed, made when it was rendered. The session sends the form the
  // request's Accept-Encoding asks for (rest/accept_encoding.hpp), with `Vary: Accept-Encoding`.
  std::shared_ptr<const CompressedBody> compressed;
  std::string extra_headers;             // complete "Name: value\r\n" lines (WWW-Authenticate, Allow)
};

// Answers are delivered through this, exactly once, from any thread (the server posts them back
// to the connection's I/O thread).
using Reply = std::function<void(Response)>;

Response json_response(unsigned status, std::string body);
Response shared_response(unsigned status, std::shared_ptr<const std::string> body,
                         std::string_view content_type = "application/json");
// {"detail": detail, "error": code}.
Response error_response(unsigned status, std::string_view code, std::string_view detail);

// Whether a bearer token equals the expected one, in time that depends only on the expected
// token's length (the legacy and the v1 guards both compare with it).
bool token_matches(std::string_view given, std::string_view expected);

// 503: no snapshot has been published yet.
Response no_snapshot_response();

// Error codes used in answers (the "error" field).
namespace code {
inline constexpr std::string_view bad_request = "bad_request";
inline constexpr std::string_view unauthorized = "unauthorized";
inline constexpr std::string_view forbidden = "forbidden";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view method_not_allowed = "method_not_allowed";
inline constexpr std::string_view payload_too_large = "payload_too_large";
inline constexpr std::string_view timeout = "request_timeout";
inline constexpr std::string_view not_ready = "not_ready";
inline constexpr std::string_view unavailable = "unavailable";
inline constexpr std::string_view chain_error = "chain_error";
inline constexpr std::string_view internal = "internal";
}  // namespace code

}  // namespace pylon::rest

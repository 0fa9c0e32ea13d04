#include "rest/http_types.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "common/enum_names.hpp"
#include "common/json_writer.hpp"

namespace pylon::rest {

std::string_view method_text(Method m) {
  static constexpr auto kNames = enum_names<Method::get, Method::other>("GET", "PUT", "POST", "HEAD", "");
  return kNames(m, "");
}

FileBody::~FileBody() {
  if (fd >= 0) ::close(fd);
}

std::shared_ptr<const FileBody> make_file_body(std::string_view bytes) {
  auto f = std::make_shared<FileBody>();
  f->fd = ::memfd_create("pylon-rest-body", MFD_CLOEXEC);
  if (f->fd < 0) return nullptr;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(f->fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return nullptr;
    done += static_cast<std::size_t>(n);
  }
  f->size = bytes.size();
  return f;
}

Response json_response(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

Response shared_response(unsigned status, std::shared_ptr<const std::string> body,
                         std::string_view content_type) {
  Response r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  return r;
}

Response error_response(unsigned status, std::string_view code, std::string_view detail) {
  std::string out;
  out.reserve(detail.size() + code.size() + 32);
  out += "{\"detail\":";
  append_json_string(out, detail);
  out += ",\"error\":";
  append_json_string(out, code);
  out += '}';
  return json_response(status, std::move(out));
}

bool token_matches(std::string_view given, std::string_view expected) {
  std::size_t diff = given.size() ^ expected.size();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<std::size_t>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

Response no_snapshot_response() {
  return error_response(503, "not_ready", "no snapshot yet: the follower has not read a block");
}

}  // namespace pylon::rest

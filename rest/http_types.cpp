#include "rest/http_types.hpp"

#include "common/json_writer.hpp"

namespace pylon::rest {

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

Response no_snapshot_response() {
  return error_response(503, "not_ready", "no snapshot yet: the follower has not read a block");
}

}  // namespace pylon::rest

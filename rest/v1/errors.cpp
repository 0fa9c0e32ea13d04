#include "rest/v1/errors.hpp"

#include "common/json_writer.hpp"

namespace pylon::rest::v1 {

Response error(unsigned status, std::string_view detail) {
  JsonWriter w;
  w.begin_object();
  w.key("status_code");
  w.number(static_cast<std::uint64_t>(status));
  w.key("detail");
  w.string(detail);
  w.end_object();
  return json_response(status, w.take());
}

Response validation_error(std::string_view method, std::string_view path,
                          const std::vector<FieldError>& extra) {
  JsonWriter w;
  w.begin_object();
  w.key("status_code");
  w.number(std::uint64_t{400});
  w.key("detail");
  w.string("Validation failed for " + std::string(method) + " " + std::string(path));
  w.key("extra");
  w.begin_array();
  for (const auto& e : extra) {
    w.begin_object();
    w.key("key");
    w.string(e.key);
    w.key("message");
    w.string(e.message);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return json_response(400, w.take());
}

}  // namespace pylon::rest::v1

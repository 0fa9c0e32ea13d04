// The v1 error body (pylon-v1.md §4): {"status_code": <the HTTP status>, "detail": str}, and for
// validation failures (always 400, never 422) an "extra" list of {"key", "message"}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rest/http_types.hpp"

namespace pylon::rest::v1 {

Response error(unsigned status, std::string_view detail);

struct FieldError {
  std::string key;  // dotted field path, e.g. "weights.hk"
  std::string message;
};
// 400 `Validation failed for <METHOD> <path>` with the field errors in "extra".
Response validation_error(std::string_view method, std::string_view path,
                          const std::vector<FieldError>& extra);

}  // namespace pylon::rest::v1

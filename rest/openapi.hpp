// rest/openapi.json, embedded into the binary at build time (rest/CMakeLists.txt generates the
// definition), served at GET /schema/openapi.json.
#pragma once

#include <string_view>

namespace pylon::rest {

std::string_view openapi_json();

}  // namespace pylon::rest

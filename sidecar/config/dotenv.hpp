// .env files: KEY=VALUE lines, '#' comments, optional `export `, values optionally quoted
// ('single' taken literally, "double" with \n \" \\ escapes).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace pylon::config {

// Errors name the line; a missing file is an empty map, not an error.
Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text);
Result<std::map<std::string, std::string>> read_dotenv_file(const std::string& path);

}  // namespace pylon::config

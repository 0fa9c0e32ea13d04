// .env files: KEY=VALUE lines, '#' comments, optional `export `, values optionally quoted
// ('single' taken literally, "double" with \n \" \\ escapes).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace pylon::config {

// Errors name the line (files are read by gather_env in config.hpp).
Result<std::map<std::string, std::string>> parse_dotenv(std::string_view text);

}  // namespace pylon::config

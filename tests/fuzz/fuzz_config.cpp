// Fuzzes the settings parser (config::load over an environment map): one KEY=VALUE per line of
// the input. Any map gives a Config or an error, never a crash or sanitizer report. The token file
// is left out: reading files is the keys module's, tested there.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  pylon::config::Env env;
  while (!in.empty()) {
    const std::string_view line = in.substr(0, in.find('\n'));
    in.remove_prefix(std::min(in.size(), line.size() + 1));
    const auto eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  env.erase("PYLON_AUTH_TOKEN_FILE");
  (void)pylon::config::load(env, "/home/fuzz");
  return 0;
}

// Fuzzes the .env parser (a file anyone with write access to the working folder controls): any
// input gives a map or an error naming the line, never a crash or sanitizer report, and every
// name it returns is a variable name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/dotenv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = pylon::config::parse_dotenv(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.ok())
    for (const auto& [k, v] : *r)
      if (k.empty() || k.find_first_of("= \t\r\n#") != std::string::npos) std::abort();
  return 0;
}

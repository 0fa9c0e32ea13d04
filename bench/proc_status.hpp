// What the kernel says of this process's memory, for the benchmarks that report RSS.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace pylon::bench {

// kB of a /proc/self/status line ("VmRSS", "VmHWM", "RssAnon", ...), or 0.
inline double status_kb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::strtod(line.c_str() + key.size() + 1, nullptr);
  return 0;
}

}  // namespace pylon::bench

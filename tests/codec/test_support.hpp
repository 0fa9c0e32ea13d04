// Helpers for codec tests: where the shared reference material and the oracle are.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pylon::test {

inline std::string shared_dir() {
  if (const char* e = std::getenv("PYLON_SHARED_DIR")) return e;
  return PYLON_SHARED_DIR_DEFAULT;
}

inline std::string shared_path(const std::string& rel) {
  return shared_dir() + "/" + rel;
}

inline bool have_shared(const std::string& rel) {
  return std::filesystem::exists(shared_path(rel));
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define PYLON_REQUIRE_SHARED(rel)                                                \
  do {                                                                           \
    if (!::pylon::test::have_shared(rel))                                        \
      GTEST_SKIP() << "reference file " << ::pylon::test::shared_path(rel)       \
                   << " is absent (set PYLON_SHARED_DIR to the shared/ folder)"; \
  } while (0)

}  // namespace pylon::test

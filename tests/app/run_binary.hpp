// Runs a program with arguments (no shell) and collects its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace pylon::app::test {

struct Ran {
  int code = -1;  // exit code; -1 when it did not exit normally
  std::string out;
  std::string err;
};

Ran run_binary(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& env_overrides = {});

}  // namespace pylon::app::test

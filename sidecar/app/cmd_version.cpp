// `pylon version` (and `pylon --version`): what an operator quotes in a bug report, and what a
// package or image is checked with. The same facts are in /metrics as pylon_build_info.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "common/build_info.hpp"

namespace {

int version(std::span<char* const> args) {
  CLI::App app(
      "Print the version, the git commit it was built from and the runtime spec it was proven against.",
      "pylon version");
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  const auto& b = pylon::build_info();
  std::printf("pylon %.*s\ncommit %.*s\nruntime spec %u (the local chain's, tested end to end)\n",
              static_cast<int>(b.version.size()), b.version.data(), static_cast<int>(b.commit.size()),
              b.commit.data(), b.runtime_spec);
  return 0;
}

}  // namespace

PYLON_COMMAND("version", "print the version, git commit and the runtime spec it was proven against", version);

// build/pylon: the daemon's entry point. `pylon <command> [args]`; see `pylon help`.
#include <cstdio>
#include <span>
#include <string_view>

#include "app/command.hpp"

namespace {
int usage(FILE* out) {
  std::fprintf(out, "usage: pylon <command> [args...]\n\ncommands:\n");
  for (const auto& c : pylon::app::commands()) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  return out == stdout ? 0 : 2;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return usage(stdout);
  for (const auto& c : pylon::app::commands()) {
    if (c.name == name) return c.run(std::span<char* const>(argv + 2, static_cast<std::size_t>(argc - 2)));
  }
  std::fprintf(stderr, "pylon: unknown command '%s'\n", argv[1]);
  return usage(stderr);
}

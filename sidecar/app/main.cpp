// build/pylon: the daemon's entry point. `pylon <command> [options]`; see `pylon help`. Each
// command parses its own options (app/cli.hpp); `pylon --version` is `pylon version`.
#include <cstdio>
#include <span>
#include <string_view>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "common/find_by.hpp"

namespace {
int usage(FILE* out) {
  std::fprintf(out,
               "usage: pylon <command> [options]   (pylon <command> --help for its options)\n\ncommands:\n");
  for (const auto& c : pylon::app::commands()) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  return out == stdout ? pylon::app::kExitOk : pylon::app::kExitUsage;
}

const pylon::app::Command* find(std::string_view name) {
  return pylon::find_by(pylon::app::commands(), name, &pylon::app::Command::name);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") return usage(stdout);
  if (name == "--version" || name == "-V") name = "version";
  if (const auto* c = find(name))
    return c->run(std::span<char* const>(argv + 2, static_cast<std::size_t>(argc - 2)));
  std::fprintf(stderr, "pylon: unknown command '%s'\n", argv[1]);
  return usage(stderr);
}

// Subcommands of build/pylon. Each cmd_*.cpp file registers one with PYLON_COMMAND; main.cpp
// dispatches on argv[1].
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace pylon::app {

// args excludes the program and subcommand names. Returns the process exit code.
using CommandFn = int (*)(std::span<char* const> args);

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
};

const std::vector<Command>& commands();
bool register_command(Command c);

}  // namespace pylon::app

#define PYLON_COMMAND(name, summary, fn) \
  static const bool pylon_command_registered_##fn = ::pylon::app::register_command({name, summary, fn})

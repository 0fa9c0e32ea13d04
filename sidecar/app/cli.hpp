// Command-line parsing shared by the subcommands: each builds a CLI11 app of its options and
// hands it here, so every command refuses what it does not know the same way and answers --help.
#pragma once

#include <optional>
#include <span>

namespace CLI {
class App;
}

namespace pylon::app {

// Exit codes of every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command line was fine; the work failed
inline constexpr int kExitUsage = 2;   // the command line is wrong (unknown option, missing value...)

// Parses args (program and command names excluded) into app. nullopt: go on. Otherwise the exit
// code to return: kExitOk after --help (printed on stdout), kExitUsage after a usage error (one
// message naming the culprit, and where to find the options, on stderr). Unknown options are
// never ignored: a misspelled `--mortal` must not sign an immortal extrinsic.
std::optional<int> parse_args(CLI::App& app, std::span<char* const> args);

}  // namespace pylon::app

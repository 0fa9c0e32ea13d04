#include "app/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace pylon::app {
namespace {

// The name of the (sub)command the user reached, e.g. "pylon wallet show", for pointing at --help.
std::string reached(const CLI::App& app) {
  std::string name = app.get_name();
  const CLI::App* at = &app;
  for (;;) {
    auto subs = at->get_subcommands();
    if (subs.empty()) break;
    at = subs.front();
    name += " " + at->get_name();
  }
  return name;
}

int usage_error(const CLI::App& app, const std::string& message) {
  std::fprintf(stderr, "%s: %s\nrun '%s --help' for its options\n", app.get_name().c_str(), message.c_str(),
               reached(app).c_str());
  return kExitUsage;
}

// Extras are allowed only so that parse_args can name them, in the order given; any extra is an error.
void allow_extras(CLI::App& app) {
  app.allow_extras();
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) allow_extras(*sub);
}

// An extra argument (one no option or positional took), named; nullopt when there is none.
std::optional<std::string> extra_argument(const CLI::App& app) {
  const std::vector<std::string> extras = app.remaining(true);
  if (extras.empty()) return std::nullopt;
  const std::string& first = extras.front();
  if (first.size() > 1 && first[0] == '-' && !(first[1] >= '0' && first[1] <= '9'))
    return "unknown option '" + first.substr(0, first.find('=')) + "'";
  return "unexpected argument '" + first + "'";
}

}  // namespace

std::optional<int> parse_args(CLI::App& app, std::span<char* const> args) {
  allow_extras(app);
  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(std::move(reversed));
  } catch (const CLI::CallForHelp&) {
    const std::string help = app.help();
    std::fputs(help.c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // A misspelled option is the cause of the "--x is required" it leads to: name it first.
    if (auto extra = extra_argument(app)) return usage_error(app, *extra);
    return usage_error(app, e.what());
  }
  if (auto extra = extra_argument(app)) return usage_error(app, *extra);
  return std::nullopt;
}

}  // namespace pylon::app

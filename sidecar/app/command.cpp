#include "app/command.hpp"

#include <algorithm>

namespace pylon::app {
namespace {
std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
}  // namespace

const std::vector<Command>& commands() {
  auto& r = registry();
  std::sort(r.begin(), r.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  return r;
}

bool register_command(Command c) {
  registry().push_back(c);
  return true;
}

}  // namespace pylon::app

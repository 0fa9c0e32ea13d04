// Structured logs on stderr, one line per event, as text or JSON (PYLON_LOG_FORMAT). Callers pass
// no secrets: key material never reaches a log line (the keys module's types cannot be printed).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace pylon::log {

enum class Format { Text, Json };
enum class Level { Debug, Info, Warn, Error };

void set_format(Format f);
void set_min_level(Level l);
Level parse_level(std::string_view s, Level fallback);

using Field = std::pair<std::string_view, std::string>;
void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Info, c, m, f);
}
inline void warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Warn, c, m, f);
}
inline void error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Error, c, m, f);
}

}  // namespace pylon::log

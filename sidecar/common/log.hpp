// Structured logs on stderr, one line per event (PYLON_LOG_FORMAT):
//   text: logfmt, `ts=… level=info component=rest msg="listening" address=http://…`; a value
//         is quoted when it is empty or holds a space, '=', '"' or a control character, with
//         '"', '\\' and control characters escaped, so logfmt parsers (Loki, Vector, lnav) read it;
//   json: one object per line, every value a string.
// Lines below the minimum level (PYLON_LOG_LEVEL) are dropped. Callers pass no secrets: key
// material never reaches a log line (the keys module's types cannot be printed), tokens are never
// passed, chain endpoints are logged by scheme, host and port only.
//
// Thread contract: write() may be called from any thread; each line is written whole.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pylon::log {

enum class Format { Text, Json };
enum class Level { Debug, Info, Warn, Error };  // Error last: log.cpp names Debug..Error

void set_format(Format f);
void set_min_level(Level l);
// "error", "warn" (or "warning"), "info", "debug"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view s);

using Field = std::pair<std::string_view, std::string>;
// One line as write() prints it (newline included), with the given timestamp.
std::string format_line(Format format, Level level, std::string_view ts, std::string_view component,
                        std::string_view message, std::initializer_list<Field> fields);
void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields = {});

inline void debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::Debug, c, m, f);
}
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

#include "common/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/enum_names.hpp"
#include "common/json_writer.hpp"
#include "common/sync.hpp"

namespace pylon::log {
namespace {
std::atomic<Format> g_format{Format::Text};
std::atomic<Level> g_min{Level::Info};
Mutex g_mu;  // one line at a time on stderr

// Level's values in order; parse_level reads the same table.
constexpr auto kLevelNames = enum_names<Level::Debug, Level::Error>("debug", "info", "warn", "error");

std::string_view name(Level l) {
  return kLevelNames(l, "info");
}

std::string now_iso() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}
}  // namespace

void set_format(Format f) {
  g_format = f;
}
void set_min_level(Level l) {
  g_min = l;
}

std::optional<Level> parse_level(std::string_view s) {
  if (s == "warning") return Level::Warn;  // the other common spelling
  return kLevelNames.parse(s);
}

namespace {

// logfmt: a value is written bare when it is a non-empty run of characters other than space,
// '=', '"' and control characters; otherwise as a JSON string literal, which logfmt readers
// (go-logfmt, Loki, Vector) unquote the same way, and which keeps the line valid UTF-8.
void append_logfmt_value(std::string& out, std::string_view v) {
  bool bare = !v.empty();
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '=' || c == '"' || c == 0x7f) {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += v;
  } else {
    append_json_string(out, v);
  }
}

void append_logfmt(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out += key;
  out += '=';
  append_logfmt_value(out, value);
}
}  // namespace

std::string format_line(Format format, Level level, std::string_view ts, std::string_view component,
                        std::string_view message, std::initializer_list<Field> fields) {
  std::string line;
  if (format == Format::Json) {
    JsonWriter w;
    w.begin_object();
    w.key("ts");
    w.string(ts);
    w.key("level");
    w.string(name(level));
    w.key("component");
    w.string(component);
    w.key("msg");
    w.string(message);
    for (const auto& [k, v] : fields) {
      w.key(k);
      w.string(v);
    }
    w.end_object();
    line = w.take();
  } else {
    append_logfmt(line, "ts", ts);
    append_logfmt(line, "level", name(level));
    append_logfmt(line, "component", component);
    append_logfmt(line, "msg", message);
    for (const auto& [k, v] : fields) append_logfmt(line, k, v);
  }
  line.push_back('\n');
  return line;
}

void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields) {
  if (level < g_min.load()) return;
  const std::string line = format_line(g_format.load(), level, now_iso(), component, message, fields);
  Lock lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace pylon::log

#include "common/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "common/json_writer.hpp"

namespace pylon::log {
namespace {
std::atomic<Format> g_format{Format::Text};
std::atomic<Level> g_min{Level::Info};
std::mutex g_mu;

const char* name(Level l) {
  switch (l) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
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

Level parse_level(std::string_view s, Level fallback) {
  if (s == "debug") return Level::Debug;
  if (s == "info") return Level::Info;
  if (s == "warn") return Level::Warn;
  if (s == "error") return Level::Error;
  return fallback;
}

void write(Level level, std::string_view component, std::string_view message,
           std::initializer_list<Field> fields) {
  if (level < g_min.load()) return;
  std::string line;
  if (g_format.load() == Format::Json) {
    JsonWriter w;
    w.begin_object();
    w.key("ts");
    w.string(now_iso());
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
    line = now_iso() + " " + name(level) + " [" + std::string(component) + "] " + std::string(message);
    for (const auto& [k, v] : fields) line += " " + std::string(k) + "=" + v;
  }
  line.push_back('\n');
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace pylon::log

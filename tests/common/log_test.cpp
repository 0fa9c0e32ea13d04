// Log lines as operators' tools read them: text lines parsed as logfmt (quoted values included),
// JSON lines parsed as JSON, one object per line; the level filter.
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

namespace pylon::log {
namespace {

// A logfmt parser as the usual ones read a line (go-logfmt's rules): key=value pairs separated
// by spaces; a value is bare (up to the next space) or double-quoted with backslash escapes.
std::optional<std::map<std::string, std::string>> parse_logfmt(std::string_view line) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
      continue;
    }
    const auto eq = line.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key(line.substr(i, eq - i));
    if (key.empty() || key.find_first_of(" \"") != std::string::npos) return std::nullopt;
    i = eq + 1;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (i >= line.size()) return std::nullopt;
        const char e = line[i++];
        if (e == 'n')
          value += '\n';
        else if (e == 'r')
          value += '\r';
        else if (e == 't')
          value += '\t';
        else if (e == 'b')
          value += '\b';
        else if (e == 'f')
          value += '\f';
        else if (e == '"' || e == '\\')
          value += e;
        else if (e == 'u' && i + 4 <= line.size()) {
          value += static_cast<char>(std::stoi(std::string(line.substr(i, 4)), nullptr, 16));
          i += 4;
        } else {
          return std::nullopt;
        }
      }
      if (!closed) return std::nullopt;
      if (i < line.size() && line[i] != ' ') return std::nullopt;
    } else {
      const auto end = line.find(' ', i);
      value = std::string(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      if (value.find_first_of("\"=") != std::string::npos) return std::nullopt;
      i = end == std::string_view::npos ? line.size() : end;
    }
    if (!out.emplace(key, value).second) return std::nullopt;  // a key twice
  }
  return out;
}

// Values a log line meets: error texts with quotes, '=' and newlines, paths with spaces, empty.
const std::string kTricky = "node said \"no\": a=b\\c\nsecond line\ttab \x01 \b\f end";

TEST(Log, TextLinesAreLogfmt) {
  const std::string line = format_line(
      Format::Text, Level::Warn, "2026-12-04T08:00:00.000Z", "chain", "connect failed",
      {{"endpoint", "wss://node.example:443"}, {"detail", kTricky}, {"empty", ""}, {"path", "/a b/c"}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per event";
  auto kv = parse_logfmt(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(kv) << line;
  EXPECT_EQ((*kv)["ts"], "2026-12-04T08:00:00.000Z");
  EXPECT_EQ((*kv)["level"], "warn");
  EXPECT_EQ((*kv)["component"], "chain");
  EXPECT_EQ((*kv)["msg"], "connect failed");
  EXPECT_EQ((*kv)["endpoint"], "wss://node.example:443");
  EXPECT_EQ((*kv)["detail"], kTricky);
  EXPECT_EQ((*kv)["empty"], "");
  EXPECT_EQ((*kv)["path"], "/a b/c");
  // Plain values stay bare, as logfmt writers leave them.
  EXPECT_NE(line.find(" level=warn component=chain "), std::string::npos) << line;
}

TEST(Log, TextLinesAreValidUtf8) {
  // A node's or a client's bytes in an error text: a cut character and a stray byte.
  const std::string bad = "caf\xc3 \xff ok \xe2\x82\xac";
  const std::string line = format_line(Format::Text, Level::Info, "t", "rest", "m", {{"v", bad}});
  auto kv = parse_logfmt(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(kv) << line;
  EXPECT_EQ((*kv)["v"], "caf\xef\xbf\xbd \xef\xbf\xbd ok \xe2\x82\xac");  // U+FFFD each, the euro kept
}

TEST(Log, JsonLinesAreOneObjectEach) {
  const std::string line =
      format_line(Format::Json, Level::Error, "2026-12-04T08:00:00.000Z", "rest", "cannot start",
                  {{"error", kTricky}, {"address", "http://127.0.0.1:8000"}});
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(line).get(e)) << line;
  EXPECT_EQ(std::string(e["ts"].get_string().value_unsafe()), "2026-12-04T08:00:00.000Z");
  EXPECT_EQ(std::string(e["level"].get_string().value_unsafe()), "error");
  EXPECT_EQ(std::string(e["component"].get_string().value_unsafe()), "rest");
  EXPECT_EQ(std::string(e["msg"].get_string().value_unsafe()), "cannot start");
  EXPECT_EQ(std::string(e["error"].get_string().value_unsafe()), kTricky);
}

// What write() prints on stderr while `body` runs.
template <class F>
std::string captured_stderr(F body) {
  std::fflush(stderr);
  char path[] = "/tmp/pylon-log-XXXXXX";
  const int fd = ::mkstemp(path);
  const int saved = ::dup(2);
  ::dup2(fd, 2);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  ::unlink(path);
  return out;
}

TEST(Log, TheLevelFiltersAndBothFormatsParse) {
  EXPECT_EQ(parse_level("debug"), Level::Debug);
  EXPECT_EQ(parse_level("warning"), Level::Warn);
  EXPECT_EQ(parse_level("loud"), std::nullopt);
  const std::string text = captured_stderr([] {
    set_format(Format::Text);
    set_min_level(Level::Warn);
    debug("t", "dropped");
    info("t", "dropped too");
    warn("t", "kept", {{"k", "v 1"}});
    error("t", "kept too");
    set_min_level(Level::Info);
  });
  EXPECT_EQ(text.find("dropped"), std::string::npos) << text;
  std::size_t lines = 0;
  for (std::size_t at = 0; at < text.size();) {
    const auto end = text.find('\n', at);
    auto kv = parse_logfmt(std::string_view(text).substr(at, end - at));
    ASSERT_TRUE(kv) << text;
    EXPECT_TRUE((*kv)["msg"] == "kept" || (*kv)["msg"] == "kept too");
    ++lines;
    at = end + 1;
  }
  EXPECT_EQ(lines, 2u);
  const std::string json = captured_stderr([] {
    set_format(Format::Json);
    info("t", "as json", {{"k", "v"}});
    set_format(Format::Text);
  });
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(json).get(e)) << json;
  EXPECT_EQ(std::string(e["k"].get_string().value_unsafe()), "v");
}

}  // namespace
}  // namespace pylon::log

#include "common/json_writer.hpp"

#include <gtest/gtest.h>

#include "common/log.hpp"
#include "common/utf8.hpp"

namespace pylon {
namespace {

TEST(JsonWriter, NestsWithCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("a");
  w.number(std::uint64_t{1});
  w.key("b");
  w.begin_array();
  w.boolean(true);
  w.null();
  w.string("x\"y\n\x01");
  w.end_array();
  w.key("c");
  w.begin_object();
  w.end_object();
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,"x\"y\n\u0001"],"c":{}})");
}

TEST(JsonWriter, NegativeAndDouble) {
  JsonWriter w;
  w.begin_array();
  w.number(std::int64_t{-5});
  w.number(0.5);
  w.end_array();
  EXPECT_EQ(w.str(), "[-5,0.5]");
}

// Whatever bytes a string holds (client text, SCALE strings from the chain), the JSON is valid
// UTF-8: well-formed characters pass, each ill-formed subpart becomes one U+FFFD.
TEST(JsonWriter, StringsAreAlwaysValidUtf8) {
  struct Case {
    std::string in, out;
  };
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  const std::vector<Case> cases = {
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"a\xC3", "a" + r},                   // cut mid-character at the end
      {"\xC3(", r + "("},                   // a lead byte without its continuation
      {"\x80\xBF", r + r},                  // lone continuation bytes
      {"\xC0\xAF", r + r},                  // overlong '/'
      {"\xE0\x80\xAF", r + r + r},          // overlong, three bytes
      {"\xED\xA0\x80", r + r + r},          // a UTF-16 surrogate
      {"\xF4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xF0\x9F\x98", r},                  // a 4-byte character cut after 3: one subpart
      {"\xE2\x82x", r + "x"},
      {"\xFF\xFE", r + r},
  };
  for (const auto& c : cases) {
    std::string out;
    append_json_string(out, c.in);
    EXPECT_EQ(out, "\"" + c.out + "\"") << c.in;
    EXPECT_TRUE(utf8::valid(out)) << c.in;
    EXPECT_EQ(utf8::repaired(c.in), c.out);
  }
  // Every byte value, alone and after a lead byte of each length.
  for (int b = 0; b < 256; ++b) {
    for (const std::string lead : {"", "\xC3", "\xE2", "\xF0\x9F"}) {
      std::string out;
      append_json_string(out, lead + static_cast<char>(b));
      EXPECT_TRUE(utf8::valid(out)) << b;
    }
  }
}

TEST(Utf8, PrefixCutsBetweenCharacters) {
  const std::string s = "ab\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a b é € 😀
  EXPECT_EQ(utf8::prefix(s, 2), "ab");
  EXPECT_EQ(utf8::prefix(s, 3), "ab");
  EXPECT_EQ(utf8::prefix(s, 4), "ab\xC3\xA9");
  EXPECT_EQ(utf8::prefix(s, 6), "ab\xC3\xA9");
  EXPECT_EQ(utf8::prefix(s, 7), "ab\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(utf8::prefix(s, 10), "ab\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(utf8::prefix(s, 11), s);
  EXPECT_EQ(utf8::prefix(s, 100), s);
  for (std::size_t n = 0; n <= s.size(); ++n) EXPECT_TRUE(utf8::valid(utf8::prefix(s, n))) << n;
  EXPECT_FALSE(utf8::valid("\xC3"));
  EXPECT_TRUE(utf8::valid(""));
}

// The structured log writes its JSON lines with the same escaping.
TEST(JsonLog, LinesAreValidUtf8) {
  log::set_format(log::Format::Json);
  testing::internal::CaptureStderr();
  log::write(log::Level::Warn, "test", "bad \xC3 bytes \xFF", {{"field\xE2\x82", "v\xF0\x9F\x98"}});
  const std::string line = testing::internal::GetCapturedStderr();
  log::set_format(log::Format::Text);
  EXPECT_TRUE(utf8::valid(line)) << line;
  EXPECT_NE(line.find("\"msg\":\"bad \xEF\xBF\xBD bytes \xEF\xBF\xBD\""), std::string::npos) << line;
}

}  // namespace
}  // namespace pylon

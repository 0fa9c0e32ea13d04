#include "common/json_writer.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pylon

#include "codec/json_render.hpp"

#include <gtest/gtest.h>

namespace pylon::codec {
namespace {

TEST(JsonRender, IntegersOfMoreThan52BitsAreStringsAsPolkadotJsPrintsThem) {
  // The oracle prints 2^52-1 as a number and 2^52 as a string.
  EXPECT_EQ(render_json(Value::of_uint(4503599627370495ull)), "4503599627370495");
  EXPECT_EQ(render_json(Value::of_uint(4503599627370496ull)), "\"4503599627370496\"");
  Value big;
  big.kind = Value::Kind::BigInt;
  big.text = "4503599627370495";
  EXPECT_EQ(render_json(big), "4503599627370495");
  big.text = "340282366920938463463374607431768211455";
  EXPECT_EQ(render_json(big), "\"340282366920938463463374607431768211455\"");
  Value neg;
  neg.kind = Value::Kind::Int;
  neg.sint = -4503599627370496ll;
  EXPECT_EQ(render_json(neg), "\"-4503599627370496\"");
}

TEST(JsonRender, KeysAreSnakeCaseOfPolkadotJsCamelCase) {
  EXPECT_EQ(json_key("validator_trust"), "validator_trust");
  EXPECT_EQ(json_key("Raw4"), "raw4");
  EXPECT_EQ(json_key("BlakeTwo256"), "blake_two256");
  EXPECT_EQ(json_key("placeholder1"), "placeholder1");
}

TEST(JsonRender, BytesAsTextOnlyWhenPrintableAscii) {
  Value b;
  b.kind = Value::Kind::Bytes;
  b.bytes = {'a', 'b', 'c'};
  EXPECT_EQ(render_json(b), "\"abc\"");
  b.bytes = {'a', '\n', 'c'};
  EXPECT_EQ(render_json(b), "\"0x610a63\"");
  b.bytes.clear();
  EXPECT_EQ(render_json(b), "\"\"");
}

}  // namespace
}  // namespace pylon::codec

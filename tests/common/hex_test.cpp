#include "common/hex.hpp"

#include <gtest/gtest.h>

namespace pylon {
namespace {

TEST(Hex, RoundTripsWithAndWithoutPrefix) {
  const Bytes bytes{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "0x0001abff");
  auto a = from_hex("0x0001ABff");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, bytes);
  auto b = from_hex("0001abff");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, bytes);
}

TEST(Hex, RejectsOddLengthAndBadDigits) {
  auto odd = from_hex("0xabc");
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().message.find("odd"), std::string::npos);
  auto bad = from_hex("0x0g");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("position 1"), std::string::npos);
}

TEST(Hex, EmptyIsEmpty) {
  auto e = from_hex("0x");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->empty());
  EXPECT_EQ(to_hex({}), "0x");
}

TEST(Hex, QuantitiesAreZeroXAndOneToSixteenDigits) {
  EXPECT_EQ(*parse_hex_u64("0x0"), 0u);
  EXPECT_EQ(*parse_hex_u64("0x1f"), 31u);
  EXPECT_EQ(*parse_hex_u64("0XABC"), 0xabcu);
  EXPECT_EQ(*parse_hex_u64("0xffffffffffffffff"), UINT64_MAX);
  for (const char* bad : {"", "5", "0x", "1f", "0xg", "0x1 ", "0x10000000000000000", "x1"})
    EXPECT_FALSE(parse_hex_u64(bad).ok()) << bad;
}

}  // namespace
}  // namespace pylon

#include "common/hex.hpp"

#include <gtest/gtest.h>

#include <cctype>

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
  // The first bad digit is named, whichever half of a byte it is and however far in.
  EXPECT_NE(from_hex("0x00zz").error().message.find("position 2"), std::string::npos);
  EXPECT_NE(from_hex(std::string(4096, 'a') + "0?").error().message.find("position 4097"), std::string::npos);
  const std::string high_byte = std::string("0x") + static_cast<char>(0xff) + '0';
  EXPECT_NE(from_hex(high_byte).error().message.find("position 0"), std::string::npos);
}

TEST(Hex, EveryDigitOfEitherCaseDecodes) {
  for (int hi = 0; hi < 16; ++hi)
    for (int lo = 0; lo < 16; ++lo) {
      const std::string lower = std::string(1, "0123456789abcdef"[hi]) + "0123456789abcdef"[lo];
      const std::string upper = std::string(1, "0123456789ABCDEF"[hi]) + "0123456789ABCDEF"[lo];
      const Bytes want{static_cast<std::uint8_t>(hi << 4 | lo)};
      EXPECT_EQ(*from_hex(lower), want);
      EXPECT_EQ(*from_hex(upper), want);
    }
  for (int c = 0; c < 256; ++c) {  // and nothing else does, in either place of a byte
    if (std::isxdigit(c)) continue;
    const char x = static_cast<char>(c);
    EXPECT_FALSE(from_hex(std::string{'0', '0', '0', x}).ok()) << c;  // "00" first: "0x" is a prefix
    EXPECT_FALSE(from_hex(std::string{'0', '0', x, '0'}).ok()) << c;
  }
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

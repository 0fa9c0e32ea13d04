// common/enum_names.hpp: names by value, the reverse lookup, and the fallback for a value no
// enumerator has (what a cast from a stored or received integer can make).
#include "common/enum_names.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using pylon::enum_names;

// Starts above 0 on purpose, as net::RpcErrc does.
enum class Fruit : std::uint8_t { apple = 3, pear, plum };

constexpr auto kFruitNames = enum_names<Fruit::apple, Fruit::plum>("apple", "pear", "plum");

TEST(EnumNames, NamesEachValueInDeclarationOrder) {
  EXPECT_EQ(kFruitNames(Fruit::apple, "?"), "apple");
  EXPECT_EQ(kFruitNames(Fruit::pear, "?"), "pear");
  EXPECT_EQ(kFruitNames(Fruit::plum, "?"), "plum");
  static_assert(kFruitNames(Fruit::pear, "?") == "pear", "usable at compile time");
}

TEST(EnumNames, ValuesOutsideTheTableGetTheFallback) {
  EXPECT_EQ(kFruitNames(static_cast<Fruit>(2), "other"), "other");  // below the first
  EXPECT_EQ(kFruitNames(static_cast<Fruit>(6), "other"), "other");  // past the last
  EXPECT_EQ(kFruitNames(static_cast<Fruit>(0), "other"), "other");
  EXPECT_EQ(kFruitNames(static_cast<Fruit>(255), "other"), "other");
}

TEST(EnumNames, ParseIsTheExactInverse) {
  for (const Fruit f : {Fruit::apple, Fruit::pear, Fruit::plum})
    EXPECT_EQ(kFruitNames.parse(kFruitNames(f, "?")), f);
  EXPECT_EQ(kFruitNames.parse("Apple"), std::nullopt);
  EXPECT_EQ(kFruitNames.parse("pear "), std::nullopt);
  EXPECT_EQ(kFruitNames.parse(""), std::nullopt);
  EXPECT_EQ(kFruitNames.parse("?"), std::nullopt);
}

// An empty name is a name like any other (rest's Method::other is ""), so parse finds it.
TEST(EnumNames, AnEmptyNameParses) {
  enum class Verb { get, other };
  constexpr auto kVerbs = enum_names<Verb::get, Verb::other>("GET", "");
  EXPECT_EQ(kVerbs.parse(""), Verb::other);
  EXPECT_EQ(kVerbs(Verb::other, "x"), "");
}

}  // namespace

// The 32-byte identifiers are distinct types: one never passes for another, nor for raw bytes.
#include "common/ids.hpp"

#include <gtest/gtest.h>

#include <type_traits>
#include <unordered_set>

namespace pylon {
namespace {

static_assert(!std::is_convertible_v<BlockHash, AccountId>);
static_assert(!std::is_constructible_v<AccountId, BlockHash>);
static_assert(!std::is_constructible_v<ExtrinsicHash, BlockHash>);
static_assert(!std::is_convertible_v<AccountId, ExtrinsicHash>);
static_assert(!std::is_convertible_v<std::array<std::uint8_t, 32>, AccountId>);  // explicit only
static_assert(std::is_convertible_v<AccountId, ByteSpan>);                       // read as bytes
static_assert(sizeof(AccountId) == 32 && std::is_trivially_copyable_v<AccountId>);

std::array<std::uint8_t, 32> counting() {
  std::array<std::uint8_t, 32> b{};
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

TEST(Ids, BytesHexAndOrder) {
  const AccountId a(counting());
  EXPECT_EQ(a.bytes(), counting());
  EXPECT_EQ(ByteSpan(a).size(), 32u);
  EXPECT_EQ(a.hex(), to_hex(ByteSpan(counting())));
  EXPECT_EQ(BlockHash().hex(), "0x" + std::string(64, '0'));
  AccountId b = a;
  EXPECT_EQ(a, b);
  b.bytes()[31] = 0xff;
  EXPECT_NE(a, b);
  EXPECT_LT(a, b);
}

TEST(Ids, FromSpanTakesExactly32Bytes) {
  const auto bytes = counting();
  auto id = BlockHash::from_span(ByteSpan(bytes));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->bytes(), bytes);
  EXPECT_FALSE(BlockHash::from_span(ByteSpan(bytes).first(31)).has_value());
  const Bytes longer(33, 1);
  EXPECT_FALSE(BlockHash::from_span(longer).has_value());
}

TEST(Ids, HashableForUnorderedContainers) {
  std::unordered_set<AccountId> seen;
  auto b = counting();
  seen.insert(AccountId(b));
  b[31] = 0xee;  // same first eight bytes: a distinct key all the same
  seen.insert(AccountId(b));
  seen.insert(AccountId(b));
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen.contains(AccountId(counting())));
}

}  // namespace
}  // namespace pylon

// Ss58Book renders each account once and gives exactly ss58_encode's text.
#include <gtest/gtest.h>

#include "codec/ss58_book.hpp"

namespace pylon::codec {
namespace {

TEST(Ss58Book, SameTextAsTheEncoderOncePerAccount) {
  AccountId a{}, b{};
  for (std::size_t i = 0; i < 32; ++i) a[i] = static_cast<std::uint8_t>(i), b[i] = static_cast<std::uint8_t>(255 - i);
  Ss58Book book;
  const std::string& first = book.text(a);
  EXPECT_EQ(first, ss58_encode(a));
  EXPECT_EQ(book.text(b), ss58_encode(b));
  EXPECT_EQ(&book.text(a), &first);  // rendered once, the same string handed out again
  EXPECT_EQ(book.size(), 2u);
}

TEST(Ss58Book, AccountsSharingTheirFirstBytesStayDistinct) {
  AccountId a{}, b{};
  b[31] = 1;  // equal hash (first eight bytes), different accounts
  Ss58Book book;
  EXPECT_NE(book.text(a), book.text(b));
  EXPECT_EQ(book.text(b), ss58_encode(b));
}

}  // namespace
}  // namespace pylon::codec

// A subnet's mechanism count and emission split, decoded with the metadata of the runtime at hand:
// devnet's (spec 381, which has MechanismCountCurrent: u8 with default 1 and MechanismEmissionSplit:
// Option<Vec<u16>>; the recorded finney metadata has them too), and the local spec 293's, which
// has neither and so one mechanism.
#include <gtest/gtest.h>

#include "codec/metadata.hpp"
#include "committer/chain_storage.hpp"
#include "test_support.hpp"

namespace pylon::committer {
namespace {

Result<std::shared_ptr<const codec::Metadata>> load(const char* rel) {
  return codec::load_metadata_file(test::shared_path(rel));
}

TEST(Mechanisms, ARuntimeWithoutTheItemHasOneMechanism) {
  for (const char* rel :
       {"chain/localnet/spec293-metadata-v15.option.hex", "chain/localnet/spec293-metadata-v14.hex"}) {
    if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
    auto md = load(rel);
    ASSERT_TRUE(md.ok()) << md.error().message;
    EXPECT_FALSE(has_mechanisms(**md)) << rel;
    // Whatever bytes a node might hold are not read: the metadata says there is nothing to read.
    auto m = decode_mechanisms(**md, Bytes{0x02}, std::nullopt);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(int{m->count}, 1) << rel;
    EXPECT_TRUE(m->emission_split.empty());
  }
}

TEST(Mechanisms, TheRecordedMainnetRuntimesHaveTheItem) {
  for (const char* rel : {"chain/finney-metadata-v15.option.hex", "chain/devnet-metadata-v16.scale"}) {
    if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
    auto md = load(rel);
    ASSERT_TRUE(md.ok()) << md.error().message;
    EXPECT_TRUE(has_mechanisms(**md)) << rel;
    auto m = decode_mechanisms(**md, Bytes{0x02}, std::nullopt);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(int{m->count}, 2) << rel;
  }
}

TEST(Mechanisms, DevnetCountAndSplitDecodeWithTheirDefaults) {
  const char* rel = "chain/devnet-metadata-v16.scale";
  if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
  auto md = load(rel);
  ASSERT_TRUE(md.ok()) << md.error().message;
  ASSERT_TRUE(has_mechanisms(**md));
  // Nothing stored: the entry's default (1), no split.
  auto none = decode_mechanisms(**md, std::nullopt, std::nullopt);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(int{none->count}, 1);
  EXPECT_TRUE(none->emission_split.empty());
  // Two mechanisms split 40000 / 25535 (compact(2), two u16).
  auto two = decode_mechanisms(**md, Bytes{0x02}, *from_hex("0x08409cbf63"));
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(int{two->count}, 2);
  EXPECT_EQ(two->emission_split, (std::vector<std::uint16_t>{40000, 25535}));
}

TEST(Mechanisms, BadBytesAndAZeroCountAreErrors) {
  const char* rel = "chain/devnet-metadata-v16.scale";
  if (!test::have_shared(rel)) GTEST_SKIP() << "reference file " << test::shared_path(rel) << " is absent";
  auto md = load(rel);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto zero = decode_mechanisms(**md, Bytes{0x00}, std::nullopt);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("MechanismCountCurrent is 0"), std::string::npos)
      << zero.error().message;
  EXPECT_FALSE(decode_mechanisms(**md, Bytes{0x02, 0x00}, std::nullopt).ok());  // trailing byte
  EXPECT_FALSE(decode_mechanisms(**md, Bytes{0x02}, Bytes{0x08, 0x40}).ok());   // split cut short
}

}  // namespace
}  // namespace pylon::committer

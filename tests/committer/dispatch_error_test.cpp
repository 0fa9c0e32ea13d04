// The committer decides on dispatch errors by pallet and name (RevealTooEarly retries at the next
// block, ExpiredWeightCommit ends the reveal): they come from the runtime's own metadata, here
// finney's, by the indices a failing extrinsic's ExtrinsicFailed event carries.
#include <gtest/gtest.h>

#include "chain/events.hpp"
#include "test_support.hpp"

namespace pylon::chain {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";

codec::Value module_error(std::uint8_t pallet, std::uint8_t error) {
  codec::Value inner;
  inner.kind = codec::Value::Kind::Object;
  inner.fields.push_back({"index", codec::Value::of_uint(pallet)});
  codec::Value code;
  code.kind = codec::Value::Kind::Bytes;
  code.bytes = {error, 0, 0, 0};
  inner.fields.push_back({"error", code});
  codec::Value e;
  e.kind = codec::Value::Kind::Variant;
  e.text = "Module";
  e.items.push_back(inner);
  return e;
}

TEST(DispatchError, NamesAModuleErrorByPalletAndName) {
  if (!test::have_shared(kFinney)) GTEST_SKIP() << test::shared_path(kFinney) << " is absent";
  auto md = codec::load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok()) << md.error().message;
  const codec::Metadata& m = **md;
  const codec::Pallet* p = m.pallet("SubtensorModule");
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->errors.has_value());
  int seen = 0;
  for (const codec::Variant& v : m.types[*p->errors].variants) {
    if (v.name != "RevealTooEarly" && v.name != "ExpiredWeightCommit") continue;
    ++seen;
    const DispatchError d = dispatch_error_of(m, module_error(p->index, v.index));
    EXPECT_TRUE(d.is("SubtensorModule", v.name)) << d.pallet << "." << d.name;
    EXPECT_EQ(dispatch_error_name(m, module_error(p->index, v.index)), "SubtensorModule." + v.name);
  }
  EXPECT_EQ(seen, 2);

  // Not a module error: the variant's name, no pallet.
  codec::Value bad;
  bad.kind = codec::Value::Kind::Variant;
  bad.text = "BadOrigin";
  EXPECT_EQ(dispatch_error_of(m, bad), (DispatchError{"", "BadOrigin"}));
  // A pallet the runtime does not have: nothing to compare against.
  EXPECT_EQ(dispatch_error_of(m, module_error(250, 0)), DispatchError{});
}

}  // namespace
}  // namespace pylon::chain

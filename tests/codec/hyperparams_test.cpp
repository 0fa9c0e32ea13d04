// Hyperparameters from the newest API a runtime's metadata offers. The v3 list (a name/tagged-value
// list) decodes to the same Record the v2 struct gives for the same values, on the devnet runtime
// with subtensor's v3 types added (no shared metadata has v3 yet); lists that contradict the
// metadata are errors with a HyperparamsErrc kind.
#include "codec/views/hyperparams.hpp"

#include <set>

#include "codec/scale_writer.hpp"
#include "hyperparams_answers.hpp"
#include "hyperparams_v3_metadata.hpp"
#include "test_support.hpp"

namespace pylon::codec::views {
namespace {

constexpr const char* kDevnet = "chain/devnet-metadata-v16.scale";
constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";

std::shared_ptr<const Metadata> load(const char* rel) {
  auto md = load_metadata_file(test::shared_path(rel));
  EXPECT_TRUE(md.ok()) << md.error().message;
  return md.ok() ? *md : nullptr;
}

std::string str(const Scalar& s) {
  switch (s.kind) {
    case Scalar::Kind::Bool:
      return s.flag ? "true" : "false";
    case Scalar::Kind::Int:
      return std::to_string(s.sint);
    case Scalar::Kind::UInt:
      return std::to_string(static_cast<std::uint64_t>(s.uint)) + "/" +
             std::to_string(static_cast<std::uint64_t>(s.uint >> 64));
  }
  return "";
}

TEST(HyperparamsView, PicksTheNewestApiTheMetadataOffers) {
  PYLON_REQUIRE_SHARED(kDevnet);
  PYLON_REQUIRE_SHARED(kFinney);
  auto devnet = load(kDevnet);
  ASSERT_NE(devnet, nullptr);
  for (const auto& md : {devnet, load(kFinney)}) {
    auto v = HyperparamsView::resolve(md);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->api(), HyperparamsView::Api::kV2);
    EXPECT_EQ(v->method(), kHyperparamsV2Method);
  }
  auto with_v3 = test::with_hyperparams_v3(*devnet);
  ASSERT_NE(with_v3, nullptr);
  auto v3 = HyperparamsView::resolve(with_v3);
  ASSERT_TRUE(v3.ok()) << v3.error().message;
  EXPECT_EQ(v3->api(), HyperparamsView::Api::kV3);
  EXPECT_EQ(v3->method(), kHyperparamsV3Method);
  EXPECT_EQ(hyperparams_method(*with_v3), kHyperparamsV3Method);

  auto v1_only = std::make_shared<Metadata>(*devnet);
  for (auto& api : v1_only->apis)
    std::erase_if(api.methods,
                  [](const RuntimeApiMethod& m) { return m.name == "get_subnet_hyperparams_v2"; });
  auto v1 = HyperparamsView::resolve(v1_only);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(v1->api(), HyperparamsView::Api::kV1);
  for (auto& api : v1_only->apis)
    std::erase_if(api.methods, [](const RuntimeApiMethod& m) { return m.name == "get_subnet_hyperparams"; });
  auto none = HyperparamsView::resolve(v1_only);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.error().is(HyperparamsErrc::kNoApi));
}

TEST(HyperparamsView, V3ListGivesTheRecordV2GivesForTheSameValues) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto devnet = load(kDevnet);
  ASSERT_NE(devnet, nullptr);
  auto md = test::with_hyperparams_v3(*devnet);
  ASSERT_NE(md, nullptr);
  const auto answers = test::distinct_hyperparam_answers(*md);
  ASSERT_EQ(answers.fields, 33u);  // every field of devnet's SubnetHyperparamsV2

  auto v2 = HyperparamsView::resolve(devnet);
  auto v3 = HyperparamsView::resolve(md);
  ASSERT_TRUE(v2.ok() && v3.ok());
  auto a = v2->decode(answers.v2);
  auto b = v3->decode(answers.v3);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  ASSERT_TRUE(a->has_value() && b->has_value());
  const Record& want = **a;
  const Record& got = **b;
  ASSERT_EQ(got.fields.size(), want.fields.size());
  std::set<std::string> distinct;
  for (std::size_t i = 0; i < want.fields.size(); ++i) {
    SCOPED_TRACE(want.fields[i].first);
    EXPECT_EQ(got.fields[i].first, want.fields[i].first);
    EXPECT_EQ(got.fields[i].second.kind, want.fields[i].second.kind);
    EXPECT_EQ(str(got.fields[i].second), str(want.fields[i].second));
    distinct.insert(str(want.fields[i].second));
  }
  EXPECT_EQ(distinct.size(), 33u - 7u + 2u);  // 7 bools share true/false
  EXPECT_EQ(got.u64("tempo"), 1005u);
  EXPECT_EQ(got.u64("min_burn"), 5000000014u);
  EXPECT_EQ(got.find("alpha_sigmoid_steepness")->sint, -4027);
  EXPECT_EQ(got.flag("commit_reveal_weights_enabled"), true);

  // None: the subnet does not exist.
  auto none = v3->decode(Bytes{0});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// One v3 entry written by hand: name bytes, variant tag, then the value's bytes.
Bytes answer(std::initializer_list<std::tuple<std::string, std::uint8_t, Bytes>> entries) {
  ScaleWriter w;
  w.u8(1);
  w.compact(entries.size());
  for (const auto& [name, tag, value] : entries) {
    w.string(name);
    w.u8(tag);
    w.bytes(value);
  }
  return w.take();
}

TEST(HyperparamsView, V3ListsThatContradictTheMetadataAreErrorsWithKinds) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto devnet = load(kDevnet);
  ASSERT_NE(devnet, nullptr);
  auto v = HyperparamsView::resolve(test::with_hyperparams_v3(*devnet));
  ASSERT_TRUE(v.ok());
  const std::uint8_t kBool = 0, kU16 = 1, kU64 = 3;
  const Bytes c360{0xa1, 0x05};  // Compact 360

  auto ok = v->decode(answer({{"tempo", kU16, c360}, {"burn_half_life", kU16, Bytes{0x1c}}}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)->u64("tempo"), 360u);
  EXPECT_EQ((*ok)->u64("burn_half_life"), 7u);  // not in v2: kept as the chain names it
  // activity_cutoff is Compact<u16> in devnet's v2 and U64 in subtensor's v3: a value that fits is fine.
  EXPECT_TRUE(v->decode(answer({{"activity_cutoff", kU64, Bytes{0x28}}})).ok());

  const auto kind_of = [&](const Bytes& b) {
    auto r = v->decode(b);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::optional<HyperparamsErrc>{} : r.error().kind_of<HyperparamsErrc>();
  };
  EXPECT_EQ(kind_of(answer({{"tempo", 8, c360}})), HyperparamsErrc::kUnknownValue);
  EXPECT_EQ(kind_of(answer({{"Tempo", kU16, c360}})), HyperparamsErrc::kBadName);
  EXPECT_EQ(kind_of(answer({{"", kU16, c360}})), HyperparamsErrc::kBadName);
  EXPECT_EQ(kind_of(answer({{"tempo", kU16, c360}, {"tempo", kU16, c360}})), HyperparamsErrc::kBadName);
  EXPECT_EQ(kind_of(answer({{"tempo", kBool, Bytes{1}}})), HyperparamsErrc::kMismatch);
  // 70000 in a U64 where v2's tempo is Compact<u16>.
  EXPECT_EQ(kind_of(answer({{"tempo", kU64, Bytes{0xc2, 0x45, 0x04, 0x00}}})), HyperparamsErrc::kMismatch);
  EXPECT_EQ(kind_of(answer({{"subnet_is_active", kU16, c360}})), HyperparamsErrc::kMismatch);
  Bytes cut = answer({{"tempo", kU16, c360}});
  cut.pop_back();
  EXPECT_EQ(kind_of(cut), HyperparamsErrc::kMalformed);
  Bytes extra = answer({{"tempo", kU16, c360}});
  extra.push_back(0);
  EXPECT_EQ(kind_of(extra), HyperparamsErrc::kMalformed);
  EXPECT_EQ(kind_of(Bytes{2}), HyperparamsErrc::kMalformed);  // Option tag 2
  EXPECT_EQ(kind_of(Bytes{1, 0xfe, 0xff, 0xff, 0xff}),
            HyperparamsErrc::kMalformed);  // count beyond the bytes
}

// The fuzz corpus's answer shaped as subtensor writes it (tests/fuzz/hyperparams_v3_seeds.py):
// its names beyond v2 (burn_half_life, owner_cut_enabled, ...) are kept, v2's are checked.
TEST(HyperparamsView, SubtensorShapedV3AnswerDecodes) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto devnet = load(kDevnet);
  ASSERT_NE(devnet, nullptr);
  auto v = HyperparamsView::resolve(test::with_hyperparams_v3(*devnet));
  ASSERT_TRUE(v.ok());
  const std::string raw =
      test::read_file(std::string(PYLON_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_hyperparams_v3/typical");
  ASSERT_FALSE(raw.empty());
  auto r = v->decode(ByteSpan(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Record& rec = **r;
  EXPECT_EQ(rec.fields.size(), 33u);
  EXPECT_EQ(rec.u64("tempo"), 360u);
  EXPECT_EQ(rec.u64("max_burn"), 100000000000u);
  EXPECT_EQ(rec.flag("commit_reveal_weights_enabled"), true);
  EXPECT_EQ(rec.find("alpha_sigmoid_steepness")->sint, -(std::int64_t{1000} << 32));
  EXPECT_EQ(rec.find("burn_increase_mult")->uint, codec::u128{2} << 64);
  EXPECT_EQ(rec.u64("min_childkey_take"), 0u);
  EXPECT_EQ(rec.find("rho"), nullptr);  // gone from subtensor's v3 list: absent, not invented
}

}  // namespace
}  // namespace pylon::codec::views

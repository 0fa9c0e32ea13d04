// stakes_from_subnet_state on the real finney metagraph (block 6852690, netuid 1, 1024 neurons,
// from the get_neurons_lite golden) and a subnet state answer written for those neurons
// (subnet_state_answer.hpp): the good answer, every kind of refusal, truncations.
#include "follower/stakes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../codec/test_support.hpp"
#include "codec/scale_writer.hpp"
#include "common/hex.hpp"
#include "subnet_state_answer.hpp"

namespace pylon::follower {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";
constexpr const char* kNeurons = "chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json";

struct Fixture {
  std::shared_ptr<const codec::Metadata> md;
  std::optional<codec::views::ColumnsView> view;
  std::vector<codec::views::NeuronLite> neurons;
  Bytes answer;  // for all neurons, 129 rows of emission history as finney had subnets
};

// Loaded once: the metadata and 1024 neurons take a while to decode.
const Fixture* fixture() {
  static const Fixture* f = [] {
    auto* out = new Fixture;
    auto md = codec::load_metadata_file(test::shared_path(kFinney));
    if (!md.ok()) return static_cast<Fixture*>(nullptr);
    out->md = *md;
    auto view = codec::views::ColumnsView::resolve_api(out->md, kSubnetStateMethod);
    auto nview = codec::views::NeuronLiteView::resolve(out->md);
    if (!view.ok() || !nview.ok()) return static_cast<Fixture*>(nullptr);
    out->view = std::move(view).value();
    const std::string golden = test::read_file(test::shared_path(kNeurons));
    const auto at = golden.find("\"result_hex\"");
    const auto open = golden.find('"', golden.find(':', at) + 1);
    auto raw = from_hex(golden.substr(open + 1, golden.find('"', open + 1) - open - 1));
    if (!raw.ok()) return static_cast<Fixture*>(nullptr);
    auto neurons = nview->decode_all(*raw);
    if (!neurons.ok()) return static_cast<Fixture*>(nullptr);
    out->neurons = std::move(neurons).value();
    auto answer = test::subnet_state_answer(*out->md, 1, out->neurons, 129);
    if (!answer.ok()) return static_cast<Fixture*>(nullptr);
    out->answer = std::move(answer).value();
    return out;
  }();
  return f;
}

#define PYLON_FIXTURE(f)          \
  PYLON_REQUIRE_SHARED(kFinney);  \
  PYLON_REQUIRE_SHARED(kNeurons); \
  const Fixture* f = fixture();   \
  ASSERT_NE(f, nullptr) << "the reference files did not load"

TEST(StakesFromSubnetState, EveryNeuronGetsTheColumnsAtItsUid) {
  PYLON_FIXTURE(f);
  ASSERT_EQ(f->neurons.size(), 1024u);
  auto stakes = stakes_from_subnet_state(*f->view, f->answer, f->neurons);
  ASSERT_TRUE(stakes.ok()) << stakes.error().message;
  ASSERT_EQ(stakes->size(), f->neurons.size());
  std::size_t staked = 0;
  for (std::size_t i = 0; i < f->neurons.size(); ++i) {
    const auto& n = f->neurons[i];
    EXPECT_EQ((*stakes)[i], (NeuronStakes{n.total_stake(), n.uid, n.total_stake() + n.uid}))
        << "uid " << n.uid;
    staked += n.total_stake() > 0 ? 1 : 0;
  }
  EXPECT_GT(staked, 100u);  // the recording's stakes, not zeros
  // The neurons in another order still get their own uid's columns.
  auto reversed = f->neurons;
  std::reverse(reversed.begin(), reversed.end());
  auto r = stakes_from_subnet_state(*f->view, f->answer, reversed);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->front().tao, reversed.front().uid);
  EXPECT_EQ(r->front().alpha, reversed.front().total_stake());
}

TEST(StakesFromSubnetState, TruncatedAnswersAreMalformed) {
  PYLON_FIXTURE(f);
  // Every cut of a small subnet (8 neurons), and cuts through each part of the full one.
  std::vector<codec::views::NeuronLite> eight(f->neurons.begin(), f->neurons.begin() + 8);
  auto small = test::subnet_state_answer(*f->md, 1, eight, 3);
  ASSERT_TRUE(small.ok()) << small.error().message;
  ASSERT_TRUE(stakes_from_subnet_state(*f->view, *small, eight).ok());
  for (std::size_t len = 0; len < small->size(); ++len) {
    auto r = stakes_from_subnet_state(*f->view, ByteSpan(small->data(), len), eight);
    ASSERT_FALSE(r.ok()) << "cut at " << len;
    EXPECT_TRUE(r.error().is(StakesErrc::kMalformed)) << "cut at " << len << ": " << r.error().message;
  }
  for (const std::size_t len :
       {std::size_t{1}, std::size_t{40}, f->answer.size() / 2, f->answer.size() - 1}) {
    auto r = stakes_from_subnet_state(*f->view, ByteSpan(f->answer.data(), len), f->neurons);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is(StakesErrc::kMalformed)) << r.error().message;
  }
  Bytes longer = *small;
  longer.push_back(0);  // a byte after the struct
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, longer, eight).error().is(StakesErrc::kMalformed));
}

TEST(StakesFromSubnetState, ColumnsNotReadAreStillChecked) {
  PYLON_FIXTURE(f);
  // Only hotkeys and the stakes are kept; a bad byte in another column still refuses the answer.
  std::vector<codec::views::NeuronLite> eight(f->neurons.begin(), f->neurons.begin() + 8);
  auto bytes = test::subnet_state_answer(*f->md, 1, eight, 3);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  // Some, netuid, hotkeys and coldkeys (a length byte and 8 accounts each), active's length byte.
  const std::size_t first_active = 1 + 1 + 2 * (1 + 8 * 32) + 1;
  ASSERT_LE((*bytes)[first_active], 1);
  (*bytes)[first_active] = 2;  // a bool that is neither 0 nor 1
  auto r = stakes_from_subnet_state(*f->view, *bytes, eight);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(StakesErrc::kMalformed)) << r.error().message;
  EXPECT_NE(r.error().message.find("active"), std::string::npos) << r.error().message;
}

TEST(StakesFromSubnetState, UidOutOfRangeOrRepeatedIsAMismatch) {
  PYLON_FIXTURE(f);
  auto out_of_range = f->neurons;
  out_of_range.back().uid = 1024;
  auto r = stakes_from_subnet_state(*f->view, f->answer, out_of_range);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(StakesErrc::kMismatch)) << r.error().message;
  EXPECT_NE(r.error().message.find("1024"), std::string::npos) << r.error().message;
  out_of_range.back().uid = 65535;
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, f->answer, out_of_range).error().is(StakesErrc::kMismatch));
  // uid 5 twice (hotkey and all): uid 6's columns would be nobody's, so the answers disagree.
  auto repeated = f->neurons;
  repeated[6] = repeated[5];
  auto d = stakes_from_subnet_state(*f->view, f->answer, repeated);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.error().is(StakesErrc::kMismatch)) << d.error().message;
}

TEST(StakesFromSubnetState, OtherNeuronsNoneAndMissingColumns) {
  PYLON_FIXTURE(f);
  auto other = f->neurons;
  other[17].hotkey.bytes()[0] ^= 1;
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, f->answer, other).error().is(StakesErrc::kMismatch));
  other = f->neurons;
  other.pop_back();
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, f->answer, other).error().is(StakesErrc::kMismatch));
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, Bytes{0}, f->neurons).error().is(StakesErrc::kAbsent));
  EXPECT_TRUE(stakes_from_subnet_state(*f->view, Bytes{}, f->neurons).error().is(StakesErrc::kMalformed));
  // A subnet state without hotkeys in this runtime's shape: all lists empty, no neurons: a value.
  auto empty = test::subnet_state_answer(*f->md, 1, {}, 0);
  ASSERT_TRUE(empty.ok());
  auto none = stakes_from_subnet_state(*f->view, *empty, {});
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace pylon::follower

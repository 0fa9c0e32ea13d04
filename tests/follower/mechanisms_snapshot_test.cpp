// build_snapshot's per-mechanism fields through ChainClient behind a scripted node
// (tests/chain/scripted_transport.hpp), on real metadata: the devnet runtime (spec 381, which has
// mechanisms and get_selective_mechagraph) and the local one (spec 293, which has neither). The
// node's answers are built from the metadata's own types: the neurons field by field, storage
// values and the mechagraph answer by Pylon's encoder (whose mechagraph bytes the polkadot-js
// oracle reads back in tests/codec/mechagraph_test.cpp).
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../chain/scripted_transport.hpp"
#include "../codec/mechanism_answers.hpp"
#include "chain/chain_client.hpp"
#include "codec/scale_writer.hpp"
#include "codec/views/shapes.hpp"
#include "follower/snapshot.hpp"

namespace pylon::follower {
namespace {

using chain::testing::ScriptedTransport;

constexpr const char* kDevnet = test::kDevnetMetadata;
constexpr const char* kLocal = test::kLocalMetadata;
constexpr std::uint16_t kNetuid = 3;
constexpr std::size_t kNeurons = 4;

// The metadata file as the node's answer to Metadata_metadata_at_version: hex text as it is, raw
// bytes as hex.
std::string metadata_answer(const char* rel) {
  std::string text = test::read_file(test::shared_path(rel));
  if (text.rfind("0x", 0) == 0) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.pop_back();
    return "\"" + text + "\"";
  }
  return "\"" + to_hex(Bytes(text.begin(), text.end())) + "\"";
}

// The zero value of any type, SCALE-encoded: every integer 0, every sequence empty, every enum
// its first variant.
void write_zero(const codec::TypeRegistry& reg, codec::TypeId id, codec::ScaleWriter& w) {
  const codec::TypeDef& t = reg[id];
  switch (t.kind) {
    case codec::TypeKind::Composite:
      for (const auto& f : t.fields) write_zero(reg, f.type, w);
      return;
    case codec::TypeKind::Variant:
      w.u8(t.variants[0].index);
      for (const auto& f : t.variants[0].fields) write_zero(reg, f.type, w);
      return;
    case codec::TypeKind::Array:
      for (std::uint32_t i = 0; i < t.len; ++i) write_zero(reg, t.elem, w);
      return;
    case codec::TypeKind::Tuple:
      for (codec::TypeId x : t.tuple) write_zero(reg, x, w);
      return;
    case codec::TypeKind::Primitive:
      if (t.prim == codec::Primitive::Str) {
        w.u8(0);
        return;
      }
      for (std::size_t i = 0; i < codec::primitive_size(t.prim); ++i) w.u8(0);
      return;
    case codec::TypeKind::Sequence:
    case codec::TypeKind::Compact:
    case codec::TypeKind::BitSequence:
      w.u8(0);
      return;
  }
}

// get_neurons_lite's answer for uids 0..n-1 of `netuid`: each NeuronInfoLite written field by
// field in the metadata's order, zero but for its hotkey (32 bytes of uid + 1), uid and netuid.
std::string neurons_answer(const codec::Metadata& md, std::uint16_t netuid, std::size_t n) {
  const codec::RuntimeApiMethod* m = md.api_method("NeuronInfoRuntimeApi_get_neurons_lite");
  const codec::TypeRegistry& reg = md.types;
  const codec::TypeDef& neuron = reg[reg[m->output].elem];
  codec::ScaleWriter w;
  w.compact(n);
  for (std::size_t uid = 0; uid < n; ++uid) {
    for (const auto& f : neuron.fields) {
      if (f.name == "hotkey") {
        for (int i = 0; i < 32; ++i) w.u8(static_cast<std::uint8_t>(uid + 1));
      } else if (f.name == "uid" || f.name == "netuid") {
        const std::uint64_t v = f.name == "uid" ? uid : netuid;
        auto shape = codec::views::int_shape(reg, f.type);
        if (shape->compact) {
          w.compact(v);
        } else {
          for (std::size_t i = 0; i < shape->width; ++i) w.u8(static_cast<std::uint8_t>(v >> (8 * i)));
        }
      } else {
        write_zero(reg, f.type, w);
      }
    }
  }
  return "\"" + to_hex(w.out()) + "\"";
}

// Bytes as the node's hex answer.
std::string hex_answer(const Bytes& b) {
  return "\"" + to_hex(b) + "\"";
}

std::string storage_answer(const codec::Metadata& md, const char* item, const std::string& json) {
  return hex_answer(test::subtensor_value(md, item, json));
}

std::string mechagraph_answer(const codec::Metadata& md, std::uint16_t netuid, const std::string& incentives,
                              const std::string& last_update) {
  return hex_answer(test::mechagraph_answer(md, netuid, incentives, last_update));
}

const BuildOptions kNeuronsOnly{
    .hyperparams = false, .commitments = false, .timestamp = false, .stakes = false, .epoch = {}};
const chain::BlockRef kAt{BlockHash{}, 100};

std::string version(std::uint32_t spec) {
  return R"({"specName":"node-subtensor","specVersion":)" + std::to_string(spec) +
         R"(,"transactionVersion":1})";
}

// The first lines every build reads: the runtime version, the metadata and the neurons.
std::string head(const codec::Metadata& md, const char* rel, std::uint32_t spec) {
  return version(spec) + "\n" + metadata_answer(rel) + "\n" + neurons_answer(md, kNetuid, kNeurons) + "\n";
}

TEST(MechanismSnapshot, DevnetReadsEachMechanismsFieldsWithOneCall) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = test::load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  ScriptedTransport node(head(*md, kDevnet, 381) + storage_answer(*md, "MechanismCountCurrent", "3") + "\n" +
                         storage_answer(*md, "MechanismEmissionSplit", "[30000, 20000, 15535]") + "\n" +
                         mechagraph_answer(*md, kNetuid, "[10, 65535, 0, 7]", "[90, 91, 92, 93]") + "\n" +
                         mechagraph_answer(*md, kNetuid, "[1, 2]", "[]") + "\n");
  chain::ChainClient chain(node);
  auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->neurons.size(), kNeurons);
  EXPECT_EQ(s->mechanisms, (codec::views::Mechanisms{3, {30000, 20000, 15535}}));
  EXPECT_EQ(s->mechanisms_unavailable, "");
  ASSERT_EQ(s->mechanism_neurons.size(), 2u);
  const MechanismNeurons* one = s->mechanism(1);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->emission_share, std::optional<std::uint16_t>(20000));
  EXPECT_EQ(one->incentives, (std::vector<std::uint16_t>{10, 65535, 0, 7}));
  EXPECT_EQ(one->last_update, (std::vector<std::uint64_t>{90, 91, 92, 93}));
  const MechanismNeurons* two = s->mechanism(2);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->emission_share, std::optional<std::uint16_t>(15535));
  EXPECT_EQ(two->incentives, (std::vector<std::uint16_t>{1, 2}));  // a mechanism not yet through an epoch
  EXPECT_TRUE(two->last_update.empty());
  EXPECT_EQ(s->mechanism(0), nullptr);  // mechanism 0 is the neurons'
  // One call per mechanism >= 1, each asking for (netuid 3, mecid m, [last_update 59, incentives 62]).
  ASSERT_EQ(node.calls.size(), 7u);
  const std::string method = "state_call[\"" + std::string(codec::views::MechagraphView::kMethod) + "\",";
  EXPECT_EQ(node.calls[5].rfind(method + "\"0x030001083b003e00\"", 0), 0u) << node.calls[5];
  EXPECT_EQ(node.calls[6].rfind(method + "\"0x030002083b003e00\"", 0), 0u) << node.calls[6];
}

TEST(MechanismSnapshot, OneMechanismReadsOnlyTheCount) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = test::load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  ScriptedTransport node(head(*md, kDevnet, 381) + "null\n");  // nothing stored: the default, 1
  chain::ChainClient chain(node);
  auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->mechanisms, codec::views::Mechanisms{});
  EXPECT_TRUE(s->mechanism_neurons.empty());
  EXPECT_EQ(node.calls.size(), 4u);
}

TEST(MechanismSnapshot, ARuntimeWithoutMechanismsBuildsAsBefore) {
  PYLON_REQUIRE_SHARED(kLocal);
  auto md = test::load_shared_metadata(kLocal);
  ASSERT_TRUE(md);
  ScriptedTransport node(head(*md, kLocal, 293));
  chain::ChainClient chain(node);
  auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->neurons.size(), kNeurons);
  EXPECT_EQ(s->mechanisms, codec::views::Mechanisms{});
  EXPECT_TRUE(s->mechanism_neurons.empty());
  EXPECT_EQ(node.calls.size(), 3u) << "a runtime without mechanisms must not be asked for them";
}

TEST(MechanismSnapshot, AReadTheNodeRefusesLeavesThemUnavailable) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = test::load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  {
    ScriptedTransport node(head(*md, kDevnet, 381) + "!-32000\n");
    chain::ChainClient chain(node);
    auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->neurons.size(), kNeurons);
    EXPECT_FALSE(s->mechanisms);
    EXPECT_NE(s->mechanisms_unavailable.find("MechanismCountCurrent at #100"), std::string::npos)
        << s->mechanisms_unavailable;
  }
  {  // the count is known; the mechagraph call is refused
    ScriptedTransport node(head(*md, kDevnet, 381) + "\"0x02\"\nnull\n!-32000\n");
    chain::ChainClient chain(node);
    auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->mechanisms, (codec::views::Mechanisms{2, {}}));
    EXPECT_TRUE(s->mechanism_neurons.empty());
    EXPECT_NE(s->mechanisms_unavailable.find("get_selective_mechagraph at #100"), std::string::npos)
        << s->mechanisms_unavailable;
    const MechanismNeurons* none = s->mechanism(1);
    EXPECT_EQ(none, nullptr);
  }
}

TEST(MechanismSnapshot, AnswersThatDoNotDecodeFailTheBuild) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = test::load_shared_metadata(kDevnet);
  ASSERT_TRUE(md);
  auto fails = [&](const std::string& tail, std::string_view needle) {
    ScriptedTransport node(head(*md, kDevnet, 381) + tail);
    chain::ChainClient chain(node);
    auto s = build_snapshot(chain, kNetuid, kAt, kNeuronsOnly);
    ASSERT_FALSE(s.ok()) << "built with " << tail;
    EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().message;
  };
  fails("\"0x00\"\n", "MechanismCountCurrent is 0");
  fails("\"0x0200\"\n", "MechanismCountCurrent");  // a trailing byte
  fails("\"0x02\"\n\"0x0840\"\n", "MechanismEmissionSplit");
  fails("\"0x02\"\nnull\n" + mechagraph_answer(*md, kNetuid, "[1, 2, 3, 4, 5]", "[]") + "\n",
        "\"incentives\" has 5 entries");
  fails("\"0x02\"\nnull\n" + mechagraph_answer(*md, kNetuid + 1, "[]", "[]") + "\n", "answered for netuid 4");
  fails("\"0x02\"\nnull\n\"0x00\"\n", "None");
  fails("\"0x02\"\nnull\n\"0x0103\"\n", codec::views::MechagraphView::kMethod);
}

}  // namespace
}  // namespace pylon::follower

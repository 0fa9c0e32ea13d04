// Typed views: the 1024-neuron golden decodes into rows equal to polkadot-js's decode, the same
// rows come out of every metadata file whose NeuronInfoLite is unchanged, and hyperparameters
// read by name.
#include "codec/ss58.hpp"
#include "codec/views/neuron_lite.hpp"
#include "codec/views/hyperparams.hpp"
#include "json_compare.hpp"
#include "test_support.hpp"

namespace pylon::codec::views {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";
constexpr const char* kNeuronsGolden = "chain/golden/NeuronInfoRuntimeApi_get_neurons_lite.metagraph.json";

std::uint64_t num(simdjson::dom::element e) {
  if (e.is_string()) return std::stoull(std::string(std::string_view(e)));
  return e.is_uint64() ? uint64_t(e) : static_cast<std::uint64_t>(int64_t(e));
}

struct Golden {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  Bytes bytes;
};

std::unique_ptr<Golden> load_golden(const char* rel) {
  auto g = std::make_unique<Golden>();
  g->doc = g->parser.load(test::shared_path(rel));
  g->bytes = *from_hex(std::string_view(g->doc["result_hex"]));
  return g;
}

TEST(NeuronLiteView, GoldenMetagraphMatchesOracleRowByRow) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED(kNeuronsGolden);
  auto md = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok());
  auto view = NeuronLiteView::resolve(*md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  auto g = load_golden(kNeuronsGolden);
  auto rows = view->decode_all(g->bytes);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  auto expected = simdjson::dom::array(g->doc["decoded"]);
  ASSERT_EQ(rows->size(), expected.size());
  ASSERT_EQ(rows->size(), 1024u);
  std::size_t i = 0;
  for (auto e : expected) {
    const NeuronLite& n = (*rows)[i++];
    SCOPED_TRACE("neuron " + std::to_string(i - 1));
    EXPECT_EQ(ss58_encode(n.hotkey), std::string_view(e["hotkey"]));
    EXPECT_EQ(ss58_encode(n.coldkey), std::string_view(e["coldkey"]));
    EXPECT_EQ(n.uid, num(e["uid"]));
    EXPECT_EQ(n.netuid, num(e["netuid"]));
    EXPECT_EQ(n.active, bool(e["active"]));
    EXPECT_EQ(n.axon.block, num(e["axon_info"]["block"]));
    EXPECT_EQ(n.axon.version, num(e["axon_info"]["version"]));
    EXPECT_EQ(static_cast<std::uint64_t>(n.axon.ip), num(e["axon_info"]["ip"]));
    EXPECT_EQ(n.axon.port, num(e["axon_info"]["port"]));
    EXPECT_EQ(n.axon.ip_type, num(e["axon_info"]["ip_type"]));
    EXPECT_EQ(n.axon.protocol, num(e["axon_info"]["protocol"]));
    EXPECT_EQ(n.prometheus.block, num(e["prometheus_info"]["block"]));
    auto stake = simdjson::dom::array(e["stake"]);
    ASSERT_EQ(n.stake.size(), stake.size());
    std::size_t k = 0;
    for (auto s : stake) {
      EXPECT_EQ(ss58_encode(n.stake[k].coldkey), std::string_view(s.at(0)));
      EXPECT_EQ(n.stake[k].amount, num(s.at(1)));
      ++k;
    }
    EXPECT_EQ(n.rank, num(e["rank"]));
    EXPECT_EQ(n.emission, num(e["emission"]));
    EXPECT_EQ(n.incentive, num(e["incentive"]));
    EXPECT_EQ(n.consensus, num(e["consensus"]));
    EXPECT_EQ(n.trust, num(e["trust"]));
    EXPECT_EQ(n.validator_trust, num(e["validator_trust"]));
    EXPECT_EQ(n.dividends, num(e["dividends"]));
    EXPECT_EQ(n.last_update, num(e["last_update"]));
    EXPECT_EQ(n.validator_permit, bool(e["validator_permit"]));
    EXPECT_EQ(n.pruning_score, num(e["pruning_score"]));
  }
}

bool same(const NeuronLite& a, const NeuronLite& b) {
  if (a.stake.size() != b.stake.size()) return false;
  for (std::size_t i = 0; i < a.stake.size(); ++i)
    if (a.stake[i].coldkey != b.stake[i].coldkey || a.stake[i].amount != b.stake[i].amount) return false;
  return a.hotkey == b.hotkey && a.coldkey == b.coldkey && a.uid == b.uid && a.netuid == b.netuid &&
         a.active == b.active && a.axon.ip == b.axon.ip && a.axon.port == b.axon.port &&
         a.axon.block == b.axon.block && a.rank == b.rank && a.emission == b.emission &&
         a.incentive == b.incentive && a.consensus == b.consensus && a.trust == b.trust &&
         a.validator_trust == b.validator_trust && a.dividends == b.dividends &&
         a.last_update == b.last_update && a.validator_permit == b.validator_permit &&
         a.pruning_score == b.pruning_score;
}

TEST(NeuronLiteView, SameRowsFromEveryMetadataWithTheSameLayout) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED(kNeuronsGolden);
  auto g = load_golden(kNeuronsGolden);
  auto finney = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(finney.ok());
  auto reference = NeuronLiteView::resolve(*finney)->decode_all(g->bytes);
  ASSERT_TRUE(reference.ok());
  int compared = 0;
  for (const char* rel :
       {"chain/localnet/spec293-metadata-v15.option.hex", "chain/devnet-metadata-v16.scale"}) {
    SCOPED_TRACE(rel);
    auto md = load_metadata_file(test::shared_path(rel));
    ASSERT_TRUE(md.ok()) << md.error().message;
    auto view = NeuronLiteView::resolve(*md);
    ASSERT_TRUE(view.ok()) << view.error().message;
    auto rows = view->decode_all(g->bytes);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->size(), reference->size());
    for (std::size_t i = 0; i < rows->size(); ++i)
      ASSERT_TRUE(same((*rows)[i], (*reference)[i])) << "neuron " << i;
    ++compared;
  }
  // V14 carries no runtime APIs (nor the types only they use): resolving says so.
  auto v14 = load_metadata_file(test::shared_path("chain/localnet/spec293-metadata-v14.hex"));
  ASSERT_TRUE(v14.ok());
  auto none = NeuronLiteView::resolve(*v14);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("get_neurons_lite"), std::string::npos);
  EXPECT_EQ(compared, 2);
}

TEST(NeuronLiteView, RejectsTruncatedAndTrailingBytesWithLocation) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED(kNeuronsGolden);
  auto g = load_golden(kNeuronsGolden);
  auto md = load_metadata_file(test::shared_path(kFinney));
  auto view = NeuronLiteView::resolve(*md);
  ASSERT_TRUE(view.ok());
  Bytes cut(g->bytes.begin(), g->bytes.end() - 5);
  auto r = view->decode_all(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("neuron [1023]"), std::string::npos) << r.error().message;
  Bytes extra = g->bytes;
  extra.push_back(0);
  auto e = view->decode_all(extra);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("left after 1024 neurons"), std::string::npos) << e.error().message;
  // A count far larger than the bytes is refused before allocating.
  const Bytes huge{0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(view->decode_all(huge).ok());
}

TEST(RecordView, Spec208HyperparamsReadByName) {
  PYLON_REQUIRE_SHARED(kFinney);
  const char* rel =
      "chain/golden/SubnetInfoRuntimeApi_get_subnet_hyperparams.get_subnet_hyperparameters.json";
  PYLON_REQUIRE_SHARED(rel);
  auto md = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(hyperparams_method(**md), "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2");
  auto g = load_golden(rel);
  auto view = RecordView::resolve_api(*md, "SubnetInfoRuntimeApi_get_subnet_hyperparams");
  ASSERT_TRUE(view.ok()) << view.error().message;
  // The wrapped spec-208 bytes are refused as they are...
  auto wrapped = view->decode(g->bytes);
  ASSERT_FALSE(wrapped.ok());
  EXPECT_NE(wrapped.error().message.find("Option tag"), std::string::npos);
  // ...and decode once the Vec<u8> is removed and Some prepended.
  ScaleReader r(g->bytes);
  auto inner = r.byte_vec();
  ASSERT_TRUE(inner.ok());
  Bytes some{1};
  some.insert(some.end(), inner->begin(), inner->end());
  auto rec = view->decode(some);
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  ASSERT_TRUE(rec->has_value());
  std::size_t n = 0;
  for (auto [k, v] : simdjson::dom::object(g->doc["decoded"])) {
    SCOPED_TRACE(std::string(k));
    const Scalar* s = (*rec)->find(k);
    ASSERT_NE(s, nullptr);
    if (v.is_bool())
      EXPECT_EQ((*rec)->flag(k), bool(v));
    else
      EXPECT_EQ((*rec)->u64(k), num(v));
    ++n;
  }
  EXPECT_EQ(n, (*rec)->fields.size());
  EXPECT_EQ((*rec)->u64("tempo"), 1000u);
  // None decodes to no record.
  auto none = view->decode(Bytes{0});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace pylon::codec::views

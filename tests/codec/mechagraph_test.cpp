// The per-mechanism neuron fields read through get_selective_mechagraph, on the devnet metadata
// (spec 381, which has mechanisms): the method found and its fields selected by name, the
// arguments encoded with the method's own input types, and answers built by Pylon's encoder from
// the metadata's type — checked by the polkadot-js oracle to decode to the same values — decoded
// back exactly. Runtimes without the method (the local spec 293) give no view.
#include <simdjson.h>

#include "codec/encoder.hpp"
#include "codec/metadata.hpp"
#include "codec/views/mechanisms.hpp"
// The oracle runner of the keys tests (linked into test_codec); its shared-folder macro gives way
// to the codec tests' own, which names the file it needs.
#include "../keys/test_support.hpp"
#undef PYLON_REQUIRE_SHARED
#include "test_support.hpp"

namespace pylon::codec::views {
namespace {

constexpr const char* kDevnet = "chain/devnet-metadata-v16.scale";
constexpr std::string_view kMethod = MechagraphView::kMethod;

std::shared_ptr<const Metadata> load(const char* rel) {
  auto md = load_metadata_file(test::shared_path(rel));
  EXPECT_TRUE(md.ok()) << md.error().message;
  return md.ok() ? *md : nullptr;
}

std::string json_list(const std::vector<std::uint64_t>& xs) {
  std::string s = "[";
  for (std::size_t i = 0; i < xs.size(); ++i) s += (i ? "," : "") + std::to_string(xs[i]);
  return s + "]";
}

// A SelectiveMetagraph answer as the runtime would encode it: every field None but netuid and the
// ones given (JSON text by field name), built by the encoder from the metadata's output type.
Result<Bytes> answer(const Metadata& md, std::uint16_t netuid,
                     const std::vector<std::pair<std::string, std::string>>& given) {
  const RuntimeApiMethod* m = md.api_method(kMethod);
  if (!m) return make_error("no method");
  const TypeDef& opt = md.types[m->output];
  const TypeDef& st = md.types[opt.variants[1].fields[0].type];
  std::string json = "{";
  for (std::size_t i = 0; i < st.fields.size(); ++i) {
    const std::string& name = st.fields[i].name;
    std::string value = name == "netuid" ? std::to_string(netuid) : "null";
    for (const auto& [k, v] : given)
      if (k == name) value = v;
    json += (i ? ",\"" : "\"") + name + "\":" + value;
  }
  json += "}";
  simdjson::dom::parser p;
  simdjson::dom::element e = p.parse(json);
  return encode_json(md.types, m->output, e);
}

TEST(Mechagraph, DevnetSelectsThePerMechanismFieldsByName) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = load(kDevnet);
  ASSERT_TRUE(md);
  auto view = MechagraphView::resolve(md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  ASSERT_TRUE(*view);
  // Positions in SelectiveMetagraph as polkadot-js lists the devnet type: last_update is field
  // 59, incentives 62 (and subtensor's SelectiveMetagraphIndex numbers fields in struct order).
  EXPECT_EQ((*view)->selected(), (std::vector<std::uint16_t>{59, 62}));
  // (netuid u16 = 3, mecid u8 = 1, metagraph_indexes Vec<u16> = [59, 62])
  auto args = (*view)->args(3, 1);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(to_hex(*args), "0x030001083b003e00");
}

TEST(Mechagraph, RuntimesWithoutTheMethodGiveNoView) {
  const char* rel = "chain/localnet/spec293-metadata-v15.option.hex";
  PYLON_REQUIRE_SHARED(rel);
  auto md = load(rel);
  ASSERT_TRUE(md);
  auto view = MechagraphView::resolve(md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_FALSE(*view);
  EXPECT_FALSE(has_mechanisms(*md));
}

TEST(Mechagraph, AnswersDecodeAsTheOracleDecodesThem) {
  PYLON_REQUIRE_SHARED(kDevnet);
  PYLON_REQUIRE_ORACLE();
  auto md = load(kDevnet);
  ASSERT_TRUE(md);
  auto view = MechagraphView::resolve(md);
  ASSERT_TRUE(view.ok() && *view);
  const std::vector<std::uint64_t> incentives{0, 65535, 1, 300, 12345};
  // Compact widths 1, 2, 4 and big-integer mode, up to 2^52 - 1 (the largest integer polkadot-js
  // prints as a JSON number).
  const std::vector<std::uint64_t> last_update{0, 63, 16384, 1073741824, 4503599627370495};
  auto bytes =
      answer(*md, 7, {{"incentives", json_list(incentives)}, {"last_update", json_list(last_update)}});
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;

  auto o = keys::test::run_oracle(
      {"decode-api", test::shared_path(kDevnet), std::string(kMethod), to_hex(*bytes)});
  ASSERT_EQ(o.exit_code, 0) << o.out;
  simdjson::dom::parser p;
  simdjson::dom::element d = p.parse(o.out)["decoded"];
  EXPECT_EQ(std::uint64_t(d["netuid"]), 7u);
  std::vector<std::uint64_t> oi, ol;
  for (auto x : simdjson::dom::array(d["incentives"])) oi.push_back(std::uint64_t(x));
  for (auto x : simdjson::dom::array(d["last_update"])) ol.push_back(std::uint64_t(x));
  EXPECT_EQ(oi, incentives) << "the oracle reads other incentives from Pylon's answer";
  EXPECT_EQ(ol, last_update) << "the oracle reads other last_update from Pylon's answer";
  EXPECT_TRUE(d["dividends"].is_null());

  auto c = (*view)->decode(*bytes, 7, 1, incentives.size());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(std::vector<std::uint64_t>(c->incentives.begin(), c->incentives.end()), oi);
  EXPECT_EQ(c->last_update, ol);
}

TEST(Mechagraph, AnswersThatDoNotFitAreErrorsNamingTheField) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto md = load(kDevnet);
  ASSERT_TRUE(md);
  auto view = MechagraphView::resolve(md);
  ASSERT_TRUE(view.ok() && *view);
  const MechagraphView& v = **view;
  auto malformed = [](const Result<MechanismColumns>& r, std::string_view needle) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind_of<MechagraphErrc>(), MechagraphErrc::kMalformed);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  auto full = answer(*md, 2, {{"incentives", "[1,2]"}, {"last_update", "[3,4]"}});
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(v.decode(*full, 2, 1, 2).ok());
  // A shorter column than the neurons is the chain's (missing entries read as 0); a longer one
  // does not fit the subnet.
  auto shorter = v.decode(*full, 2, 1, 5);
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(shorter->incentives, (std::vector<std::uint16_t>{1, 2}));
  malformed(v.decode(*full, 2, 1, 1), "\"incentives\" has 2 entries");
  malformed(v.decode(*full, 3, 1, 2), "answered for netuid 2");
  malformed(v.decode(Bytes{0x00}, 2, 1, 2), "None");
  auto missing = answer(*md, 2, {{"incentives", "[1,2]"}});
  ASSERT_TRUE(missing.ok());
  malformed(v.decode(*missing, 2, 1, 2), "\"last_update\" was selected but not answered");
  Bytes cut = *full;
  cut.pop_back();
  malformed(v.decode(cut, 2, 1, 2), std::string(kMethod));
  Bytes extra = *full;
  extra.push_back(0);
  EXPECT_FALSE(v.decode(extra, 2, 1, 2).ok());
}

}  // namespace
}  // namespace pylon::codec::views

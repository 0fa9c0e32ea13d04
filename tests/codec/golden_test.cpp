// Every golden in shared/chain/golden decodes to exactly its `decoded` (structural compare of the
// whole document), and every recorded state_call result either decodes or fails cleanly.
#include <filesystem>

#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"
#include "json_compare.hpp"
#include "test_support.hpp"

namespace pylon::codec {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";

std::shared_ptr<const Metadata> finney() {
  static auto md = load_metadata_file(test::shared_path(kFinney));
  return md.ok() ? *md : nullptr;
}

TEST(Golden, EveryGoldenDecodesToItsDecodedValue) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED("chain/golden");
  auto md = finney();
  ASSERT_NE(md, nullptr);
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::shared_path("chain/golden"))) {
    simdjson::dom::parser parser;
    simdjson::dom::element g = parser.load(entry.path().string());
    const std::string method{std::string_view(g["method"])};
    const std::string result_hex{std::string_view(g["result_hex"])};
    SCOPED_TRACE(entry.path().filename().string());
    const RuntimeApiMethod* m = md->api_method(method);
    ASSERT_NE(m, nullptr) << method;
    auto bytes = from_hex(result_hex);
    ASSERT_TRUE(bytes.ok());
    auto v = decode_exact(md->types, m->output, *bytes);
    const bool wrapped = g["spec_version"].error() == simdjson::SUCCESS && uint64_t(g["spec_version"]) < 250;
    if (wrapped) {
      // Spec 208 returned SCALE Vec<u8> holding the value: with this metadata it must be refused...
      ASSERT_FALSE(v.ok()) << "a spec-208 answer decoded with spec-343 metadata";
      EXPECT_NE(v.error().message.find("Option tag"), std::string::npos) << v.error().message;
      // ...and unwrapped it is the Option's inner type, all bytes consumed.
      ScaleReader r(*bytes);
      auto inner = r.byte_vec();
      ASSERT_TRUE(inner.ok());
      ASSERT_TRUE(r.at_end());
      const TypeDef& opt = md->types[m->output];
      ASSERT_EQ(opt.special, Special::Option);
      v = decode_exact(md->types, opt.variants[1].fields[0].type, *inner);
    } else {
      EXPECT_EQ(md->types.display_name(m->output), std::string_view(g["output_type"]));
    }
    ASSERT_TRUE(v.ok()) << v.error().message;
    const std::string json = render_json(*v);
    simdjson::dom::parser p2;
    simdjson::dom::element ours = p2.parse(json);
    const std::string diff = test::json_diff(g["decoded"], ours);
    EXPECT_EQ(diff, "") << "first difference";
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

TEST(Golden, RecordedStateCallsDecodeOrFailCleanly) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED("chain/finney-recordings.json");
  auto md = finney();
  ASSERT_NE(md, nullptr);
  simdjson::dom::parser parser;
  simdjson::dom::element rec = parser.load(test::shared_path("chain/finney-recordings.json"));
  int decoded = 0, refused = 0;
  for (auto [scenario, methods] : simdjson::dom::object(rec)) {
    simdjson::dom::element calls;
    if (methods["state_call"].get(calls) != simdjson::SUCCESS) continue;
    // The spec of the scenario, from its recorded runtime versions.
    std::uint64_t spec = 0;
    simdjson::dom::element versions;
    if (methods["state_getRuntimeVersion"].get(versions) == simdjson::SUCCESS)
      for (auto [k, resp] : simdjson::dom::object(versions)) {
        simdjson::dom::element sv;
        if (resp["result"]["specVersion"].get(sv) == simdjson::SUCCESS) spec = uint64_t(sv);
      }
    for (auto [params, resp] : simdjson::dom::object(calls)) {
      simdjson::dom::parser pp;
      simdjson::dom::element args = pp.parse(std::string(params));
      const std::string method{std::string_view(args.at(0))};
      SCOPED_TRACE(std::string(scenario) + " " + method + " spec " + std::to_string(spec));
      const RuntimeApiMethod* m = md->api_method(method);
      ASSERT_NE(m, nullptr);
      auto bytes = from_hex(std::string_view(resp["result"]));
      ASSERT_TRUE(bytes.ok());
      auto v = decode_exact(md->types, m->output, *bytes);
      if (spec == 343 || spec == 0 || spec == 315) {
        // Same layout as the metadata's own spec (343), or a runtime whose layout is unchanged.
        EXPECT_TRUE(v.ok()) << v.error().message;
        decoded += v.ok();
      } else {
        // Spec 208 wrapped results in Vec<u8>: they must be refused with a located error.
        ASSERT_FALSE(v.ok()) << "spec " << spec << " bytes decoded with spec-343 metadata";
        EXPECT_NE(v.error().message.find("at byte"), std::string::npos) << v.error().message;
        ++refused;
      }
    }
  }
  EXPECT_GE(decoded, 3);
  EXPECT_GE(refused, 4);
}

}  // namespace
}  // namespace pylon::codec

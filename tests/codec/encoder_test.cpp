// The encoder is the decoder's inverse on real data: golden runtime-API answers, every constant and
// every storage default of each metadata file decode, render to JSON and encode back to the same
// bytes (from the JSON and from the Value). polkadot-js's own JSON of the goldens encodes to the
// recorded bytes too. Bad input is refused with the JSON path and the expected type, and nothing
// is written.
#include "codec/encoder.hpp"

#include <filesystem>

#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"
#include "codec/ss58.hpp"
#include "test_support.hpp"

namespace pylon::codec {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";
const char* const kAllMetadata[] = {kFinney, "chain/localnet/spec293-metadata-v15.option.hex",
                                    "chain/localnet/spec293-metadata-v14.hex",
                                    "chain/devnet-metadata-v16.scale"};

std::shared_ptr<const Metadata> load(const std::string& rel) {
  auto md = load_metadata_file(test::shared_path(rel));
  EXPECT_TRUE(md.ok()) << rel << ": " << md.error().message;
  return md.ok() ? *md : nullptr;
}

// decode -> render -> parse -> encode (from JSON and from the Value): the bytes must come back.
// Returns "" or what went wrong.
std::string round_trip(const TypeRegistry& reg, TypeId type, ByteSpan bytes) {
  auto v = decode_exact(reg, type, bytes);
  if (!v.ok()) return "decode: " + v.error().message;
  auto from_value = encode_value(reg, type, *v);
  if (!from_value.ok()) return "encode_value: " + from_value.error().message;
  if (*from_value != Bytes(bytes.begin(), bytes.end())) return "encode_value gave " + to_hex(*from_value);
  const std::string json = render_json(*v);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return "render_json gave invalid JSON";
  auto from_json = encode_json(reg, type, doc);
  if (!from_json.ok()) return "encode_json: " + from_json.error().message + " for " + json.substr(0, 200);
  if (*from_json != Bytes(bytes.begin(), bytes.end()))
    return "encode_json gave " + to_hex(*from_json).substr(0, 200) + " for " + json.substr(0, 200);
  return "";
}

TEST(Encoder, GoldensRoundTripAndPolkadotJsonEncodesToTheRecordedBytes) {
  PYLON_REQUIRE_SHARED(kFinney);
  PYLON_REQUIRE_SHARED("chain/golden");
  int checked = 0;
  for (const char* rel : kAllMetadata) {
    if (!test::have_shared(rel)) continue;
    auto md = load(rel);
    ASSERT_NE(md, nullptr);
    const bool finney = std::string(rel) == kFinney;
    for (const auto& entry : std::filesystem::directory_iterator(test::shared_path("chain/golden"))) {
      SCOPED_TRACE(std::string(rel) + " " + entry.path().filename().string());
      simdjson::dom::parser parser;
      simdjson::dom::element g = parser.load(entry.path().string());
      const RuntimeApiMethod* m = md->api_method(std::string_view(g["method"]));
      if (!m) continue;
      auto bytes = from_hex(std::string_view(g["result_hex"]));
      ASSERT_TRUE(bytes.ok());
      // Goldens are finney answers: other runtimes' layouts may not fit them, and the spec-208
      // golden is Vec<u8>-wrapped; only what decodes is a round-trip case there.
      if (!decode_exact(md->types, m->output, *bytes).ok()) {
        EXPECT_FALSE(finney && g["spec_version"].error() != simdjson::SUCCESS)
            << "finney golden does not decode";
        continue;
      }
      EXPECT_EQ(round_trip(md->types, m->output, *bytes), "");
      if (finney) {
        // polkadot-js's JSON (the oracle's normalisation) encodes to exactly the recorded bytes.
        auto enc = encode_json(md->types, m->output, g["decoded"]);
        ASSERT_TRUE(enc.ok()) << enc.error().message;
        EXPECT_EQ(to_hex(*enc), to_hex(*bytes));
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 3);
}

TEST(Encoder, EveryConstantAndStorageDefaultRoundTrips) {
  int files = 0;
  for (const char* rel : kAllMetadata) {
    if (!test::have_shared(rel)) continue;
    ++files;
    auto md = load(rel);
    ASSERT_NE(md, nullptr);
    int values = 0;
    for (const auto& p : md->pallets) {
      for (const auto& c : p.constants) {
        EXPECT_EQ(round_trip(md->types, c.type, c.value), "") << rel << " " << p.name << "." << c.name;
        ++values;
      }
      for (const auto& s : p.storage) {
        // Optional entries (absent -> None) carry the encoded None as their default, not a value.
        if (s.optional) continue;
        EXPECT_EQ(round_trip(md->types, s.value, s.default_value), "")
            << rel << " " << p.name << "." << s.name;
        ++values;
      }
    }
    EXPECT_GE(values, 300) << rel;
  }
  if (files == 0) GTEST_SKIP() << "no metadata under " << test::shared_dir() << " (set PYLON_SHARED_DIR)";
}

// --- error cases, on finney's real types ---

class EncoderErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    PYLON_REQUIRE_SHARED(kFinney);
    md_ = load(kFinney);
    ASSERT_NE(md_, nullptr);
  }
  TypeId call_field(const char* pallet, const char* call, const char* field) {
    const Pallet* p = md_->pallet(pallet);
    EXPECT_NE(p, nullptr);
    const Variant* v = md_->types[*p->calls].variant_named(call);
    EXPECT_NE(v, nullptr) << call;
    for (const auto& f : v->fields)
      if (f.name == field) return f.type;
    ADD_FAILURE() << "no field " << field;
    return 0;
  }
  TypeId calls(const char* pallet) { return *md_->pallet(pallet)->calls; }
  TypeId find(Special s) {
    for (TypeId i = 0; i < md_->types.types.size(); ++i)
      if (md_->types[i].special == s) return i;
    ADD_FAILURE();
    return 0;
  }
  Result<Bytes> enc(TypeId t, const std::string& json) {
    simdjson::dom::element doc = parser_.parse(json);
    return encode_json(md_->types, t, doc);
  }
  std::string err(TypeId t, const std::string& json) {
    auto r = enc(t, json);
    return r.ok() ? "(encoded " + to_hex(*r) + ")" : r.error().message;
  }

  std::shared_ptr<const Metadata> md_;
  simdjson::dom::parser parser_;
};

TEST_F(EncoderErrors, IntegersAreRangeChecked) {
  const TypeId u16 = call_field("SubtensorModule", "set_weights", "netuid");
  const TypeId u64 = call_field("SubtensorModule", "set_weights", "version_key");
  EXPECT_EQ(to_hex(*enc(u16, "65535")), "0xffff");
  EXPECT_EQ(to_hex(*enc(u16, "\"258\"")), "0x0201");
  EXPECT_EQ(to_hex(*enc(u64, "\"18446744073709551615\"")), "0xffffffffffffffff");
  EXPECT_EQ(err(u16, "65536"), "$: expected u16 (an integer from 0 to 65535), got 65536");
  EXPECT_EQ(err(u16, "-1"), "$: expected u16 (an integer from 0 to 65535), got -1");
  EXPECT_NE(err(u16, "1.5").find("expected u16"), std::string::npos);
  EXPECT_NE(err(u16, "\"12a\"").find("expected u16"), std::string::npos);
  EXPECT_NE(err(u64, "\"18446744073709551616\"").find("0 to 18446744073709551615"), std::string::npos);
  EXPECT_NE(err(u16, "true").find("expected u16"), std::string::npos);
}

TEST_F(EncoderErrors, CompositeFieldsAreAllRequiredAndUnknownOnesRefused) {
  const TypeId sw = calls("SubtensorModule");
  // Both the JSON key and the Rust spelling of a variant are accepted.
  auto ok =
      enc(sw, R"({"set_weights": {"netuid": 1, "dests": [1, 2], "weights": [65535, 7], "version_key": 5}})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(to_hex(*ok), "0x000100080100020008ffff07000500000000000000");
  EXPECT_EQ(err(sw, R"({"set_weights": {"netuid": 1, "dests": [], "weights": []}})"),
            "$.set_weights: missing field \"version_key\" of " + md_->types.display_name(sw));
  EXPECT_NE(err(sw, R"({"set_weights": {"netuid": 1, "dests": [], "weights": [], "version_key": 1, "x": 2}})")
                .find("$.set_weights: unknown field \"x\""),
            std::string::npos);
  EXPECT_EQ(
      err(sw, R"({"set_weights": {"netuid": 1, "dests": [1, 70000], "weights": [], "version_key": 1}})"),
      "$.set_weights.dests[1]: expected u16 (an integer from 0 to 65535), got 70000");
  EXPECT_NE(err(sw, R"({"set_weights": 5})").find("$.set_weights: expected"), std::string::npos);
}

TEST_F(EncoderErrors, EnumVariantsByNameAndUnknownOnesRefused) {
  const TypeId info = call_field("Commitments", "set_commitment", "info");
  const std::string data =
      md_->types.display_name(md_->types[md_->types[md_->types[info].fields[0].type].fields[0].type].elem);
  auto a = enc(info, R"({"fields": [{"raw4": "0x01020304"}, {"Raw2": "ab"}, {"none": null}, "None"]})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  // BoundedVec of 4: Raw4 (index 5), Raw2 (3) as text, None (0) twice.
  EXPECT_EQ(to_hex(*a), "0x1005010203040361620000");
  EXPECT_EQ(err(info, R"({"fields": [{"raw999": "0x00"}]})")
                .rfind("$.fields[0]: expected one of the variants of " + data, 0),
            0u)
      << err(info, R"({"fields": [{"raw999": "0x00"}]})");
  EXPECT_EQ(err(info, R"({"fields": [7]})").rfind("$.fields[0]: expected " + data, 0), 0u);
  EXPECT_NE(err(info, R"({"fields": ["raw4"]})").find("carries data"), std::string::npos);
  EXPECT_NE(err(info, R"({"fields": [{"raw4": "0x01", "raw8": "0x02"}]})").find("$.fields[0]: expected"),
            std::string::npos);
}

TEST_F(EncoderErrors, FixedArraysAndByteStringsAreLengthChecked) {
  const TypeId h256 = call_field("SubtensorModule", "commit_weights", "commit_hash");
  const std::string hash = "\"0x" + std::string(64, 'a') + "\"";
  EXPECT_EQ(enc(h256, hash)->size(), 32u);
  EXPECT_NE(err(h256, "\"0x" + std::string(62, 'a') + "\"").find("$: expected"), std::string::npos);
  EXPECT_NE(err(h256, "\"0x" + std::string(63, 'a') + "\"").find("odd"), std::string::npos);
  EXPECT_NE(err(h256, "\"0xzz\"").find("$: expected"), std::string::npos);
  const TypeId info = call_field("Commitments", "set_commitment", "info");
  EXPECT_NE(err(info, R"({"fields": [{"raw4": "abc"}]})").find("$.fields[0].raw4: expected"),
            std::string::npos);
}

TEST_F(EncoderErrors, AccountsAsSs58WithBittensorsPrefixOrHex) {
  const TypeId acct = find(Special::AccountId32);
  const std::string alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
  auto a = enc(acct, "\"" + alice + "\"");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(to_hex(*a), "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  EXPECT_EQ(*enc(acct, "\"" + to_hex(*a) + "\""), *a);
  std::string bad = alice;
  bad.back() = 'R';
  EXPECT_NE(err(acct, "\"" + bad + "\"").find("$: expected AccountId32"), std::string::npos);
  EXPECT_NE(err(acct, "\"" + ss58_encode(*a, 0) + "\"").find("prefix 0, expected Bittensor's 42"),
            std::string::npos);
  EXPECT_NE(err(acct, "\"0x1234\"").find("64 hex"), std::string::npos);
  EXPECT_NE(err(acct, "12").find("expected AccountId32"), std::string::npos);
}

TEST_F(EncoderErrors, NothingIsWrittenOnError) {
  const TypeId sw = calls("SubtensorModule");
  ScaleWriter w;
  w.u8(0xaa);
  simdjson::dom::element bad = parser_.parse(
      std::string(R"({"set_weights": {"netuid": 1, "dests": [1], "weights": [-1], "version_key": 1}})"));
  EXPECT_FALSE(encode_json_into(md_->types, sw, bad, w).ok());
  EXPECT_EQ(w.out(), Bytes{0xaa});
  Value v = Value::of_uint(70000);
  EXPECT_FALSE(
      encode_value_into(md_->types, call_field("SubtensorModule", "set_weights", "netuid"), v, w).ok());
  EXPECT_EQ(w.out(), Bytes{0xaa});
}

// --- a hand-built registry for shapes finney does not have (signed, wide, recursive) ---

TypeId add(TypeRegistry& reg, TypeDef t) {
  reg.types.push_back(std::move(t));
  return static_cast<TypeId>(reg.types.size() - 1);
}
TypeDef prim(Primitive p) {
  TypeDef t;
  t.kind = TypeKind::Primitive;
  t.prim = p;
  return t;
}

TEST(EncoderShapes, SignedWideCompactAndRecursiveTypes) {
  TypeRegistry reg;
  const TypeId i8 = add(reg, prim(Primitive::I8));
  const TypeId i128 = add(reg, prim(Primitive::I128));
  const TypeId u256 = add(reg, prim(Primitive::U256));
  const TypeId chr = add(reg, prim(Primitive::Char));
  TypeDef c;
  c.kind = TypeKind::Compact;
  c.elem = add(reg, prim(Primitive::U32));
  const TypeId cu32 = add(reg, c);
  TypeDef self;  // a newtype of itself: only the depth bound stops it
  self.kind = TypeKind::Composite;
  self.fields.push_back(Field{"", static_cast<TypeId>(reg.types.size()), ""});
  const TypeId loop = add(reg, self);
  ASSERT_TRUE(reg.finish().ok());

  simdjson::dom::parser p;
  auto e = [&](TypeId t, const char* json) { return encode_json(reg, t, p.parse(std::string(json))); };
  EXPECT_EQ(to_hex(*e(i8, "-128")), "0x80");
  EXPECT_FALSE(e(i8, "-129").ok());
  EXPECT_FALSE(e(i8, "128").ok());
  EXPECT_EQ(to_hex(*e(i128, "\"-1\"")), "0x" + std::string(32, 'f'));
  EXPECT_EQ(e(i128, "\"-170141183460469231731687303715884105729\"").error().message,
            "$: expected i128 (an integer from -170141183460469231731687303715884105728 to "
            "170141183460469231731687303715884105727), got \"-170141183460469231731687303715884105729\"");
  EXPECT_EQ(
      to_hex(*e(u256, "\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"")),
      "0x" + std::string(64, 'f'));
  EXPECT_EQ(to_hex(*e(chr, "\"\xc3\xa9\"")), "0xe9000000");
  EXPECT_FALSE(e(chr, "\"ab\"").ok());
  EXPECT_EQ(to_hex(*e(cu32, "1073741824")), "0x0300000040");
  EXPECT_EQ(to_hex(*e(cu32, "63")), "0xfc");
  EXPECT_FALSE(e(cu32, "4294967296").ok());
  auto deep = e(loop, "1");
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("nesting deeper than 64"), std::string::npos);
  // Values of a round trip through the decoder encode back for each of these.
  for (auto [t, hex] : {std::pair{i128, "0x00000000000000000000000000000080"}, std::pair{chr, "0x41000000"},
                        std::pair{cu32, "0x0300000040"}}) {
    auto v = decode_exact(reg, t, *from_hex(hex));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(to_hex(*encode_value(reg, t, *v)), hex);
  }
}

}  // namespace
}  // namespace pylon::codec

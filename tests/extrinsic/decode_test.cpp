// Extrinsics of a block body decode with the block's metadata to what polkadot-js reads from the
// same bytes (the oracle's decode-extrinsic): pallet, call, signer and every argument, under each
// metadata file; the hash and length follow the 2.x service (py-scale-codec): blake2b-256 of the
// whole encoding, the length without its compact prefix. Bytes that do not fit are errors with a
// DecodeErrc kind.
#include "extrinsic/decode.hpp"

#include <simdjson.h>

#include "call_cases.hpp"
#include "codec/json_render.hpp"
#include "codec/scale_writer.hpp"
#include "decoded_vs_oracle.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "gtest/gtest.h"
#include "keys/derive.hpp"
#include "keys/hash.hpp"
#include "test_support.hpp"

namespace pylon::extrinsic {
namespace {

using keys::test::run_oracle;

using test::expect_args_match;
using test::kMetadataFiles;

codec::Metadata const& load(const std::string& rel, std::shared_ptr<const codec::Metadata>& keep) {
  auto md = codec::load_metadata_file(keys::test::shared_dir() + "/" + rel);
  EXPECT_TRUE(md.ok()) << md.error().message;
  keep = *md;
  return *keep;
}

// An unsigned (bare, format 4) extrinsic of `call`: compact length, 0x04, the call.
Bytes bare(ByteSpan call) {
  codec::ScaleWriter w;
  w.compact(call.size() + 1);
  w.u8(0x04);
  w.bytes(call);
  return w.take();
}

// Pylon's own calls are decoded and checked against the oracle in signed_oracle_test, on the same
// oracle answer that checks how they were built; here a transfer, which block bodies are full of.
TEST(DecodeExtrinsic, SignedTransferMatchesTheOracleUnderEveryMetadata) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  auto alice = keys::key_from_uri("//Alice");
  ASSERT_TRUE(alice.ok());
  int checked = 0;
  for (const char* rel : kMetadataFiles) {
    SCOPED_TRACE(rel);
    std::shared_ptr<const codec::Metadata> keep;
    const codec::Metadata& md = load(rel, keep);
    auto call = encode_call_json(md, test::kTransfer.call, test::kTransfer.args);
    ASSERT_TRUE(call.ok()) << call.error().message;
    TxParams p;
    p.genesis_hash.bytes().fill(0x45);
    p.nonce = 9;
    p.tip = 5;
    auto signed_x = build_signed(md, *call, alice->keypair, p);
    ASSERT_TRUE(signed_x.ok()) << signed_x.error().message;
    auto r = run_oracle({"decode-extrinsic", keys::test::shared_dir() + "/" + rel, to_hex(signed_x->bytes)});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    simdjson::dom::parser parser;
    test::expect_decoded_as_oracle(md, *signed_x, test::kTransfer.call, parser.parse(r.out));
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(DecodeExtrinsic, UnsignedTimestampSetMatchesTheOracle) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  for (const char* rel : kMetadataFiles) {
    SCOPED_TRACE(rel);
    std::shared_ptr<const codec::Metadata> keep;
    const codec::Metadata& md = load(rel, keep);
    auto call = encode_call_json(md, "Timestamp.set", R"({"now":1733356800123})");
    ASSERT_TRUE(call.ok()) << call.error().message;
    const Bytes bytes = bare(*call);
    auto x = decode_extrinsic(md, bytes);
    ASSERT_TRUE(x.ok()) << x.error().message;
    EXPECT_FALSE(x->address);
    EXPECT_EQ(x->pallet, "Timestamp");
    EXPECT_EQ(x->call, "set");
    EXPECT_EQ(x->length, bytes.size() - 1);
    const auto h = keys::blake2b_256(bytes);
    EXPECT_TRUE(std::equal(h.begin(), h.end(), x->hash.bytes().begin()));
    ASSERT_EQ(x->args.size(), 1u);
    EXPECT_EQ(x->args[0].name, "now");
    EXPECT_EQ(x->args[0].type, "Moment");  // "T::Moment" in the metadata
    EXPECT_EQ(codec::render_json(x->args[0].value), "1733356800123");
    auto r = run_oracle({"decode-extrinsic", keys::test::shared_dir() + "/" + rel, to_hex(bytes)});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    simdjson::dom::parser parser;
    simdjson::dom::element d = parser.parse(r.out);
    EXPECT_FALSE(bool(d["is_signed"]));
    EXPECT_EQ(uint64_t(d["encoded_length"]), bytes.size());
    expect_args_match(*x, d["args"]);
  }
}

TEST(DecodeExtrinsic, ArgumentTypesAreTheMetadataNames) {
  PYLON_REQUIRE_SHARED();
  std::shared_ptr<const codec::Metadata> keep;
  const codec::Metadata& md = load("chain/finney-metadata-v15.option.hex", keep);
  auto call = encode_call_json(md, "SubtensorModule.set_weights",
                               R"({"netuid":1,"dests":[0],"weights":[1],"version_key":7})");
  ASSERT_TRUE(call.ok()) << call.error().message;
  auto x = decode_extrinsic(md, bare(*call));
  ASSERT_TRUE(x.ok()) << x.error().message;
  std::vector<std::string> names, types;
  for (const auto& a : x->args) {
    names.push_back(a.name);
    types.push_back(a.type);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"netuid", "dests", "weights", "version_key"}));
  // finney's typeNames: "NetUid", "Vec<u16>", "Vec<u16>", "u64"
  EXPECT_EQ(types, (std::vector<std::string>{"NetUid", "Vec<u16>", "Vec<u16>", "u64"}));
}

TEST(DecodeExtrinsic, TypeNamesLoseTheRustNoiseAsPyScaleCodecDoes) {
  codec::TypeRegistry reg;
  auto named = [&](std::string n) { return arg_type_name(reg, codec::Field{"f", 0, std::move(n)}); };
  EXPECT_EQ(named("T::AccountId"), "AccountId");
  EXPECT_EQ(named("AccountIdLookupOf<T>"), "AccountIdLookupOf");
  EXPECT_EQ(named("<T as Config>::RuntimeCall"), "RuntimeCall");
  EXPECT_EQ(named("Box<<T as Config<I>>::Proposal>"), "Box<Proposal>");
  EXPECT_EQ(named("Vec<u8>"), "Bytes");
  EXPECT_EQ(named("VecDeque<u16>"), "Vec<u16>");
  EXPECT_EQ(named("BoundedVec<u8, T::MaxLen>"), "BoundedVec<u8, MaxLen>");
  EXPECT_EQ(named("u16"), "u16");
}

// Bytes that do not fit: each an error of kind kMalformed or kUnsupported, never a partial answer.
TEST(DecodeExtrinsic, BytesThatDoNotFitAreErrorsWithKinds) {
  PYLON_REQUIRE_SHARED();
  std::shared_ptr<const codec::Metadata> keep;
  const codec::Metadata& md = load("chain/finney-metadata-v15.option.hex", keep);
  auto call = encode_call_json(md, "Timestamp.set", R"({"now":5})");
  ASSERT_TRUE(call.ok());
  const Bytes good = bare(*call);
  ASSERT_TRUE(decode_extrinsic(md, good).ok());
  auto kind = [&](const Bytes& b) -> std::optional<DecodeErrc> {
    auto x = decode_extrinsic(md, b);
    EXPECT_FALSE(x.ok());
    return x.ok() ? std::nullopt : x.error().kind_of<DecodeErrc>();
  };
  EXPECT_EQ(kind({}), DecodeErrc::kMalformed);  // no length prefix
  Bytes longer = good;
  longer.push_back(0);  // a byte the prefix does not count
  EXPECT_EQ(kind(longer), DecodeErrc::kMalformed);
  Bytes leftover = good;
  leftover[0] += 4;  // the prefix counts it: the call leaves a byte over
  leftover.push_back(0);
  EXPECT_EQ(kind(leftover), DecodeErrc::kMalformed);
  Bytes truncated = good;
  truncated.pop_back();
  truncated[0] -= 4;
  EXPECT_EQ(kind(truncated), DecodeErrc::kMalformed);
  Bytes no_pallet = good;
  no_pallet[2] = 0xff;  // no pallet at index 255
  EXPECT_EQ(kind(no_pallet), DecodeErrc::kMalformed);
  Bytes no_call = good;
  no_call[3] = 0xee;  // Timestamp has no call 0xee
  EXPECT_EQ(kind(no_call), DecodeErrc::kMalformed);
  Bytes v3 = good;
  v3[1] = 0x03;  // a format this runtime does not list
  EXPECT_EQ(kind(v3), DecodeErrc::kUnsupported);
  Bytes signed_cut = good;
  signed_cut[1] = 0x84;  // signed, but the bytes after are no address and signature
  EXPECT_EQ(kind(signed_cut), DecodeErrc::kMalformed);
}

TEST(DecodeExtrinsic, AddressesAsSs58) {
  codec::Value id;
  id.kind = codec::Value::Kind::AccountId;
  id.bytes.assign(32, 0);
  EXPECT_EQ(address_ss58(id), "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM");
  codec::Value multi;
  multi.kind = codec::Value::Kind::Variant;
  multi.text = "Id";
  multi.items.push_back(id);
  EXPECT_EQ(address_ss58(multi), "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM");
  multi.text = "Index";
  multi.items[0] = codec::Value::of_uint(3);
  EXPECT_EQ(address_ss58(multi), std::nullopt);
}

}  // namespace
}  // namespace pylon::extrinsic

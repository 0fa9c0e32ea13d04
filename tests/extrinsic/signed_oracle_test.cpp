// Extrinsics Pylon builds for every call it sends decode with polkadot-js under each metadata
// file with the right signer, call, arguments, era, nonce and tip, Pylon's own decoder reads them
// as polkadot-js does (decoded_vs_oracle.hpp), and their signatures verify with polkadot-js's
// sr25519 over the payload Pylon signed.
#include <simdjson.h>

#include "call_cases.hpp"
#include "codec/metadata.hpp"
#include "decoded_vs_oracle.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "extrinsic/weights_hash.hpp"
#include "gtest/gtest.h"
#include "keys/derive.hpp"
#include "keys/hash.hpp"
#include "test_support.hpp"

namespace pylon::extrinsic {
namespace {

using keys::test::run_oracle;

using test::kMetadataFiles;
using test::kPylonCalls;

TxParams params(std::uint64_t nonce, bool mortal) {
  TxParams p;
  p.genesis_hash.bytes().fill(0x45);
  p.spec_version = 293;
  p.tx_version = 1;
  p.nonce = nonce;
  p.tip = 12345;
  if (mortal) p.mortal = Mortality{64, 1000, {}};
  if (mortal) p.mortal->block_hash.bytes().fill(0x77);
  return p;
}

TEST(SignedExtrinsic, EveryCallDecodesAndVerifiesWithTheOracle) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  auto alice = keys::key_from_uri("//Alice");
  ASSERT_TRUE(alice.ok());
  int checked = 0;
  for (const char* rel : kMetadataFiles) {
    const std::string path = keys::test::shared_dir() + "/" + rel;
    auto md = codec::load_metadata_file(path);
    ASSERT_TRUE(md.ok()) << md.error().message;
    for (std::size_t i = 0; i < std::size(kPylonCalls); ++i) {
      SCOPED_TRACE(std::string(rel) + " " + kPylonCalls[i].call);
      auto call = encode_call_json(**md, kPylonCalls[i].call, kPylonCalls[i].args);
      ASSERT_TRUE(call.ok()) << call.error().message;
      const bool mortal = i % 2 == 1;
      const TxParams p = params(3 + i, mortal);
      auto x = build_signed(**md, *call, alice->keypair, p);
      ASSERT_TRUE(x.ok()) << x.error().message;
      auto r = run_oracle({"decode-extrinsic", path, to_hex(x->bytes)});
      ASSERT_EQ(r.exit_code, 0) << r.out;
      simdjson::dom::parser parser;
      simdjson::dom::element d = parser.parse(r.out);
      EXPECT_EQ(std::string_view(d["signer"]), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
      EXPECT_EQ(std::string_view(d["nonce"]), std::to_string(p.nonce));
      EXPECT_EQ(std::string_view(d["tip"]), "12345");
      EXPECT_EQ(uint64_t(d["encoded_length"]), x->bytes.size());
      const std::string call_name = kPylonCalls[i].call;
      const std::string method = call_name.substr(call_name.find('.') + 1);
      EXPECT_EQ(std::string_view(d["method"]), test::camel(method));  // polkadot-js prints camelCase
      // arguments: the oracle's decode equals what we encoded
      simdjson::dom::parser ap;
      simdjson::dom::element expected = ap.parse(std::string(kPylonCalls[i].args));
      EXPECT_EQ(simdjson::to_string(d["args"]), simdjson::to_string(expected));
      const std::string era = simdjson::to_string(d["era"]);
      EXPECT_NE(era.find(mortal ? "mortalEra" : "immortalEra"), std::string::npos) << era;
      // Pylon's decoder reads the same bytes as the oracle did
      test::expect_decoded_as_oracle(**md, *x, kPylonCalls[i].call, d);
      // the signature verifies over the payload
      auto payload = signing_payload(**md, *call, p);
      ASSERT_TRUE(payload.ok());
      auto v = run_oracle({"sr25519-verify", to_hex(alice->keypair.public_key), to_hex(*payload),
                           std::string(std::string_view(d["signature"]))});
      EXPECT_EQ(v.exit_code, 0) << v.out;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 20);  // 4 metadata files x 5 calls
}

TEST(SignedExtrinsic, LongPayloadIsSignedAsItsBlake2Hash) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  const std::string path = keys::test::shared_dir() + "/chain/finney-metadata-v15.option.hex";
  auto md = codec::load_metadata_file(path);
  ASSERT_TRUE(md.ok());
  std::string dests = "[", weights = "[";
  for (int u = 0; u < 200; ++u) {
    dests += (u ? "," : "") + std::to_string(u);
    weights += (u ? "," : "") + std::to_string(u * 300);
  }
  const std::string args =
      R"({"netuid":1,"dests":)" + dests + R"(],"weights":)" + weights + R"(],"version_key":0})";
  auto call = encode_call_json(**md, "SubtensorModule.set_weights", args);
  ASSERT_TRUE(call.ok()) << call.error().message;
  const TxParams p = params(0, false);
  auto payload = signing_payload(**md, *call, p);
  ASSERT_TRUE(payload.ok());
  ASSERT_EQ(payload->size(), 32u);  // hashed
  auto alice = keys::key_from_uri("//Alice");
  auto x = build_signed(**md, *call, alice->keypair, p);
  ASSERT_TRUE(x.ok());
  auto r = run_oracle({"decode-extrinsic", path, to_hex(x->bytes)});
  ASSERT_EQ(r.exit_code, 0);
  const std::string sig = keys::test::json_field(r.out, "signature");
  EXPECT_EQ(
      run_oracle({"sr25519-verify", to_hex(alice->keypair.public_key), to_hex(*payload), sig}).exit_code, 0);
  // and the transaction hash is blake2-256 of the whole extrinsic
  EXPECT_EQ(x->hash, ExtrinsicHash(keys::blake2b_256(x->bytes)));
}

TEST(SignedExtrinsic, UnknownExtensionsAreEmptyOrRefusedByName) {
  PYLON_REQUIRE_SHARED();
  auto loaded = codec::load_metadata_file(keys::test::shared_dir() + "/chain/finney-metadata-v15.option.hex");
  ASSERT_TRUE(loaded.ok());
  codec::Metadata md = **loaded;  // a copy we can change
  auto alice = keys::key_from_uri("//Alice");
  auto call = encode_call_json(md, "SubtensorModule.set_weights", kPylonCalls[0].args);
  ASSERT_TRUE(call.ok());
  // A runtime upgrade adds a no-op extension: the extrinsic is the same as without it.
  const auto before = encode_extensions(md, params(1, false));
  ASSERT_TRUE(before.ok());
  codec::TransactionExtension noop = md.extrinsic.extensions[0];  // CheckNonZeroSender: () / ()
  noop.identifier = "FutureNoOpExtension";
  md.extrinsic.extensions.push_back(noop);
  const auto after = encode_extensions(md, params(1, false));
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->extra, before->extra);
  EXPECT_EQ(after->implicit, before->implicit);
  // One that carries data Pylon cannot fill is refused with its name.
  codec::TransactionExtension data = md.extrinsic.extensions[1];  // CheckSpecVersion: () / u32
  data.identifier = "FutureDataExtension";
  md.extrinsic.extensions.push_back(data);
  auto refused = build_signed(md, *call, alice->keypair, params(1, false));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("FutureDataExtension"), std::string::npos)
      << refused.error().message;
}

TEST(SignedExtrinsic, BadCallsAreClearErrors) {
  PYLON_REQUIRE_SHARED();
  auto md = codec::load_metadata_file(keys::test::shared_dir() + "/chain/finney-metadata-v15.option.hex");
  ASSERT_TRUE(md.ok());
  auto missing = encode_call_json(**md, "SubtensorModule.set_weights", R"({"netuid":1})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("'dests' is missing"), std::string::npos) << missing.error().message;
  auto unknown = encode_call_json(**md, "SubtensorModule.set_weights",
                                  R"({"netuid":1,"dests":[],"weights":[],"version_key":0,"extra":1})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown argument 'extra'"), std::string::npos);
  EXPECT_FALSE(encode_call_json(**md, "SubtensorModule.no_such_call", "{}").ok());
  EXPECT_FALSE(encode_call_json(**md, "NoSuchPallet.x", "{}").ok());
  EXPECT_FALSE(encode_call_json(**md, "set_weights", "{}").ok());
  EXPECT_FALSE(encode_call_json(**md, "SubtensorModule.set_weights", "{not json").ok());
  auto range = encode_call_json(**md, "SubtensorModule.set_weights",
                                R"({"netuid":70000,"dests":[],"weights":[],"version_key":0})");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.error().message.find("netuid"), std::string::npos);
}

TEST(WeightsCommitHash, IsBlake2OfTheScaleTupleTheOracleReadsBack) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  auto alice = keys::key_from_uri("//Alice");
  const std::vector<std::uint16_t> uids{0, 5}, values{1, 65535}, salt{9, 8, 7, 6, 5, 4, 3, 2};
  const auto h = weights_commit_hash(AccountId(alice->keypair.public_key), 2, uids, values, salt, 11);
  // The same tuple, SCALE-encoded by hand, read back by polkadot-js and hashed by it.
  Bytes scale(alice->keypair.public_key.begin(), alice->keypair.public_key.end());
  const Bytes rest = *from_hex(
      "0x0200"
      "08"
      "00000500"
      "08"
      "0100ffff"
      "20"
      "09000800070006000500040003000200"
      "0b00000000000000");
  scale.insert(scale.end(), rest.begin(), rest.end());
  const std::string meta = keys::test::shared_dir() + "/chain/finney-metadata-v15.option.hex";
  auto back =
      run_oracle({"decode-type", meta, "(AccountId32,u16,Vec<u16>,Vec<u16>,Vec<u16>,u64)", to_hex(scale)});
  ASSERT_EQ(back.exit_code, 0) << back.out;
  EXPECT_NE(back.out.find("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), std::string::npos) << back.out;
  EXPECT_NE(back.out.find("65535"), std::string::npos);
  auto oracle_hash = run_oracle({"blake2", to_hex(scale)});
  EXPECT_EQ(keys::test::json_field(oracle_hash.out, "hash"), to_hex(h));
}

}  // namespace
}  // namespace pylon::extrinsic

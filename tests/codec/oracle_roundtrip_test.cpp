// Second opinion on what Pylon will send: the call arguments Pylon encodes from JSON (weights,
// hash commits and reveals, commitments, sudo hyperparameter calls) are decoded by polkadot-js
// (the oracle) and must give back the same JSON, consuming exactly the bytes Pylon wrote. All
// calls of one metadata file go to the oracle in a single `decode-type META Vec<Call> HEX`, so the
// test costs one node start per metadata file.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "codec/encoder.hpp"
#include "codec/json_render.hpp"
#include "codec/metadata.hpp"
#include "json_compare.hpp"
#include "test_support.hpp"

namespace pylon::codec {
namespace {

struct CallCase {
  const char* pallet;
  const char* call;
  const char* args;  // JSON in the oracle's normalisation (snake_case keys)
  bool required;     // every runtime Pylon targets has it
};

// polkadot-js prints integers of more than 52 bits as decimal strings: 2^52 - 1 is the largest
// JSON number it writes.
const CallCase kCases[] = {
    {"SubtensorModule", "set_weights",
     R"({"netuid": 1, "dests": [0, 1, 65535], "weights": [65535, 0, 12], "version_key": "18446744073709551615"})",
     true},
    {"SubtensorModule", "set_weights", R"({"netuid": 0, "dests": [], "weights": [], "version_key": 0})",
     true},
    {"SubtensorModule", "commit_weights",
     R"({"netuid": 7, "commit_hash": "0xeeeeeeeeeeeeeeee00112233445566778899aabbccddeeff0000000000000000"})",
     true},
    {"SubtensorModule", "reveal_weights",
     R"({"netuid": 300, "uids": [1, 2, 1023], "values": [3, 65535, 0], "salt": [9, 8, 7, 6, 5, 4, 3, 2], "version_key": 4503599627370495})",
     true},
    {"Commitments", "set_commitment",
     R"({"netuid": 2, "info": {"fields": [{"raw4": "0x01020304"},
        {"raw32": "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
        {"sha256": "0xff112233445566778899aabbccddeeff00112233445566778899aabbccddee00"},
        {"none": null}, {"raw0": ""}]}})",
     true},
    {"AdminUtils", "sudo_set_tempo", R"({"netuid": 3, "tempo": 360})", false},
    {"AdminUtils", "sudo_set_weights_set_rate_limit",
     R"({"netuid": 3, "weights_set_rate_limit": "4503599627370496"})", false},
    {"AdminUtils", "sudo_set_commit_reveal_weights_enabled", R"({"netuid": 4, "enabled": true})", false},
};

const char* const kMetadata[] = {
    "chain/finney-metadata-v15.option.hex", "chain/localnet/spec293-metadata-v15.option.hex",
    "chain/localnet/spec293-metadata-v14.hex", "chain/devnet-metadata-v16.scale"};

std::string oracle_path() {
  if (const char* e = std::getenv("PYLON_ORACLE")) return e;
  const std::string built = std::string(PYLON_BINARY_DIR) + "/oracle/oracle.mjs";
  if (std::filesystem::exists(built)) return built;
  return std::string(PYLON_SOURCE_DIR) + "/build/oracle/oracle.mjs";
}

std::string quoted(const std::string& s) {  // single-quoted for /bin/sh
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the oracle and returns its stdout ("" when it failed).
std::string run_oracle(const std::string& args) {
  const std::string cmd = "node " + quoted(oracle_path()) + " " + args + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return pclose(f) == 0 ? out : "";
}

bool have_node() {
  return std::system("node --version >/dev/null 2>&1") == 0;
}

TEST(OracleRoundTrip, CallArgumentsPylonEncodesDecodeBackInPolkadotJs) {
  if (!have_node()) GTEST_SKIP() << "node is not installed: the polkadot-js oracle cannot run";
  if (!std::filesystem::exists(oracle_path()))
    GTEST_SKIP() << "oracle not found at " << oracle_path()
                 << " (run script/install-oracle or set PYLON_ORACLE)";
  int files = 0;
  for (const char* rel : kMetadata) {
    if (!test::have_shared(rel)) continue;
    SCOPED_TRACE(rel);
    ++files;
    auto md = load_metadata_file(test::shared_path(rel));
    ASSERT_TRUE(md.ok()) << md.error().message;
    const TypeRegistry& reg = (*md)->types;

    simdjson::dom::parser parser;
    std::vector<simdjson::dom::element> inputs;
    std::vector<std::string> call_index, texts;
    ScaleWriter calls;
    for (const auto& c : kCases) texts.emplace_back(std::string(c.args));
    std::vector<simdjson::dom::document> docs(std::size(kCases));
    int sudo = 0;
    for (std::size_t i = 0; i < std::size(kCases); ++i) {
      const CallCase& c = kCases[i];
      SCOPED_TRACE(std::string(c.pallet) + "." + c.call);
      const Pallet* p = (*md)->pallet(c.pallet);
      const Variant* v = p && p->calls ? reg[*p->calls].variant_named(c.call) : nullptr;
      if (!v) {
        EXPECT_FALSE(c.required) << "call missing from metadata";
        continue;
      }
      sudo += !c.required;
      simdjson::dom::element args;
      ASSERT_EQ(parser.parse_into_document(docs[i], texts[i]).get(args), simdjson::SUCCESS);
      // The call as its pallet's Call enum: {"set_weights": {...}} -> call index + arguments...
      const std::string as_enum = "{\"" + std::string(c.call) + "\": " + texts[i] + "}";
      simdjson::dom::parser p2;
      auto whole = encode_json(reg, *p->calls, p2.parse(as_enum));
      ASSERT_TRUE(whole.ok()) << whole.error().message;
      // ...equals the arguments encoded one by one, in field order, after the call index.
      ScaleWriter by_field;
      by_field.u8(v->index);
      for (const auto& f : v->fields) {
        simdjson::dom::element a;
        ASSERT_EQ(args[json_key(f.name)].get(a), simdjson::SUCCESS) << f.name;
        auto s = encode_json_into(reg, f.type, a, by_field);
        ASSERT_TRUE(s.ok()) << s.error().message;
      }
      EXPECT_EQ(to_hex(by_field.out()), to_hex(*whole));
      calls.u8(p->index);
      calls.bytes(*whole);
      const std::uint8_t idx[2] = {p->index, v->index};
      call_index.push_back(to_hex(ByteSpan(idx, 2)));
      inputs.push_back(args);
    }
    EXPECT_GE(sudo, 1) << "no AdminUtils sudo_set_* call of the list in this metadata";

    ScaleWriter vec;  // Vec<Call>: compact count + the calls back to back
    vec.compact(inputs.size());
    vec.bytes(calls.out());
    const std::string out =
        run_oracle("decode-type " + quoted(test::shared_path(rel)) + " 'Vec<Call>' " + to_hex(vec.out()));
    ASSERT_NE(out, "") << "the oracle failed on " << to_hex(vec.out());
    simdjson::dom::parser op;
    simdjson::dom::element res = op.parse(out);
    EXPECT_EQ(std::uint64_t(res["encoded_length"]), vec.out().size()) << "the oracle read a different length";
    simdjson::dom::array decoded = res["decoded"];
    ASSERT_EQ(decoded.size(), inputs.size());
    std::size_t i = 0;
    for (simdjson::dom::element d : decoded) {
      SCOPED_TRACE(call_index[i]);
      EXPECT_EQ(std::string_view(d["call_index"]), call_index[i]);
      EXPECT_EQ(test::json_diff(inputs[i], d["args"]), "") << "Pylon's input vs the oracle's decoding";
      ++i;
    }
  }
  if (files == 0) GTEST_SKIP() << "no metadata under " << test::shared_dir() << " (set PYLON_SHARED_DIR)";
}

}  // namespace
}  // namespace pylon::codec

// The JS oracle (../shared/crv4/tle_oracle.mjs on @noble/curves, checked against arkworks' tld)
// opens Pylon's ciphertexts with drand quicknet's real signature of round 1000 to exactly the
// payload, and Pylon opens the oracle's. Installed by script/install-oracle in build/crv4-oracle;
// the tests skip without it or without node.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "run_binary.hpp"
#include "test_support.hpp"
#include "timelock/timelock.hpp"

namespace pylon::timelock {
namespace {

using keys::test::run_command;
using keys::test::shell_quote;

std::string oracle() {
  return keys::test::node_oracle("PYLON_CRV4_ORACLE", "build/crv4-oracle/tle.mjs");
}

#define PYLON_REQUIRE_CRV4_ORACLE()                                                                      \
  do {                                                                                                   \
    if (oracle().empty())                                                                                \
      GTEST_SKIP() << "crv4 oracle not installed (run script/install-oracle; or set PYLON_CRV4_ORACLE)"; \
  } while (0)

keys::test::OracleResult tle(const std::string& cmd, const std::string& a, const std::string& b) {
  return run_command("node " + shell_quote(oracle()) + " " + cmd + " " + shell_quote(a) + " " +
                     shell_quote(b) + " 2>/dev/null");
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

const char* kSig1000 =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";

const char* kAlice = "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

std::string devnet_metadata() {
  return keys::test::shared_dir() + "/chain/devnet-metadata-v16.scale";
}

// A call encoded on the devnet: its name, the method polkadot-js names it by, its JSON arguments.
struct DevnetCall {
  const char* call;
  const char* method;
  const char* args;
};

// `pylon tx encode` of `call` with `args` on the devnet metadata, signed by //Alice with fixed
// transaction parameters (genesis 0x44.., spec 381, tx version 1, nonce 5: the ones
// expect_alice_signed rebuilds); `extra` is appended to the arguments.
app::test::Ran encode_on_devnet(const std::string& call, const std::string& args,
                                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {"tx",
                                   "encode",
                                   "--metadata",
                                   devnet_metadata(),
                                   "--genesis-hash",
                                   "0x" + std::string(64, '4'),
                                   "--spec-version",
                                   "381",
                                   "--tx-version",
                                   "1",
                                   "--nonce",
                                   "5",
                                   "--uri",
                                   "//Alice",
                                   "--call",
                                   call,
                                   "--args",
                                   args};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return app::test::run_binary(PYLON_BINARY, argv);
}

// The oracle verifies the extrinsic's signature `e` (polkadot-js's decode) as Alice's over the
// signing payload of `call` with `args` and encode_on_devnet's transaction parameters.
void expect_alice_signed(const std::string& call, const std::string& args, simdjson::dom::element e) {
  auto md = codec::load_metadata_file(devnet_metadata());
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto encoded = extrinsic::encode_call_json(**md, call, args);
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  extrinsic::TxParams p;
  p.genesis_hash.bytes().fill(0x44);
  p.spec_version = 381;
  p.tx_version = 1;
  p.nonce = 5;
  auto payload = extrinsic::signing_payload(**md, *encoded, p);
  ASSERT_TRUE(payload.ok()) << payload.error().message;
  auto v = keys::test::run_oracle({"sr25519-verify", std::string("0x") + kAlice, to_hex(*payload),
                                   std::string(std::string_view(e["signature"]))});
  EXPECT_EQ(v.exit_code, 0) << v.out;
}

// A commit of 256 uids: SCALE {hotkey (Alice), uids, values, version_key}, 1069 bytes.
Bytes commit_payload() {
  Bytes p = {0x80};
  const auto alice = from_hex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
  p.insert(p.end(), alice->begin(), alice->end());
  for (int part = 0; part < 2; ++part) {
    p.push_back(0x01);  // compact(256) = 0x0401
    p.push_back(0x04);
    for (std::uint16_t i = 0; i < 256; ++i) {
      const std::uint16_t x = part == 0 ? i : static_cast<std::uint16_t>(65535 - i * 97);
      p.push_back(static_cast<std::uint8_t>(x & 0xff));
      p.push_back(static_cast<std::uint8_t>(x >> 8));
    }
  }
  for (int i = 0; i < 8; ++i) p.push_back(i == 0 ? 0x2a : 0);
  return p;
}

TEST(TimelockOracle, TheOracleOpensPylonsCiphertextToExactlyThePayload) {
  PYLON_REQUIRE_CRV4_ORACLE();
  for (const Bytes& payload : {commit_payload(), Bytes{}, Bytes{0x42}}) {
    auto c = encrypt(1000, payload);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto r = tle("decrypt", to_hex(*c), kSig1000);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ("0x" + trim(r.out), to_hex(payload));
  }
}

// The oracle is a real check: the same ciphertext with one byte of V (the IBE part) or of the
// sealed payload altered does not open there.
TEST(TimelockOracle, TheOracleRefusesAlteredPylonCiphertexts) {
  PYLON_REQUIRE_CRV4_ORACLE();
  auto c = encrypt(1000, commit_payload());
  ASSERT_TRUE(c.ok());
  for (std::size_t at : {std::size_t{110}, std::size_t{300}}) {
    Bytes t = *c;
    t[at] ^= 0x01;
    auto r = tle("decrypt", to_hex(t), kSig1000);
    EXPECT_EQ(r.exit_code, 1) << "byte " << at << ": " << r.out;
  }
}

TEST(TimelockOracle, PylonOpensTheOraclesCiphertext) {
  PYLON_REQUIRE_CRV4_ORACLE();
  const Bytes payload = commit_payload();
  auto r = tle("encrypt", to_hex(payload), "1000");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto c = from_hex(trim(r.out));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), payload.size() + kOverheadBytes);
  auto p = decrypt(*from_hex(kSig1000), *c);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(*p, payload);
}

// `pylon tx encode --timelock-weights` with the devnet metadata (which has the timelocked calls):
// polkadot-js decodes the extrinsic to the same call, signer and arguments and verifies its
// signature, and the crv4 oracle opens the commit inside with quicknet's real signature of the
// reveal round to exactly the payload the chain expects (SCALE {hotkey, uids, values,
// version_key}, written out by hand here).
TEST(TimelockOracle, TxEncodeBuildsATimelockedCommitTheChainCanReveal) {
  PYLON_REQUIRE_CRV4_ORACLE();
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  const std::string meta = devnet_metadata();
  using Case = DevnetCall;  // args without the commit
  for (const Case& c :
       {Case{"SubtensorModule.commit_timelocked_weights", "commitTimelockedWeights",
             R"({"netuid":7,"reveal_round":1000,"commit_reveal_version":4})"},
        Case{"SubtensorModule.commit_timelocked_mechanism_weights", "commitTimelockedMechanismWeights",
             R"({"netuid":7,"mecid":1,"reveal_round":1000,"commit_reveal_version":4})"}}) {
    SCOPED_TRACE(c.call);
    auto x = encode_on_devnet(
        c.call, c.args,
        {"--timelock-weights", R"({"uids":[0,5,300],"values":[65535,1,4660],"version_key":42})"});
    ASSERT_EQ(x.code, 0) << x.err;
    const std::string extrinsic = keys::test::json_field(x.out, "extrinsic");
    auto d = keys::test::run_oracle({"decode-extrinsic", meta, extrinsic});
    ASSERT_EQ(d.exit_code, 0) << d.out;
    simdjson::dom::parser parser;
    simdjson::dom::element e = parser.parse(d.out);
    EXPECT_EQ(std::string_view(e["signer"]), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    EXPECT_EQ(std::string_view(e["method"]), c.method);
    EXPECT_EQ(std::uint64_t(e["args"]["netuid"]), 7u);
    EXPECT_EQ(std::uint64_t(e["args"]["reveal_round"]), 1000u);
    EXPECT_EQ(std::uint64_t(e["args"]["commit_reveal_version"]), 4u);
    const std::string commit{std::string_view(e["args"]["commit"])};
    // The commit opens with round 1000's beacon signature to exactly the chain's payload.
    auto opened = tle("decrypt", commit, kSig1000);
    ASSERT_EQ(opened.exit_code, 0) << opened.out;
    EXPECT_EQ(trim(opened.out), "80" + std::string(kAlice) +
                                    "0c"
                                    "0000"
                                    "0500"
                                    "2c01"  // compact(3) uids 0, 5, 300
                                    "0c"
                                    "ffff"
                                    "0100"
                                    "3412"                // compact(3) values
                                    "2a00000000000000");  // version_key 42
    // The signature verifies over the payload of the call polkadot-js decoded.
    expect_alice_signed(c.call, simdjson::to_string(e["args"]), e);
  }
}

// The mechanism calls a committer sends for a mechanism >= 1, built offline by `pylon tx encode`
// with the devnet metadata (which has them): polkadot-js decodes each to the same call and
// arguments (mecid included) and verifies its signature.
TEST(MechanismOracle, TxEncodeBuildsEveryMechanismCallThePolkadotJsOracleDecodes) {
  PYLON_REQUIRE_ORACLE();
  PYLON_REQUIRE_SHARED();
  const std::string meta = devnet_metadata();
  using Case = DevnetCall;
  for (
      const Case& c :
      {Case{"SubtensorModule.set_mechanism_weights", "setMechanismWeights",
            R"({"netuid":7,"mecid":1,"dests":[0,5,300],"weights":[65535,1,4660],"version_key":42})"},
       Case{
           "SubtensorModule.commit_mechanism_weights", "commitMechanismWeights",
           R"({"netuid":7,"mecid":1,"commit_hash":"0x1111111111111111111111111111111111111111111111111111111111111111"})"},
       Case{
           "SubtensorModule.reveal_mechanism_weights", "revealMechanismWeights",
           R"({"netuid":7,"mecid":1,"uids":[0,5],"values":[1,65535],"salt":[9,8,7,6,5,4,3,2],"version_key":42})"}}) {
    SCOPED_TRACE(c.call);
    auto x = encode_on_devnet(c.call, c.args);
    ASSERT_EQ(x.code, 0) << x.err;
    auto d = keys::test::run_oracle({"decode-extrinsic", meta, keys::test::json_field(x.out, "extrinsic")});
    ASSERT_EQ(d.exit_code, 0) << d.out;
    simdjson::dom::parser parser;
    simdjson::dom::element e = parser.parse(d.out);
    EXPECT_EQ(std::string_view(e["signer"]), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    EXPECT_EQ(std::string_view(e["method"]), c.method);
    simdjson::dom::parser ap;
    simdjson::dom::element expected = ap.parse(std::string(c.args));
    EXPECT_EQ(simdjson::to_string(e["args"]), simdjson::to_string(expected));
    expect_alice_signed(c.call, c.args, e);
  }
}

TEST(TimelockOracle, TxEncodeRefusesBadTimelockWeights) {
  PYLON_REQUIRE_SHARED();
  auto run = [](const std::string& args, const std::string& weights) {
    return encode_on_devnet("SubtensorModule.commit_timelocked_weights", args,
                            {"--timelock-weights", weights});
  };
  const std::string ok_args = R"({"netuid":7,"reveal_round":1000,"commit_reveal_version":4})";
  const std::string ok_weights = R"({"uids":[1],"values":[1],"version_key":0})";
  struct Bad {
    std::string args, weights, says;
  };
  for (const Bad& b : {Bad{R"({"netuid":7,"commit_reveal_version":4})", ok_weights, "reveal_round"},
                       Bad{R"({"netuid":7,"commit":"0x00","reveal_round":1000,"commit_reveal_version":4})",
                           ok_weights, "leave 'commit' out"},
                       Bad{ok_args, R"({"uids":[1,2],"values":[1],"version_key":0})", "differ in length"},
                       Bad{ok_args, R"({"uids":[70000],"values":[1],"version_key":0})", "not a u16"},
                       Bad{ok_args, R"({"uids":[1],"values":[1],"salt":[1]})", "unknown field 'salt'"},
                       Bad{R"({"netuid":7,"reveal_round":0,"commit_reveal_version":4})", ok_weights, "round"},
                       Bad{"[1]", ok_weights, "JSON object"}}) {
    auto r = run(b.args, b.weights);
    EXPECT_EQ(r.code, 1) << b.args << " " << b.weights;
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(b.says), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace pylon::timelock

// build/pylon's command line: every command refuses what it does not know (a misspelled option
// must never be ignored), answers --help, and `pylon --version` says what the binary is.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/build_info.hpp"
#include "run_binary.hpp"

namespace pylon::app {
namespace {

using test::Ran;

Ran pylon(const std::vector<std::string>& args) {
  return test::run_binary(PYLON_BINARY, args);
}

std::string shared_dir() {
  const char* e = std::getenv("PYLON_SHARED_DIR");
  const std::string d = e && *e ? e : PYLON_SHARED_DIR_DEFAULT;
  return std::filesystem::exists(d + "/chain/localnet/spec293-metadata-v14.hex") ? d : std::string();
}

// `pylon tx encode` of System.remark signed by //Alice, plus extra arguments.
std::vector<std::string> remark(const std::string& metadata, std::vector<std::string> extra) {
  std::vector<std::string> a{"tx",
                             "encode",
                             "--metadata",
                             metadata,
                             "--genesis-hash",
                             "0x" + std::string(64, '1'),
                             "--spec-version",
                             "293",
                             "--tx-version",
                             "1",
                             "--nonce",
                             "0",
                             "--uri",
                             "//Alice",
                             "--call",
                             "System.remark",
                             "--args",
                             R"({"remark":"0x00"})"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST(Cli, MisspelledOptionIsRefusedNotIgnored) {
  const std::string shared = shared_dir();
  if (shared.empty()) GTEST_SKIP() << "no ../shared/chain/localnet metadata (PYLON_SHARED_DIR)";
  const std::string md = shared + "/chain/localnet/spec293-metadata-v14.hex";
  const std::string hash = "0x" + std::string(64, '2');
  const Ran immortal = pylon(remark(md, {}));
  ASSERT_EQ(immortal.code, 0) << immortal.err;
  const Ran mortal = pylon(remark(md, {"--mortal", "64:10:" + hash}));
  ASSERT_EQ(mortal.code, 0) << mortal.err;
  EXPECT_NE(mortal.out, immortal.out);  // the option is applied...

  const Ran typo = pylon(remark(md, {"--mortl", "64:10:" + hash}));  // ...and its misspelling refused
  EXPECT_EQ(typo.code, 2);
  EXPECT_EQ(typo.out, "");
  EXPECT_NE(typo.err.find("unknown option '--mortl'"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("pylon tx encode --help"), std::string::npos) << typo.err;

  const Ran twice = pylon(remark(md, {"--nonce", "1"}));  // a repeated option is not "last wins"
  EXPECT_EQ(twice.code, 2) << twice.out;
  const Ran prefix = pylon(remark(md, {"--mort", "64:10:" + hash}));  // no abbreviations either
  EXPECT_EQ(prefix.code, 2) << prefix.out;
  const Ran stray = pylon(remark(md, {"extra"}));
  EXPECT_EQ(stray.code, 2);
  EXPECT_NE(stray.err.find("unexpected argument 'extra'"), std::string::npos) << stray.err;
}

TEST(Cli, EveryCommandRefusesUnknownOptions) {
  const std::vector<std::vector<std::string>> commands = {
      {"run"},
      {"version"},
      {"decode-api", "--metadata", "m", "Method", "0x00"},
      {"tx", "encode"},
      {"wallet", "show", "--path", "p", "--wallet", "w"},
      {"wallet", "new-hotkey", "--path", "p", "--wallet", "w", "--hotkey", "h"},
      {"wallet", "new-coldkey", "--path", "p", "--wallet", "w", "--password-file", "f"},
      {"localnet", "bootstrap", "--url", "ws://127.0.0.1:1", "--wallet-path", "p"},
  };
  for (auto args : commands) {
    args.push_back("--no-such-option");
    const Ran r = pylon(args);
    EXPECT_EQ(r.code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--no-such-option"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out, "") << args[0];
  }
}

TEST(Cli, HelpOnEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {
      {"run"},
      {"version"},
      {"decode-api"},
      {"tx"},
      {"tx", "encode"},
      {"wallet"},
      {"wallet", "new-hotkey"},
      {"wallet", "new-coldkey"},
      {"wallet", "show"},
      {"localnet"},
      {"localnet", "bootstrap"},
  };
  for (auto args : commands) {
    std::string name = "pylon";
    for (const auto& a : args) name += " " + a;
    args.push_back("--help");
    const Ran r = pylon(args);
    EXPECT_EQ(r.code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find("Usage: " + name), std::string::npos) << name << ": " << r.out;
  }
  const Ran top = pylon({"help"});
  EXPECT_EQ(top.code, 0);
  for (const char* c : {"run", "version", "decode-api", "tx", "wallet", "localnet"})
    EXPECT_NE(top.out.find(std::string("  ") + c + " "), std::string::npos) << c;
  EXPECT_EQ(pylon({}).code, 2);
  EXPECT_EQ(pylon({"frobnicate"}).code, 2);
}

TEST(Cli, VersionNamesTheBuild) {
  const auto& b = build_info();
  EXPECT_EQ(b.runtime_spec, 293u);  // the local chain's: the runtime the end-to-end tests prove
  EXPECT_FALSE(b.version.empty());
  // A commit hash (maybe -dirty) from git, or "unknown" outside a checkout.
  const std::string commit(b.commit);
  const std::size_t hex = std::min(commit.find_first_not_of("0123456789abcdef"), commit.size());
  EXPECT_TRUE(commit == "unknown" || (hex == 40 && (commit.size() == 40 || commit.substr(40) == "-dirty")))
      << commit;
  const std::string expected =
      "pylon " + std::string(b.version) + "\ncommit " + commit + "\nruntime spec 293";
  for (const char* flag : {"--version", "-V", "version"}) {
    const Ran r = pylon({flag});
    EXPECT_EQ(r.code, 0) << flag << ": " << r.err;
    EXPECT_EQ(r.out.rfind(expected, 0), 0u) << flag << ": " << r.out;
  }
}

}  // namespace
}  // namespace pylon::app

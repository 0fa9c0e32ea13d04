// `pylon timelock encrypt|decrypt`, run as an operator runs it (the real binary).
#include <gtest/gtest.h>

#include <string>

#include "run_binary.hpp"

namespace {

using pylon::app::test::run_binary;

const char* kSig1000 =
    "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39";

std::string line(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST(TimelockCli, EncryptThenDecryptGivesThePayloadBack) {
  auto enc =
      run_binary(PYLON_BINARY, {"timelock", "encrypt", "--round", "1000", "--payload-hex", "0xdeadbeef00"});
  ASSERT_EQ(enc.code, 0) << enc.err;
  const std::string ct = line(enc.out);
  ASSERT_EQ(ct.size(), 2 + 2 * (5 + 244)) << ct;
  auto dec =
      run_binary(PYLON_BINARY, {"timelock", "decrypt", "--signature", kSig1000, "--ciphertext-hex", ct});
  ASSERT_EQ(dec.code, 0) << dec.err;
  EXPECT_EQ(line(dec.out), "0xdeadbeef00");
}

TEST(TimelockCli, ACiphertextThatDoesNotOpenExitsOneWithTheReason) {
  auto enc = run_binary(PYLON_BINARY, {"timelock", "encrypt", "--round", "1001", "--payload-hex", "01"});
  ASSERT_EQ(enc.code, 0) << enc.err;
  auto dec = run_binary(PYLON_BINARY,
                        {"timelock", "decrypt", "--signature", kSig1000, "--ciphertext-hex", line(enc.out)});
  EXPECT_EQ(dec.code, 1);
  EXPECT_TRUE(dec.out.empty());
  EXPECT_NE(dec.err.find("not the beacon signature of the ciphertext's round"), std::string::npos) << dec.err;

  auto bad =
      run_binary(PYLON_BINARY, {"timelock", "decrypt", "--signature", kSig1000, "--ciphertext-hex", "00"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("ciphertext"), std::string::npos) << bad.err;
}

TEST(TimelockCli, BadArgumentsAreRefused) {
  auto r0 = run_binary(PYLON_BINARY, {"timelock", "encrypt", "--round", "0", "--payload-hex", "01"});
  EXPECT_EQ(r0.code, 1);
  auto rx = run_binary(PYLON_BINARY, {"timelock", "encrypt", "--round", "-5", "--payload-hex", "01"});
  EXPECT_EQ(rx.code, 1);
  EXPECT_NE(rx.err.find("--round"), std::string::npos) << rx.err;
  auto hx = run_binary(PYLON_BINARY, {"timelock", "encrypt", "--round", "5", "--payload-hex", "0g"});
  EXPECT_EQ(hx.code, 1);
  EXPECT_NE(hx.err.find("--payload-hex"), std::string::npos) << hx.err;
  auto missing = run_binary(PYLON_BINARY, {"timelock", "decrypt", "--signature", kSig1000});
  EXPECT_EQ(missing.code, 2);
  auto unknown = run_binary(PYLON_BINARY, {"timelock", "encrypt", "--rownd", "5", "--payload-hex", "01"});
  EXPECT_EQ(unknown.code, 2);
}

}  // namespace

// The node's subscription notifications, parsed by checked pure functions: transaction statuses
// (submit_and_watch), finalized heads (the follower), runtime versions (watch_runtime). What does not
// fit is an error of kind ChainErrc::kBadAnswer.
#include <gtest/gtest.h>

#include "chain/chain_client.hpp"
#include "chain/extrinsic_status.hpp"
#include "follower/head_notification.hpp"

namespace pylon::chain {
namespace {

using Kind = ExtrinsicStatus::Kind;
const std::string kHex = "0x" + std::string(64, 'b');

TEST(ExtrinsicStatusNotification, EveryStatusOfTheNode) {
  const std::vector<std::pair<std::string, Kind>> statuses = {
      {R"("future")", Kind::kFuture},
      {R"("ready")", Kind::kReady},
      {R"("dropped")", Kind::kDropped},
      {R"("invalid")", Kind::kInvalid},
      {R"({"broadcast":["12D3KooWRmtUjmo5zAB6YgVJ2QHPzybPdxoyBcVqQg6yRAuTaRyX"]})", Kind::kBroadcast},
      {R"({"inBlock":")" + kHex + "\"}", Kind::kInBlock},
      {R"({"retracted":")" + kHex + "\"}", Kind::kRetracted},
      {R"({"finalityTimeout":")" + kHex + "\"}", Kind::kFinalityTimeout},
      {R"({"finalized":")" + kHex + "\"}", Kind::kFinalized},
      {R"({"usurped":")" + kHex + "\"}", Kind::kUsurped},
  };
  for (const auto& [json, kind] : statuses) {
    auto st = parse_extrinsic_status(json);
    ASSERT_TRUE(st.ok()) << json << ": " << st.error().message;
    EXPECT_EQ(st->kind, kind) << json;
  }
  auto in_block = parse_extrinsic_status(R"({"inBlock":")" + kHex + "\"}");
  ASSERT_TRUE(in_block.ok() && in_block->block);
  EXPECT_EQ((*in_block->block)[31], 0xbb);
  EXPECT_FALSE(in_block->final());
  EXPECT_TRUE(parse_extrinsic_status(R"({"finalized":")" + kHex + "\"}")->final());
}

TEST(ExtrinsicStatusNotification, WhatIsNoStatusIsABadAnswer) {
  for (const std::string& json : std::vector<std::string>{
           "", "null", "42", "[]", "{}", R"("pending")", R"({"inBlock":42})", R"({"inBlock":"0x12"})",
           R"({"finalized":null})", R"({"inBlock":")" + kHex + R"(","finalized":")" + kHex + "\"}",
           R"({"somethingNew":1})", R"("ready)"}) {
    auto st = parse_extrinsic_status(json);
    ASSERT_FALSE(st.ok()) << json;
    EXPECT_TRUE(st.error().is(ChainErrc::kBadAnswer)) << json << ": " << st.error().message;
  }
}

// A view without data (nullptr, 0) used to reach simdjson's memcpy (undefined behaviour, caught
// by UBSan in replay_chain_notification's empty input).
TEST(Notifications, AnEmptyViewIsABadAnswer) {
  EXPECT_TRUE(parse_extrinsic_status(std::string_view{}).error().is(ChainErrc::kBadAnswer));
  EXPECT_TRUE(parse_runtime_version(std::string_view{}).error().is(ChainErrc::kBadAnswer));
  EXPECT_TRUE(follower::parse_head_number(std::string_view{}).error().is(ChainErrc::kBadAnswer));
}

TEST(HeadNotification, NumberOfARecordedHeader) {
  auto n = follower::parse_head_number(R"({"parentHash":")" + kHex +
                                       R"(","number":"0x63fe87","stateRoot":")" + kHex + "\"}");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 0x63fe87u);
}

TEST(HeadNotification, WhatHasNoNumberIsABadAnswer) {
  for (const std::string& json :
       std::vector<std::string>{"", "null", "[1]", "{}", R"({"number":7})", R"({"number":"0x"})",
                                R"({"number":"0x11112222333344445"})", R"({"number":"0xzz"})"}) {
    auto n = follower::parse_head_number(json);
    ASSERT_FALSE(n.ok()) << json;
    EXPECT_TRUE(n.error().is(ChainErrc::kBadAnswer)) << json << ": " << n.error().message;
  }
}

TEST(RuntimeVersionNotification, MissingOrOutOfRangeFieldsAreBadAnswers) {
  auto v = parse_runtime_version(R"({"specName":"node-subtensor","specVersion":343,"transactionVersion":1})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->spec_version, 343u);
  for (const std::string& json :
       std::vector<std::string>{"", "[]", R"({"specName":"x","specVersion":1})",
                                R"({"specName":"x","specVersion":4294967296,"transactionVersion":1})",
                                R"({"specName":1,"specVersion":1,"transactionVersion":1})"}) {
    auto r = parse_runtime_version(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_TRUE(r.error().is(ChainErrc::kBadAnswer)) << json << ": " << r.error().message;
  }
}

}  // namespace
}  // namespace pylon::chain

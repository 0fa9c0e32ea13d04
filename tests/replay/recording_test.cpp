// The replay server's matching rules: requests match recordings by method and decoded params,
// and anything not recorded is an error naming the method, never an invented answer.
#include "recording.hpp"

#include "replay_test_support.hpp"

namespace pylon::replay {
namespace {

using namespace testing;

TEST(ReplayRecording, CanonicalParamsNormaliseHexAndLayout) {
  auto a = canonical_params(R"(["NeuronInfoRuntimeApi_get_neurons_lite", "0100", "0xDB13"])");
  auto b = canonical_params(R"(["NeuronInfoRuntimeApi_get_neurons_lite","0x0100","0xdb13"])");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, R"(["NeuronInfoRuntimeApi_get_neurons_lite","0x0100","0xdb13"])");
  // Not hex: odd length, non-hex letters, numbers stay numbers.
  auto c = canonical_params(R"(["abc", "0x1", 6852690, null, {"b":1,"a":"FF"}])");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, R"(["abc","0x1",6852690,null,{"a":"0xff","b":1}])");
  EXPECT_NE(*canonical_params(R"([1])"), *canonical_params(R"(["0x01"])"));
  EXPECT_FALSE(canonical_params("[1,").ok());
}

TEST(ReplayRecording, LoadsTheMetagraphScenario) {
  PYLON_REPLAY_REQUIRE_SHARED();
  auto rec = Recording::load(shared_dir() + "/chain/finney-recordings.json", "metagraph");
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  // Recorded without 0x, asked with it.
  const RecordedAnswer* a = rec->find_raw(
      "state_call",
      R"(["NeuronInfoRuntimeApi_get_neurons_lite","0x0100","0xDB13C066E2C63969F140164FB3BFE7A0AAA7B71407FC0FE525D68E57329EF9D0"])");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->is_error);
  EXPECT_GT(a->json.size(), 300'000u);
  EXPECT_EQ(rec->find_raw("state_call", R"(["NeuronInfoRuntimeApi_get_neurons_lite","0x0200"])"), nullptr);
  EXPECT_FALSE(Recording::load(shared_dir() + "/chain/finney-recordings.json", "no_such_scenario").ok());
}

TEST(ReplayServer, AnswersFromTheRecordingAndRefusesTheRest) {
  PYLON_REPLAY_REQUIRE_SHARED();
  ReplayedNode node;
  ASSERT_TRUE(node.up());
  ClientStack& c = *node.stack;
  auto hash = c.rpc->call("chain_getBlockHash", "[6852690]");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_EQ(*hash, "\"0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e57329ef9d0\"");
  auto head = c.chain->finalized_head();
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto header = c.chain->header(*head);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->number, 6852690u);

  auto other = c.rpc->call("chain_getBlockHash", "[6852691]");
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(contains(other.error().message, "chain_getBlockHash")) << other.error().message;
  auto unknown = c.rpc->call("system_health", "[]");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(contains(unknown.error().message, "system_health")) << unknown.error().message;
  // Metadata is served only for the runtime the file describes (the metagraph block is spec 343).
  auto md = c.chain->metadata(*head);
  ASSERT_TRUE(md.ok()) << md.error().message;
  BlockHash elsewhere{};
  elsewhere[0] = 1;
  auto none = c.chain->metadata(elsewhere);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(contains(none.error().message, "state_getRuntimeVersion")) << none.error().message;
}

}  // namespace
}  // namespace pylon::replay

// ChainClient behind a scripted transport (scripted_transport.hpp): the requests it writes (JSON
// params built by the JSON writer) and how it reads multi-step answers (key pages, transaction
// statuses) — the same path the fuzz target fuzz_chain_answers drives.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "chain/chain_client.hpp"
#include "scripted_transport.hpp"

namespace pylon::chain {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedTransport;

const std::string kHex = "0x" + std::string(64, 'c');

bool valid_json(const std::string& text) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  return p.parse(text).get(e) == simdjson::SUCCESS;
}

TEST(ChainScripted, ParamsAreJsonWhateverTheyHold) {
  ScriptedTransport node("\"0x01\"\n");
  ChainClient chain(node);
  auto r = chain.state_call("Api\"with\\quotes\n", Bytes{0xab}, BlockRef{BlockHash{}, 1});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(node.calls.size(), 1u);
  const std::string params = node.calls[0].substr(std::string("state_call").size());
  EXPECT_TRUE(valid_json(params)) << params;
  EXPECT_EQ(params, R"(["Api\"with\\quotes\n","0xab",")" + to_hex(BlockHash{}) + "\"]");
}

TEST(ChainScripted, KeyPagesContinueAfterTheLastKey) {
  ScriptedTransport node(
      "[\"0x0101\",\"0x0102\"]\n"
      "[{\"block\":\"" +
      kHex +
      "\",\"changes\":[[\"0x0101\",\"0x05\"],[\"0x0102\",null]]}]\n"
      "[\"0x0103\"]\n"
      "[{\"block\":\"" +
      kHex + "\",\"changes\":[[\"0x0103\",\"0x07\"]]}]\n");
  ChainClient chain(node);
  auto r = chain.storage_by_prefix(Bytes{0x01}, BlockRef{BlockHash{}, 1}, 2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);  // the removed key is left out
  EXPECT_EQ((*r)[1].second, Bytes{0x07});
  ASSERT_EQ(node.calls.size(), 4u);
  const std::string hash = "\"" + to_hex(BlockHash{}) + "\"";
  EXPECT_EQ(node.calls[0], "state_getKeysPaged[\"0x01\",2,null," + hash + "]");
  EXPECT_EQ(node.calls[1], "state_queryStorageAt[[\"0x0101\",\"0x0102\"]," + hash + "]");
  EXPECT_EQ(node.calls[2], "state_getKeysPaged[\"0x01\",2,\"0x0102\"," + hash + "]");
}

// A node that answers the same full page again would be asked for it page after page (up to
// 100,000 requests); the client stops at the first page that does not move on.
TEST(ChainScripted, APageThatDoesNotMoveOnIsABadAnswer) {
  std::string script;
  for (int i = 0; i < 50; ++i)
    script += "[\"0x0101\",\"0x0102\"]\n[{\"block\":\"" + kHex + "\",\"changes\":[]}]\n";
  ScriptedTransport node(script);
  ChainClient chain(node);
  auto r = chain.storage_by_prefix(Bytes{0x01}, BlockRef{BlockHash{}, 1}, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(ChainErrc::kBadAnswer)) << r.error().message;
  EXPECT_EQ(node.calls.size(), 3u);
}

TEST(ChainScripted, RefusedOrDroppedTransactionsEndTheWatch) {
  const std::vector<std::pair<std::string, TxOutcome::Status>> cases = {
      {"@\"ready\"\n@\"invalid\"\n", TxOutcome::Status::Invalid},
      {"@\"future\"\n@\"dropped\"\n", TxOutcome::Status::Dropped},
      {"@{\"usurped\":\"" + kHex + "\"}\n", TxOutcome::Status::Usurped},
      {"@{\"finalityTimeout\":\"" + kHex + "\"}\n", TxOutcome::Status::Dropped},
  };
  for (const auto& [script, status] : cases) {
    ScriptedTransport node(script);
    ChainClient chain(node);
    auto r = chain.submit_and_watch(Bytes{0x01}, 0ms, true);
    ASSERT_TRUE(r.ok()) << script << r.error().message;
    EXPECT_EQ(r->status, status) << script;
    EXPECT_FALSE(r->error.empty()) << script;
  }
}

TEST(ChainScripted, AStatusNotUnderstoodChangesNothing) {
  // A malformed block hash is ignored, as any notification that is no status: the watch goes on.
  ScriptedTransport node("@{\"inBlock\":\"0x12\"}\n@{\"somethingNew\":1}\n");
  ChainClient chain(node);
  auto r = chain.submit_and_watch(Bytes{0x01}, 0ms, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, TxOutcome::Status::TimedOut);
}

TEST(ChainScripted, InclusionReadsTheBlock) {
  // Included: the block is read next (here it lacks the extrinsic: kNotInBlock, not a crash).
  ScriptedTransport node("@\"ready\"\n@{\"inBlock\":\"" + kHex +
                         "\"}\n{\"block\":{\"extrinsics\":[\"0x02\"]}}\n");
  ChainClient chain(node);
  auto r = chain.submit_and_watch(Bytes{0x01}, 0ms, false);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is(ChainErrc::kNotInBlock)) << r.error().message;
  EXPECT_EQ(node.calls.back(), "chain_getBlock[\"" + kHex + "\"]");
}

}  // namespace
}  // namespace pylon::chain

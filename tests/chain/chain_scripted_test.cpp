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

// A block's runtime never changes: every subnet's build, its epoch and the committer ask for the
// same block's, and the node is asked once. A failed answer is not kept; blocks asked about long
// ago are asked again.
TEST(ChainScripted, ABlocksRuntimeVersionIsAskedOnce) {
  const std::string v343 = R"({"specName":"node-subtensor","specVersion":343,"transactionVersion":1})";
  const std::string v344 = R"({"specName":"node-subtensor","specVersion":344,"transactionVersion":1})";
  std::string script = v343 + "\n!-32000\n" + v344 + "\n";
  for (int i = 0; i < 8; ++i) script += v344 + "\n";
  script += v343 + "\n";
  ScriptedTransport node(script);
  ChainClient chain(node);
  auto block = [](std::uint8_t n) {
    BlockHash h{};
    h[0] = n;
    return BlockRef{h, n};
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(chain.runtime_version(block(1))->spec_version, 343u);
  EXPECT_EQ(chain.runtime_version(block(1).hash)->spec_version, 343u);  // by hash alone too
  EXPECT_EQ(node.calls.size(), 1u);
  EXPECT_TRUE(chain.runtime_version(block(2)).error().is(net::RpcErrc::kNodeError));
  EXPECT_EQ(chain.runtime_version(block(2))->spec_version, 344u);  // asked again after the failure
  EXPECT_EQ(chain.runtime_version(block(2))->spec_version, 344u);
  EXPECT_EQ(node.calls.size(), 3u);
  for (std::uint8_t n = 3; n < 11; ++n) EXPECT_EQ(chain.runtime_version(block(n))->spec_version, 344u);
  EXPECT_EQ(node.calls.size(), 11u);
  EXPECT_EQ(chain.runtime_version(block(1))->spec_version, 343u);  // pushed out by 8 newer blocks
  EXPECT_EQ(node.calls.size(), 12u);
}

// Hex answers decode straight from the answer text when it is a plain quoted string, and through
// the JSON parser otherwise, with the same bytes and the same kind of error either way.
TEST(ChainScripted, HexAnswersReadTheSameWhicheverWayTheyAreWritten) {
  ScriptedTransport node(
      "\"0x00abFF\"\n"    // the plain form
      "\"\\u0030x01\"\n"  // an escape: valid JSON for "0x01"
      " \"0x02\" \n"      // space around the string
      "\"0xzz\"\n"        // not hex
      "\"0x0\"\n"         // odd digits
      "\"0x01\"\"\n"      // not one JSON string
      "null\n"            // storage: nothing stored
      "\"0x0102\"\n");
  ChainClient chain(node);
  const BlockRef at{BlockHash{}, 1};
  EXPECT_EQ(*chain.state_call("Api_m", {}, at), (Bytes{0x00, 0xab, 0xff}));
  EXPECT_EQ(*chain.state_call("Api_m", {}, at), (Bytes{0x01}));
  EXPECT_EQ(*chain.state_call("Api_m", {}, at), (Bytes{0x02}));
  for (int i = 0; i < 3; ++i) {
    auto bad = chain.state_call("Api_m", {}, at);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.error().is(ChainErrc::kBadAnswer)) << bad.error().message;
  }
  auto none = chain.storage(Bytes{0x01}, at);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(*none);
  auto some = chain.storage(Bytes{0x01}, at);
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(*some, (std::optional<Bytes>{Bytes{0x01, 0x02}}));
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

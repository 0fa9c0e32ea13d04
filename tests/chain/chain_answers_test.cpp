// ChainClient against a node that answers with malformed JSON: every answer that does not fit is
// an error of kind kBadAnswer, never a crash. (A header without parentHash, or a header that is
// not an object, used to kill the daemon with SIGSEGV.)
#include <gtest/gtest.h>

#include "chain/chain_client.hpp"
#include "fake_ws_server.hpp"
#include "net_test_support.hpp"

namespace pylon::chain {
namespace {

using namespace std::chrono_literals;
using net::testing::FakeReply;
using net::testing::FakeWsServer;

const std::string kHash = "\"0x" + std::string(64, 'a') + "\"";

// A node whose chain_getHeader answers `header_json`; every other method answers null.
struct HeaderNode {
  explicit HeaderNode(std::string header_json)
      : server([header_json](const std::string& req, int) {
          const bool header = FakeWsServer::method_of(req) == "chain_getHeader";
          return FakeReply{{FakeWsServer::result(req, header ? header_json : "null")}};
        }) {
    net::RpcClientOptions o;
    o.endpoints = {server.url()};
    o.request_timeout = 5s;
    auto c = net::RpcClient::create(net, std::move(o));
    EXPECT_TRUE(c.ok()) << c.error().message;
    rpc = std::move(c).value();
    chain = std::make_unique<ChainClient>(*rpc);
  }
  FakeWsServer server;
  net::NetContext net;
  std::unique_ptr<net::RpcClient> rpc;
  std::unique_ptr<ChainClient> chain;
};

TEST(ChainAnswers, SoundHeaderParses) {
  HeaderNode node("{\"parentHash\":" + kHash + ",\"number\":\"0x1f\"}");
  auto h = node.chain->header(BlockHash{});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->number, 31u);
  EXPECT_EQ(h->parent[0], 0xaa);
}

TEST(ChainAnswers, MalformedHeadersAreErrorsNotCrashes) {
  const std::vector<std::string> answers = {
      "{\"number\":\"0x1\"}",                          // no parentHash (was SIGSEGV)
      "{\"parentHash\":" + kHash + "}",                // no number
      "[1,2,3]",                                       // not an object (was SIGSEGV)
      "\"0x01\"",                                      // a string
      "42",                                            // a number
      "{\"parentHash\":42,\"number\":\"0x1\"}",        // mistyped parentHash
      "{\"parentHash\":\"0x12\",\"number\":\"0x1\"}",  // a short hash
      "{\"parentHash\":" + kHash + ",\"number\":\"5\"}",     // odd digits without 0x (was an exception)
      "{\"parentHash\":" + kHash + ",\"number\":\"0x\"}",    // no digits
      "{\"parentHash\":" + kHash + ",\"number\":\"0xzz\"}",  // not hex
      "{\"parentHash\":" + kHash + ",\"number\":\"0x11112222333344445\"}",  // more than 64 bits
      "{\"parentHash\":" + kHash + ",\"number\":null}",
      "{\"parentHash\":" + kHash + ",\"number\":-1}",
  };
  for (const auto& a : answers) {
    HeaderNode node(a);
    auto h = node.chain->header(BlockHash{});
    ASSERT_FALSE(h.ok()) << a;
    EXPECT_TRUE(h.error().is(ChainErrc::kBadAnswer)) << a << ": " << h.error().message;
  }
}

TEST(ChainAnswers, NullHeaderIsAnUnknownBlock) {
  HeaderNode node("null");
  auto h = node.chain->header(BlockHash{});
  ASSERT_FALSE(h.ok());
  EXPECT_TRUE(h.error().is(ChainErrc::kUnknownBlock)) << h.error().message;
}

TEST(ChainAnswers, ANodeErrorKeepsItsCodeAndData) {
  FakeWsServer server([](const std::string& req, int) {
    return FakeReply{{R"({"jsonrpc":"2.0","id":)" + FakeWsServer::id_of(req) +
                      R"(,"error":{"code":1010,"message":"Invalid Transaction","data":"Transaction is outdated"}})"}};
  });
  net::NetContext net;
  net::RpcClientOptions o;
  o.endpoints = {server.url()};
  auto rpc = net::RpcClient::create(net, std::move(o));
  ASSERT_TRUE(rpc.ok());
  ChainClient chain(**rpc);
  auto h = chain.header(BlockHash{});
  ASSERT_FALSE(h.ok());
  EXPECT_TRUE(h.error().is(net::RpcErrc::kNodeError)) << h.error().message;
  EXPECT_EQ(h.error().code, 1010);
  EXPECT_EQ(h.error().peer_data, "\"Transaction is outdated\"");
}

}  // namespace
}  // namespace pylon::chain

// RpcClient against a misbehaving loopback server: every fault must end in a clear error (or a
// clean recovery), never a hang or a crash.
#include <gtest/gtest.h>

#include <thread>

#include "fake_ws_server.hpp"
#include "net/rpc_client.hpp"
#include "net_test_support.hpp"

namespace pylon::net {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::contains;
using testing::FakeReply;
using testing::FakeWsServer;
using testing::has_event;

FakeReply ok_reply(const std::string& req) {
  return {{FakeWsServer::result(req, "\"ok\"")}};
}

struct Fixture {
  explicit Fixture(std::vector<std::string> endpoints, std::function<void(RpcClientOptions&)> tweak = {}) {
    RpcClientOptions o;
    o.endpoints = std::move(endpoints);
    o.request_timeout = 5s;
    o.connect_timeout = 2s;
    o.backoff = {20ms, 100ms, 2.0, 0.5};
    o.on_event = [this](const ClientEvent& e) { events.push(e); };
    if (tweak) tweak(o);
    auto c = RpcClient::create(net, std::move(o));
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (c.ok()) client = std::move(c).value();
  }
  NetContext net;
  Collector<ClientEvent> events;
  std::unique_ptr<RpcClient> client;
};

TEST(RpcClientFaults, HappyPathAgainstTheFakeServer) {
  FakeWsServer server([](const std::string& req, int) { return ok_reply(req); });
  Fixture f({server.url()});
  auto r = f.client->call("anything", "[1,2]");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), "\"ok\"");
}

TEST(RpcClientFaults, GarbledFrameFailsThePendingRequestClearlyThenRecovers) {
  FakeWsServer server([](const std::string&, int) { return FakeReply{{"}{ this is not json"}}; });
  Fixture f({server.url()});
  auto r = f.client->call("chain_getBlockHash", "[0]");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "chain_getBlockHash: connection lost before the response arrived"))
      << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "invalid JSON-RPC message")) << r.error().message;
  ASSERT_TRUE(
      f.events.wait([](const auto& v) { return has_event(v, ClientEvent::Kind::kDisconnected); }, 5s));

  server.set_handler([](const std::string& req, int) { return ok_reply(req); });
  auto again = f.client->call("chain_getBlockHash", "[0]");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_GE(server.connections(), 2);
}

TEST(RpcClientFaults, ValidJsonThatIsNotJsonRpcIsAProtocolError) {
  FakeWsServer server([](const std::string&, int) { return FakeReply{{R"({"jsonrpc":"2.0","id":1})"}}; });
  Fixture f({server.url()});
  auto r = f.client->call("x");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "exactly one of result and error")) << r.error().message;
}

TEST(RpcClientFaults, DroppedSocketFailsPendingRequests) {
  FakeWsServer server([](const std::string&, int) { return FakeReply{{}, FakeReply::After::kDrop}; });
  Fixture f({server.url()});
  auto r = f.client->call("author_submitExtrinsic", "[\"0x00\"]");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(
      contains(r.error().message, "author_submitExtrinsic: connection lost before the response arrived"))
      << r.error().message;
}

TEST(RpcClientFaults, OversizedMessageIsRefusedWithTheLimitNamed) {
  FakeWsServer server([](const std::string& req, int) {
    return FakeReply{{FakeWsServer::result(req, "\"" + std::string(10000, 'a') + "\"")}};
  });
  Fixture f({server.url()}, [](RpcClientOptions& o) { o.max_message_bytes = 4096; });
  auto r = f.client->call("state_getMetadata");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "larger than the 4096-byte limit")) << r.error().message;
}

TEST(RpcClientFaults, CloseFrameReasonIsReported) {
  FakeWsServer server([](const std::string&, int) {
    return FakeReply{{}, FakeReply::After::kCloseFrame, 1011};
  });
  Fixture f({server.url()});
  auto r = f.client->call("x");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "closed by server (code 1011, test says goodbye)"))
      << r.error().message;
}

TEST(RpcClientFaults, UnmatchedIdsAreIgnoredAndTheRequestTimesOut) {
  FakeWsServer server([](const std::string& req, int) {
    return FakeReply{{R"({"jsonrpc":"2.0","id":)" +
                          std::to_string(std::stoull(FakeWsServer::id_of(req)) + 1000) + R"(,"result":1})",
                      R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})"}};
  });
  Fixture f({server.url()});
  auto r = f.client->call("x", "[]", 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "x: no response within 300 ms")) << r.error().message;
  EXPECT_TRUE(f.client->connected());  // stray answers are not a reason to drop the connection
}

TEST(RpcClientFaults, RejectedHandshakeAndSilentServerAreConnectFailures) {
  FakeWsServer http404([](const std::string&, int) { return FakeReply{}; }, FakeWsServer::Mode::kRawReply,
                       "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  {
    Fixture f({http404.url()});
    auto st = f.client->wait_connected(1s);
    ASSERT_FALSE(st.ok());
    EXPECT_TRUE(contains(st.error().message, "WebSocket handshake failed")) << st.error().message;
    ASSERT_TRUE(f.events.wait_count(1, 2s));
    EXPECT_EQ(f.events.snapshot()[0].kind, ClientEvent::Kind::kConnectFailed);
  }
  FakeWsServer silent([](const std::string&, int) { return FakeReply{}; }, FakeWsServer::Mode::kSilentTcp);
  Fixture f({silent.url()}, [](RpcClientOptions& o) { o.connect_timeout = 300ms; });
  ASSERT_TRUE(f.events.wait_count(1, 3s));
  EXPECT_EQ(f.events.snapshot()[0].kind, ClientEvent::Kind::kConnectFailed);
  EXPECT_TRUE(contains(f.events.snapshot()[0].detail, "connect timed out after 300 ms"))
      << f.events.snapshot()[0].detail;
  // A request made meanwhile waits for a connection and ends with its own timeout.
  auto r = f.client->call("x", "[]", 200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "no response within 200 ms")) << r.error().message;
}

TEST(RpcClientFaults, UnresponsivePeerIsDetectedByKeepAlive) {
  FakeWsServer server([](const std::string&, int) { return FakeReply{{}, FakeReply::After::kHang}; });
  Fixture f({server.url()}, [](RpcClientOptions& o) { o.idle_timeout = 400ms; });
  auto r = f.client->call("x", "[]", 5s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "connection lost")) << r.error().message;
  EXPECT_TRUE(contains(r.error().message, "timed out")) << r.error().message;
}

// Subscription ids change per connection: s1, s2, ...; "test_drop" makes the server drop the socket.
FakeReply subscription_server(const std::string& req, int conn) {
  const std::string method = FakeWsServer::method_of(req);
  const std::string sid = "\"s" + std::to_string(conn) + "\"";
  if (method == "test_subscribe") {
    // The first notification overtakes the answer; the client must still deliver it.
    return FakeReply{
        {R"({"jsonrpc":"2.0","method":"test_note","params":{"subscription":)" + sid +
             R"(,"result":{"conn":)" + std::to_string(conn) + R"(,"n":0}}})",
         FakeWsServer::result(req, sid),
         R"({"jsonrpc":"2.0","method":"test_note","params":{"subscription":)" + sid +
             R"(,"result":{"conn":)" + std::to_string(conn) + R"(,"n":1}}})",
         // A stale id from an older connection must not reach anyone.
         R"({"jsonrpc":"2.0","method":"test_note","params":{"subscription":"s0","result":{"stale":1}}})"}};
  }
  if (method == "test_drop") return FakeReply{{}, FakeReply::After::kDrop};
  if (method == "test_unsubscribe") return FakeReply{{FakeWsServer::result(req, "true")}};
  return ok_reply(req);
}

TEST(RpcClientFaults, SubscriptionSurvivesReconnectWithNewServerId) {
  FakeWsServer server(subscription_server);
  Fixture f({server.url()});
  Collector<std::string> notes;
  auto sub = f.client->subscribe({"test_subscribe", "[]", "test_unsubscribe"},
                                 [&](std::string_view r) { notes.push(std::string(r)); });
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  ASSERT_TRUE(notes.wait_count(2, 2s));
  EXPECT_EQ(notes.snapshot()[0], R"({"conn":1,"n":0})");
  EXPECT_EQ(notes.snapshot()[1], R"({"conn":1,"n":1})");

  auto dropped = f.client->call("test_drop");
  ASSERT_FALSE(dropped.ok());
  ASSERT_TRUE(
      f.events.wait([](const auto& v) { return has_event(v, ClientEvent::Kind::kResubscribed); }, 5s));
  ASSERT_TRUE(notes.wait_count(4, 2s));
  EXPECT_EQ(notes.snapshot()[2], R"({"conn":2,"n":0})");
  EXPECT_EQ(notes.snapshot()[3], R"({"conn":2,"n":1})");
  // The stale "s0" frame came before this call's answer on the same connection, and the client
  // handles a connection's messages in order: once the answer is here, the frame was handled.
  ASSERT_TRUE(f.client->call("test_ping").ok());
  EXPECT_EQ(notes.snapshot().size(), 4u);  // the stale "s0" notifications went nowhere
  EXPECT_TRUE(f.client->unsubscribe(sub.value()).ok());
}

TEST(RpcClientFaults, BlockingCallFromACallbackIsRefusedNotDeadlocked) {
  FakeWsServer server([](const std::string& req, int) { return ok_reply(req); });
  Fixture f({server.url()});
  Collector<std::string> inner;
  RpcClient* c = f.client.get();
  f.client->call_async("outer", "[]", [&, c](Result<std::string>) {
    auto r = c->call("inner");
    inner.push(r.ok() ? std::string("ok") : r.error().message);
  });
  ASSERT_TRUE(inner.wait_count(1, 5s));
  EXPECT_TRUE(contains(inner.snapshot()[0], "would deadlock")) << inner.snapshot()[0];
}

TEST(RpcClientFaults, DestroyingTheClientFailsEveryPendingRequest) {
  Collector<std::string> received;
  FakeWsServer server([&](const std::string& req, int) {
    received.push(FakeWsServer::method_of(req));
    return FakeReply{};  // never answers
  });
  Collector<std::string> results;
  {
    Fixture f({server.url()});
    ASSERT_TRUE(f.client->wait_connected(2s).ok());
    for (int i = 0; i < 3; ++i) {
      f.client->call_async("m" + std::to_string(i), "[]",
                           [&](Result<std::string> r) { results.push(r.ok() ? "ok" : r.error().message); });
    }
    ASSERT_TRUE(received.wait_count(3, 5s));  // all three sent and pending
    f.client.reset();
    EXPECT_EQ(results.snapshot().size(), 3u);  // all answered before the destructor returned
  }
  for (const auto& r : results.snapshot()) EXPECT_TRUE(contains(r, "client stopped")) << r;
}

TEST(RpcClientFaults, PendingRequestsAreBounded) {
  FakeWsServer server([](const std::string&, int) { return FakeReply{}; });
  Fixture f({server.url()}, [](RpcClientOptions& o) { o.max_pending_requests = 2; });
  Collector<std::string> results;
  for (int i = 0; i < 3; ++i) {
    f.client->call_async(
        "m", "[]", [&](Result<std::string> r) { results.push(r.ok() ? "ok" : r.error().message); }, 300ms);
  }
  ASSERT_TRUE(results.wait_count(3, 3s));
  const auto r = results.snapshot();
  EXPECT_TRUE(contains(r[0], "too many pending requests (limit 2)")) << r[0];
  EXPECT_TRUE(contains(r[1], "no response within 300 ms")) << r[1];
}

TEST(RpcClientFaults, BadOptionsAreRefusedAtCreation) {
  NetContext net;
  RpcClientOptions none;
  auto a = RpcClient::create(net, none);
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(contains(a.error().message, "no endpoints"));
  RpcClientOptions bad;
  bad.endpoints = {"ws://127.0.0.1:1", "http://example.com"};
  auto b = RpcClient::create(net, bad);
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(contains(b.error().message, "bad endpoint URL 'http://example.com'")) << b.error().message;
  RpcClientOptions tls;
  tls.endpoints = {"wss://127.0.0.1:1"};
  tls.tls_ca_file = "/nonexistent/ca.pem";
  auto t = RpcClient::create(net, tls);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(contains(t.error().message, "TLS setup failed")) << t.error().message;
}

}  // namespace
}  // namespace pylon::net

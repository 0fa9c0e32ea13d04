// RpcClient against a misbehaving loopback server: every fault must end in a clear error (or a
// clean recovery), never a hang or a crash.
#include <gtest/gtest.h>

#include <atomic>
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

// The requests of a batch message, each as its own request text (the test server's helpers read
// one request's id and method).
std::vector<std::string> batch_items(const std::string& req) {
  std::vector<std::string> out;
  if (req.empty() || req.front() != '[') return out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 1; i + 1 < req.size(); ++i) {
    if (req[i] == '{' && depth++ == 0) start = i;
    if (req[i] == '}' && --depth == 0) out.push_back(req.substr(start, i - start + 1));
  }
  return out;
}

TEST(RpcClientFaults, CallAllSendsOneBatchMessageAndAnswersInTheOrderAsked) {
  std::atomic<int> messages{0};
  FakeWsServer server([&](const std::string& req, int) {
    ++messages;
    auto items = batch_items(req);
    if (items.empty()) return ok_reply(req);
    // Answered in reverse: the client matches by id, not by position.
    std::string frame = "[";
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      if (frame.size() > 1) frame += ',';
      frame += FakeWsServer::result(*it, "\"" + FakeWsServer::method_of(*it) + "\"");
    }
    return FakeReply{{frame + "]"}};
  });
  Fixture f({server.url()});
  ASSERT_TRUE(f.client->wait_connected(2s).ok());
  std::vector<CallSpec> calls;
  for (int i = 0; i < 5; ++i) calls.push_back({"m" + std::to_string(i), "[" + std::to_string(i) + "]"});
  auto answers = f.client->call_all(calls);
  ASSERT_EQ(answers.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(answers[i].ok()) << answers[i].error().message;
    EXPECT_EQ(answers[i].value(), "\"m" + std::to_string(i) + "\"");
  }
  EXPECT_EQ(messages.load(), 1);
  // A call the client refuses (bad params) fails alone; the others still go and answer.
  calls[2].params_json = "[1,";
  answers = f.client->call_all(calls);
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_FALSE(answers[2].ok());
  EXPECT_TRUE(answers[2].error().is(RpcErrc::kRejected)) << answers[2].error().message;
  EXPECT_TRUE(answers[4].ok() && answers[4].value() == "\"m4\"");
  EXPECT_EQ(messages.load(), 2);
}

TEST(RpcClientFaults, ABatchTheServerRefusesFailsAtOnceThenEveryCallGoesAlone) {
  std::atomic<int> batches{0}, singles{0};
  FakeWsServer server([&](const std::string& req, int) {
    if (req.front() == '[') {
      ++batches;
      return FakeReply{{R"({"jsonrpc":"2.0","error":{"code":-32005,"message":"Batched requests are not )"
                        R"(supported by this server"},"id":null})"}};
    }
    ++singles;
    return ok_reply(req);
  });
  Fixture f({server.url()});
  ASSERT_TRUE(f.client->wait_connected(2s).ok());
  const std::vector<CallSpec> calls = {{"a", "[]"}, {"b", "[]"}, {"c", "[]"}};
  const auto started = std::chrono::steady_clock::now();
  auto refused = f.client->call_all(calls);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);  // not the 5 s request timeout
  ASSERT_EQ(refused.size(), 3u);
  for (const auto& r : refused) {
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is(RpcErrc::kNodeError)) << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "the server refused a batch of requests")) << r.error().message;
  }
  auto alone = f.client->call_all(calls);
  for (const auto& r : alone) EXPECT_TRUE(r.ok() && r.value() == "\"ok\"");
  EXPECT_EQ(batches.load(), 1);
  EXPECT_EQ(singles.load(), 3);
}

TEST(RpcClientFaults, ABatchAnswerMissingOneResponseTimesOutThatCallAlone) {
  FakeWsServer server([&](const std::string& req, int) {
    auto items = batch_items(req);
    std::string frame = "[";
    for (const auto& one : items) {
      if (FakeWsServer::method_of(one) == "lost") continue;
      if (frame.size() > 1) frame += ',';
      frame += FakeWsServer::result(one, "1");
    }
    return FakeReply{{frame + "]"}};
  });
  Fixture f({server.url()}, [](RpcClientOptions& o) { o.request_timeout = 300ms; });
  ASSERT_TRUE(f.client->wait_connected(2s).ok());
  auto answers = f.client->call_all({{"a", "[]"}, {"lost", "[]"}, {"c", "[]"}});
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[0].ok() && answers[2].ok());
  ASSERT_FALSE(answers[1].ok());
  EXPECT_TRUE(answers[1].error().is(RpcErrc::kTimeout)) << answers[1].error().message;
  EXPECT_TRUE(contains(answers[1].error().message, "lost: no response within 300 ms"))
      << answers[1].error().message;
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

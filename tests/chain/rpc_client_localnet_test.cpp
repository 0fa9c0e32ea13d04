// RpcClient against the real local chain (chopsticks running subtensor spec 293). Test order
// matters only for the last test, which restarts the chain.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <regex>
#include <thread>

#include "common/build_info.hpp"
#include "localnet_env.hpp"
#include "net/rpc_client.hpp"
#include "net_test_support.hpp"

namespace pylon::net {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::contains;
using testing::has_event;
using testing::LocalnetEnv;

std::unique_ptr<RpcClient> make_client(NetContext& net, std::vector<std::string> endpoints,
                                       Collector<ClientEvent>* events = nullptr) {
  RpcClientOptions o;
  o.endpoints = std::move(endpoints);
  o.request_timeout = 30s;
  o.connect_timeout = 5s;
  o.backoff = {100ms, 500ms, 2.0, 0.5};
  if (events) o.on_event = [events](const ClientEvent& e) { events->push(e); };
  auto c = RpcClient::create(net, std::move(o));
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? std::move(c).value() : nullptr;
}

// "0x…" header number of a chain_newHead notification / chain_getHeader result.
long header_number(std::string_view header_json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  if (p.parse(header_json.data(), header_json.size(), true).get(e)) return -1;
  std::string_view n;
  if (e["number"].get_string().get(n)) return -1;
  return std::stol(std::string(n), nullptr, 16);
}

long best_number(RpcClient& c) {
  auto h = c.call("chain_getHeader");
  return h.ok() ? header_number(h.value()) : -1;
}

const std::regex kHashJson("^\"0x[0-9a-f]{64}\"$");

TEST(RpcClientLocalnet, ConnectsAndReadsGenesisHash) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->wait_connected(10s).ok());
  EXPECT_EQ(c->current_endpoint(), LocalnetEnv::get().url() + "/");
  auto h = c->call("chain_getBlockHash", "[0]");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_TRUE(std::regex_match(h.value(), kHashJson)) << h.value();
  auto again = c->call("chain_getBlockHash", "[0]");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), h.value());
}

TEST(RpcClientLocalnet, RuntimeVersionIsSpec293) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  auto v = c->call("state_getRuntimeVersion");
  ASSERT_TRUE(v.ok()) << v.error().message;
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(v.value()).get(e));
  std::uint64_t spec = 0;
  ASSERT_FALSE(e["specVersion"].get_uint64().get(spec)) << v.value();
  EXPECT_EQ(spec, 293u);
  // `pylon version` and pylon_build_info claim this runtime as the one Pylon is proven against.
  EXPECT_EQ(spec, pylon::build_info().runtime_spec);
}

TEST(RpcClientLocalnet, NewHeadsSubscriptionSeesProducedBlocksUntilUnsubscribed) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  const long before = best_number(*c);
  ASSERT_GE(before, 0);
  Collector<long> heads;
  auto sub = c->subscribe({"chain_subscribeNewHeads", "[]", "chain_unsubscribeNewHeads"},
                          [&heads](std::string_view header) { heads.push(header_number(header)); });
  ASSERT_TRUE(sub.ok()) << sub.error().message;

  auto made = c->call("dev_newBlock", R"([{"count":3}])", 60s);
  ASSERT_TRUE(made.ok()) << made.error().message;
  ASSERT_TRUE(
      heads.wait([&](const std::vector<long>& v) { return !v.empty() && v.back() == before + 3; }, 20s))
      << "saw " << heads.snapshot().size() << " heads";
  const auto seen = heads.snapshot();
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
  for (long n = before + 1; n <= before + 3; ++n) {
    EXPECT_NE(std::find(seen.begin(), seen.end(), n), seen.end()) << "no notification for block #" << n;
  }

  ASSERT_TRUE(c->unsubscribe(sub.value()).ok());
  const std::size_t count = heads.snapshot().size();
  ASSERT_TRUE(c->call("dev_newBlock", R"([{"count":1}])", 60s).ok());
  EXPECT_EQ(best_number(*c), before + 4);
  std::this_thread::sleep_for(300ms);  // a notification would be here by now; none may come
  EXPECT_EQ(heads.snapshot().size(), count);
  EXPECT_FALSE(c->unsubscribe(sub.value()).ok());  // already gone: a clear error, not a crash
}

TEST(RpcClientLocalnet, PipelinedConcurrentRequestsAreAllMatchedById) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  long best = best_number(*c);
  if (best < 3) {
    ASSERT_TRUE(c->call("dev_newBlock", R"([{"count":3}])", 60s).ok());
    best = best_number(*c);
  }
  std::vector<std::string> expected;
  for (long n = 0; n <= best; ++n) {
    auto h = c->call("chain_getBlockHash", "[" + std::to_string(n) + "]");
    ASSERT_TRUE(h.ok()) << h.error().message;
    expected.push_back(h.value());
  }
  // Every hash differs, so a response given to the wrong request would show.
  for (std::size_t i = 1; i < expected.size(); ++i) ASSERT_NE(expected[i], expected[0]);

  constexpr int kThreads = 4, kPerThread = 60;
  std::atomic<int> mismatches{0}, failures{0};
  Collector<int> done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const long n = (t * kPerThread + i) % (best + 1);
        c->call_async("chain_getBlockHash", "[" + std::to_string(n) + "]", [&, n](Result<std::string> r) {
          if (!r.ok()) {
            ++failures;
          } else if (r.value() != expected[static_cast<std::size_t>(n)]) {
            ++mismatches;
          }
          done.push(1);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(done.wait_count(kThreads * kPerThread, 30s));
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(RpcClientLocalnet, RequestTimeoutIsAClearErrorAndTheClientStaysUsable) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->wait_connected(10s).ok());
  // Building two blocks takes ~1 s; 20 ms cannot be enough.
  auto slow = c->call("dev_newBlock", R"([{"count":2}])", 20ms);
  ASSERT_FALSE(slow.ok());
  EXPECT_TRUE(contains(slow.error().message, "dev_newBlock")) << slow.error().message;
  EXPECT_TRUE(contains(slow.error().message, "no response within 20 ms")) << slow.error().message;
  // The late answer is dropped; later requests are matched correctly.
  auto h = c->call("chain_getBlockHash", "[0]");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_TRUE(std::regex_match(h.value(), kHashJson));
  EXPECT_TRUE(c->connected());
}

TEST(RpcClientLocalnet, ErrorResponsesNameMethodAndCode) {
  PYLON_REQUIRE_LOCALNET();
  NetContext net;
  auto c = make_client(net, {LocalnetEnv::get().url()});
  ASSERT_TRUE(c);
  auto r = c->call("pylon_noSuchMethod", "[]");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().message, "pylon_noSuchMethod: JSON-RPC error -32601")) << r.error().message;
  // Malformed params never leave the process.
  auto bad = c->call("chain_getBlockHash", "[0");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(contains(bad.error().message, "chain_getBlockHash: params are not valid JSON"))
      << bad.error().message;
  // A real runtime error: state_call of an API that does not exist.
  auto api = c->call("state_call", R"(["NoSuchApi_nothing","0x"])");
  ASSERT_FALSE(api.ok());
  EXPECT_TRUE(contains(api.error().message, "state_call: JSON-RPC error")) << api.error().message;
  EXPECT_TRUE(c->call("chain_getBlockHash", "[0]").ok());
}

TEST(RpcClientLocalnet, FailsOverFromADeadEndpointToTheLiveOne) {
  PYLON_REQUIRE_LOCALNET();
  const std::string dead = "ws://127.0.0.1:" + std::to_string(testing::free_tcp_port());
  NetContext net;
  Collector<ClientEvent> events;
  auto c = make_client(net, {dead, LocalnetEnv::get().url()}, &events);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->wait_connected(10s).ok());
  EXPECT_EQ(c->current_endpoint(), LocalnetEnv::get().url() + "/");
  auto h = c->call("chain_getBlockHash", "[0]");
  ASSERT_TRUE(h.ok()) << h.error().message;
  const auto ev = events.snapshot();
  ASSERT_GE(ev.size(), 2u);
  EXPECT_EQ(ev[0].kind, ClientEvent::Kind::kConnectFailed);
  EXPECT_EQ(ev[0].endpoint, dead + "/");
  EXPECT_TRUE(contains(ev[0].detail, "connect failed")) << ev[0].detail;
  EXPECT_EQ(ev[1].kind, ClientEvent::Kind::kConnected);
  EXPECT_FALSE(ev[1].reconnect);
}

// Last: restarts the chain (a fresh genesis state).
TEST(RpcClientLocalnet, ReconnectsAfterChainRestartAndResumesSubscription) {
  PYLON_REQUIRE_LOCALNET();
  auto& env = LocalnetEnv::get();
  NetContext net;
  Collector<ClientEvent> events;
  auto c = make_client(net, {env.url()}, &events);
  ASSERT_TRUE(c);
  Collector<long> heads;
  auto sub = c->subscribe({"chain_subscribeNewHeads", "[]", "chain_unsubscribeNewHeads"},
                          [&heads](std::string_view header) { heads.push(header_number(header)); });
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  ASSERT_TRUE(c->call("dev_newBlock", "[{}]", 60s).ok());
  ASSERT_TRUE(heads.wait_count(1, 10s));

  // A request on the wire when the chain dies fails at once with the reason, it does not hang.
  Collector<Result<std::string>> inflight;
  c->call_async(
      "dev_newBlock", R"([{"count":5}])", [&](Result<std::string> r) { inflight.push(std::move(r)); }, 120s);
  // The first of its five blocks is announced: the request is on the node, four blocks to go.
  ASSERT_TRUE(heads.wait_count(2, 30s));
  ASSERT_EQ(env.stop(), "");
  ASSERT_TRUE(inflight.wait_count(1, 15s)) << "request on the dropped connection did not complete";
  const auto lost = inflight.snapshot()[0];
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(contains(lost.error().message, "dev_newBlock: connection lost before the response arrived"))
      << lost.error().message;
  ASSERT_TRUE(events.wait([](const auto& v) { return has_event(v, ClientEvent::Kind::kDisconnected); }, 10s));
  EXPECT_FALSE(c->connected());

  // While down: requests wait for a connection, within their timeout.
  auto waiting = c->call("chain_getBlockHash", "[0]", 200ms);
  ASSERT_FALSE(waiting.ok());
  EXPECT_TRUE(contains(waiting.error().message, "no response within 200 ms")) << waiting.error().message;

  heads.clear();
  ASSERT_EQ(env.start(), "");
  ASSERT_TRUE(events.wait([](const auto& v) { return has_event(v, ClientEvent::Kind::kResubscribed); }, 20s));
  const auto ev = events.snapshot();
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (ev[i].kind == ClientEvent::Kind::kResubscribed) {
      EXPECT_EQ(ev[i].count, 1u);
    }
    if (ev[i].kind == ClientEvent::Kind::kConnected) {
      EXPECT_EQ(ev[i].reconnect, i > 0);
    }
  }
  // A fresh chain (chopsticks builds #1 itself at startup): the same local subscription follows it.
  const long fresh = best_number(*c);
  ASSERT_GE(fresh, 0);
  ASSERT_TRUE(c->call("dev_newBlock", R"([{"count":2}])", 60s).ok());
  ASSERT_TRUE(
      heads.wait([&](const std::vector<long>& v) { return !v.empty() && v.back() == fresh + 2; }, 20s))
      << "subscription did not resume; saw " << ::testing::PrintToString(heads.snapshot());
  EXPECT_TRUE(c->unsubscribe(sub.value()).ok());
}

}  // namespace
}  // namespace pylon::net

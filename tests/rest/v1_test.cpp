// The /api/v1 surface over HTTP on the recorded finney snapshot (netuid 1): the public reads, the
// commitments under both prefixes, login and PUT weights through the real weights Writer, with
// exact status and body. The order of checks itself is table-tested in v1_guard_test.cpp.
#include <atomic>
#include <future>
#include <thread>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360, netuid 1)

std::string hotkey(std::size_t uid) {
  return codec::ss58_encode(recorded()->neurons.at(uid).hotkey);
}

std::string block_json() {
  return "{\"number\":" + std::to_string(kRecordedBlock) + ",\"hash\":\"" + to_hex(recorded()->block_hash) +
         "\"}";
}

TEST(RestV1, PublicReads) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  auto ids = h.get("/api/v1/identities");
  EXPECT_EQ(ids.status, 200u);
  EXPECT_EQ(ids.body, "{\"identities\":{\"sn1\":1}}");  // names and netuids, never tokens
  auto b = h.get("/api/v1/block/latest/");
  EXPECT_EQ(b.status, 200u);
  EXPECT_EQ(b.body, "{\"number\":" + std::to_string(kRecordedBlock) + ",\"hash\":\"" +
                        to_hex(recorded()->block_hash) +
                        "\",\"timestamp\":" + std::to_string(recorded()->timestamp_ms / 1000) + "}");
}

// Flat hex map of registered hotkeys' hex-data commitments; one lookup answers the flat object.
TEST(RestV1, CommitmentsUnderBothPrefixes) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), true, false);
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  follower::HotkeyCommitment timelocked;
  timelocked.hotkey = s->neurons.at(1).hotkey;
  timelocked.commitment.block = s->block - 5;
  timelocked.commitment.fields.push_back({"TimelockEncrypted", {0x01, 0x02}, 1234});
  follower::HotkeyCommitment unregistered;
  unregistered.hotkey = AccountId{};
  unregistered.commitment.block = s->block - 5;
  unregistered.commitment.fields.push_back({"Raw1", {0x07}, std::nullopt});
  s->commitments->push_back(timelocked);
  s->commitments->push_back(unregistered);
  h.snapshots.publish(s);

  const std::string map =
      "{\"block\":" + block_json() + ",\"commitments\":{\"" + hotkey(0) + "\":\"0xdeadbeef\"}}";
  const std::string one = "{\"block\":" + block_json() +
                          ",\"commitment_block_number\":" + std::to_string(kRecordedBlock - 10) +
                          ",\"hotkey\":\"" + hotkey(0) + "\",\"commitment\":\"0xdeadbeef\"}";
  for (const std::string prefix : {"/api/v1/subnet/1", "/api/v1/identity/sn1/subnet/1"}) {
    const std::string& auth = prefix.find("identity") != std::string::npos ? kSn1Auth : kOpenAuth;
    SCOPED_TRACE(prefix);
    auto all = h.get(prefix + "/block/latest/commitments", auth);
    EXPECT_EQ(all.status, 200u);
    EXPECT_EQ(all.body, map);
    auto a = h.get(prefix + "/block/latest/commitments/" + hotkey(0), auth);
    EXPECT_EQ(a.status, 200u);
    EXPECT_EQ(a.body, one);
    auto tl = h.get(prefix + "/block/latest/commitments/" + hotkey(1), auth);
    EXPECT_EQ(tl.status, 404u);
    EXPECT_EQ(tl.body, v1_error(404, ""));
    for (const std::string& none :
         {hotkey(2), std::string("not-a-hotkey"), codec::ss58_encode(AccountId{})}) {
      auto n = h.get(prefix + "/block/latest/commitments/" + none, auth);
      EXPECT_EQ(n.status, 404u) << none;
      EXPECT_EQ(n.body, v1_error(404, "Commitment not found.")) << none;
    }
  }
  auto self = h.get("/api/v1/identity/sn1/subnet/1/block/latest/commitments/self", kSn1Auth);
  EXPECT_EQ(self.status, 200u);
  EXPECT_EQ(self.body, one);
  // Another subnet is read from the chain on request (v1_subnets_test.cpp); the recording has
  // nothing of subnet 2, and the node's error is a 502 rather than an answer from nothing.
  auto other = h.get("/api/v1/subnet/2/block/latest/commitments", kOpenAuth);
  EXPECT_EQ(other.status, 502u) << other.body;
  // An identity path on another netuid is redirected (the Location is checked in the guard test).
  EXPECT_EQ(h.get("/api/v1/identity/sn1/subnet/2/block/latest/commitments", kSn1Auth).status, 308u);
}

TEST(RestV1, TheTimeoutHeaderAndTheAuthHeaderReachTheGuard) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  HttpClient c(h.port());
  c.send_raw(
      "GET /api/v1/identities HTTP/1.1\r\nHost: x\r\nX-Pylon-Timeout: soon\r\n\r\n"
      "GET /api/v1/subnet/1/block/latest/commitments HTTP/1.1\r\nHost: x\r\nX-Pylon-Timeout: -2\r\n\r\n"
      "GET /api/v1/subnet/1/block/latest/commitments HTTP/1.1\r\nHost: x\r\nX-Pylon-Timeout: 0.5\r\n\r\n"
      "GET /api/v1/subnet/1/block/latest/commitments HTTP/1.1\r\nHost: x\r\nAuthorization: \r\n\r\n");
  auto answers = c.read_answers(4);
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].status, 400u);
  EXPECT_EQ(answers[0].body, v1_error(400, "Invalid X-Pylon-Timeout header value: soon"));
  EXPECT_EQ(answers[1].body, v1_error(400, "X-Pylon-Timeout header value must be positive, got -2.0"));
  EXPECT_EQ(answers[2].body, v1_error(401, "Authorization header is required"));
  EXPECT_EQ(answers[3].body, v1_error(401, "Invalid Authorization header format. Expected: Bearer <token>"));
  EXPECT_EQ(h.get("/api/v1/nope").body, v1_error(404, "Not Found"));
  EXPECT_EQ(http(h.port(), "DELETE", "/api/v1/identities").status, 405u);
}

TEST(RestV1, Login) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  auto ok = http(h.port(), "POST", "/api/v1/login/identity/sn1", "{\"token\":\"" + kSn1 + "\"}");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_EQ(ok.body, "{\"netuid\":1,\"identity_name\":\"sn1\"}");
  auto wrong = http(h.port(), "POST", "/api/v1/login/identity/sn1", "{\"token\":\"" + kOpen + "\"}");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.body, v1_error(401, "Invalid token"));
  EXPECT_EQ(http(h.port(), "POST", "/api/v1/login/identity/ghost", "{\"token\":\"x\"}").body,
            v1_error(404, "Identity 'ghost' not found"));
  EXPECT_EQ(http(h.port(), "POST", "/api/v1/login/identity/sn1", "{}").body,
            "{\"status_code\":400,\"detail\":\"Validation failed for POST /api/v1/login/identity/sn1\","
            "\"extra\":[{\"key\":\"token\",\"message\":\"Field required\"}]}");
}

std::string validation(const std::string& key, const std::string& message) {
  return "{\"status_code\":400,\"detail\":\"Validation failed for PUT "
         "/api/v1/identity/sn1/subnet/1/weights\","
         "\"extra\":[{\"key\":\"" +
         key + "\",\"message\":\"" + message + "\"}]}";
}

TEST(RestV1, PutWeightsValidatesAsThe2xServiceDoes) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  const std::string path = "/api/v1/identity/sn1/subnet/1/weights";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"{}", validation("weights", "Field required")},
      {"{\"weights\": {}}", validation("weights", "Value error, No weights provided")},
      {"{\"weights\": {\"hk\": \"invalid\"}}",
       validation("weights.hk", "Input should be a valid number, unable to parse string as a number")},
      {"{\"weights\": {\"\": 0.5}}",
       validation("weights", "Value error, Invalid hotkey: '' must be a non-empty string")},
      {"[1]", validation("", "Input should be a valid dictionary or object to extract fields from")},
      {"not json", validation("", "Input should be a valid dictionary or object to extract fields from")},
      {"", validation("", "Input should be a valid dictionary or object to extract fields from")},
  };
  for (const auto& [body, answer] : rows) {
    auto a = http(h.port(), "PUT", path, body, kSn1Auth);
    EXPECT_EQ(a.status, 400u) << body;
    EXPECT_EQ(a.body, answer) << body;
  }
  // Auth comes before the body: a bad body without the token is a 401, and nothing is stored.
  EXPECT_EQ(http(h.port(), "PUT", path, "{}", "").status, 401u);
  EXPECT_EQ(http(h.port(), "PUT", path, "{}", kOpenAuth).status, 403u);
  EXPECT_TRUE(h.store->weights({kNetuid}, kEpoch)->empty());
}

TEST(RestV1, PutWeightsIsDurableBeforeThe200AndTheLatestRequestWins) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  const std::string path = "/api/v1/identity/sn1/subnet/1/weights/";
  // Numeric strings are numbers; a hotkey that is not SS58 is counted and dropped (as the 2.x
  // service drops unknown hotkeys when it commits); unknown fields are ignored.
  auto a =
      http(h.port(), "PUT", path,
           "{\"weights\":{\"" + hotkey(0) + "\":\"0.5\",\"" + hotkey(1) + "\":1,\"nobody\":2},\"extra\":1}",
           kSn1Auth);
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"detail\":\"weights update scheduled\",\"count\":3}");
  auto stored = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, (std::map<AccountId, double>{{recorded()->neurons.at(0).hotkey, 0.5},
                                                  {recorded()->neurons.at(1).hotkey, 1.0}}));
  auto b = http(h.port(), "PUT", path, "{\"weights\":{\"" + hotkey(2) + "\":3}}", kSn1Auth);
  EXPECT_EQ(b.body, "{\"detail\":\"weights update scheduled\",\"count\":1}");
  stored = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, (std::map<AccountId, double>{{recorded()->neurons.at(0).hotkey, 0.0},
                                                  {recorded()->neurons.at(1).hotkey, 0.0},
                                                  {recorded()->neurons.at(2).hotkey, 3.0}}));
  // Pylon's weight rule: negative weights are refused, naming the hotkey, and change nothing.
  auto neg = http(h.port(), "PUT", path, "{\"weights\":{\"" + hotkey(2) + "\":-1}}", kSn1Auth);
  EXPECT_EQ(neg.status, 400u);
  EXPECT_NE(neg.body.find("\"key\":\"weights." + hotkey(2) + "\""), std::string::npos) << neg.body;
  EXPECT_EQ(h.store->weights({kNetuid}, kEpoch)->at(recorded()->neurons.at(2).hotkey), 3.0);
}

// Two PUTs racing: both reach the Writer while it is held busy (its previous batch's answer is
// running), so they commit in one round. The handler used to read the stored weights and then
// submit zeros for absent hotkeys: both reads saw an empty epoch and the union {x, y} was stored.
// Each PUT is now one replacing batch: exactly one request's set is left, never both.
TEST(RestV1, ConcurrentPutWeightsNeverStoreTheUnion) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  const std::string path = "/api/v1/identity/sn1/subnet/1/weights";
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  weights::WeightUpdate other{kNetuid, kEpoch - 361, recorded()->neurons.at(5).hotkey, weights::Op::set, 1};
  h.writer->submit({other}, [&entered, released](Result<std::vector<double>>) {
    entered.set_value();
    released.wait();  // holds the writer thread: what is submitted now waits for one round
  });
  entered.get_future().wait();
  HttpAnswer ax, ay;
  std::atomic<int> answered{0};  // a request answered without reaching the writer ends the wait
  std::thread tx([&] {
    ax = http(h.port(), "PUT", path, "{\"weights\":{\"" + hotkey(0) + "\":1}}", kSn1Auth);
    ++answered;
  });
  std::thread ty([&] {
    ay = http(h.port(), "PUT", path, "{\"weights\":{\"" + hotkey(1) + "\":1}}", kSn1Auth);
    ++answered;
  });
  while (h.writer->stats().pending < 2 && answered == 0) std::this_thread::yield();  // both are waiting
  release.set_value();
  tx.join();
  ty.join();
  EXPECT_EQ(ax.status, 200u) << ax.body;
  EXPECT_EQ(ay.status, 200u) << ay.body;
  auto stored = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(stored.ok());
  const AccountId& x = recorded()->neurons.at(0).hotkey;
  const AccountId& y = recorded()->neurons.at(1).hotkey;
  const std::map<AccountId, double> only_x{{x, 1.0}, {y, 0.0}}, only_y{{x, 0.0}, {y, 1.0}};
  EXPECT_TRUE(*stored == only_x || *stored == only_y)
      << "x=" << (stored->count(x) ? stored->at(x) : -1) << " y=" << (stored->count(y) ? stored->at(y) : -1);
}

// /metrics counts v1 requests by route template (not by the path sent), 308s included.
TEST(RestV1, MetricsCountByTemplate) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options());
  h.get("/api/v1/subnet/1/block/latest/commitments/" + hotkey(0), kOpenAuth);
  h.get("/api/v1/subnet/1/block/latest/commitments/" + hotkey(1) + "/", kOpenAuth);
  h.get("/api/v1/identity/sn1/subnet/9/block/latest/commitments", kSn1Auth);
  h.get("/api/v1/nope");
  auto m = h.get("/metrics");
  ASSERT_EQ(m.status, 200u);
  for (const char* want : {
           "pylon_http_requests_total{path=\"/api/v1/subnet/{netuid}/block/latest/commitments/{hotkey}\","
           "status=\"200\"} 1\n",
           "pylon_http_requests_total{path=\"/api/v1/subnet/{netuid}/block/latest/commitments/{hotkey}\","
           "status=\"404\"} 1\n",
           "pylon_http_requests_total{path=\"/api/v1/identity/{identity}/subnet/{netuid}/block/latest/"
           "commitments\","
           "status=\"308\"} 1\n",
           "pylon_http_requests_total{path=\"other\",status=\"404\"} 1\n",
       })
    EXPECT_NE(m.body.find(want), std::string::npos) << want;
}

}  // namespace
}  // namespace pylon::rest::test

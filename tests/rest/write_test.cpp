// The weights endpoints against a real weights Store + Writer: the answer and what the store holds
// afterwards; refused requests change nothing.
#include "codec/ss58.hpp"
#include "common/utf8.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360)

std::string hotkey(std::size_t i) {
  return codec::ss58_encode(recorded()->neurons.at(i).hotkey);
}

// The first neuron's hotkey as an address of another SS58 network.
std::string other_prefix(std::uint16_t prefix) {
  return codec::ss58_encode(recorded()->neurons.at(0).hotkey, prefix);
}

double stored(Harness& h, std::size_t neuron) {
  auto w = h.store->weights({kNetuid}, kEpoch);
  EXPECT_TRUE(w.ok());
  auto it = w->find(recorded()->neurons.at(neuron).hotkey);
  return it == w->end() ? -1 : it->second;
}

// The refused requests stored nothing: the epoch holds no weights.
void expect_nothing_stored(Harness& h) {
  auto w = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->empty());
}

// A PUT the endpoint refuses: 400, the body saying `why`.
void expect_put_refused(Harness& h, const std::string& target, const std::string& body,
                        std::string_view why) {
  auto a = http(h.port(), "PUT", target, body);
  EXPECT_EQ(a.status, 400u) << target << " " << body << " -> " << a.body;
  EXPECT_NE(a.body.find(why), std::string::npos) << a.body;
}

TEST(RestWrite, SetWeightStoresInTheCurrentEpoch) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  auto a = http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":0.25})");
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + hotkey(0) + "\",\"weight\":0.25,\"epoch\":6852499}");
  EXPECT_EQ(stored(h, 0), 0.25);
}

TEST(RestWrite, UpdateWeightAddsAndRefusesBelowZero) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  auto a = http(h.port(), "PUT", "/update_weight", R"({"hotkey":")" + hotkey(1) + R"(","weight_delta":2})");
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + hotkey(1) + "\",\"weight\":2.0,\"epoch\":6852499}");
  a = http(h.port(), "PUT", "/update_weight", R"({"hotkey":")" + hotkey(1) + R"(","weight_delta":-0.5})");
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + hotkey(1) + "\",\"weight\":1.5,\"epoch\":6852499}");
  expect_put_refused(h, "/update_weight", R"({"hotkey":")" + hotkey(1) + R"(","weight_delta":-2})",
                     "non-negative");
  EXPECT_EQ(stored(h, 1), 1.5);
}

TEST(RestWrite, SetWeightsSetsThoseAndLeavesOthers) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":7})");
  auto a = http(h.port(), "PUT", "/set_weights",
                R"({"weights":{")" + hotkey(1) + R"(":1,")" + hotkey(2) + R"(":0.5}})");
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"epoch\":6852499,\"weights\":{\"" + hotkey(1) + "\":1.0,\"" + hotkey(2) + "\":0.5}}");
  EXPECT_EQ(stored(h, 0), 7);
  EXPECT_EQ(stored(h, 1), 1);
  EXPECT_EQ(stored(h, 2), 0.5);
}

TEST(RestWrite, SetWeightsForEveryNeuronFitsTheDefaultLimit) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  std::string body = "{\"weights\":{";
  for (std::size_t i = 0; i < recorded()->neurons.size(); ++i) {
    if (i) body += ',';
    body += '"' + hotkey(i) + "\":" + std::to_string(i % 7) + ".1250000000000001";  // float64 text
  }
  body += "}}";
  ASSERT_GT(body.size(), 64u * 1024);  // full-precision floats: over the limit this module first had
  auto a = http(h.port(), "PUT", "/set_weights", body);
  ASSERT_EQ(a.status, 200u) << a.body.substr(0, 300);
  auto w = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->size(), 1024u);
  EXPECT_EQ(stored(h, 1000), 6.1250000000000001);  // 1000 % 7 = 6
}

TEST(RestWrite, RawWeightsOfTheCurrentAndAGivenEpoch) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  EXPECT_EQ(h.get("/raw_weights").status, 404u);  // none yet
  http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(3) + R"(","weight":3})");
  auto a = h.get("/raw_weights");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, "{\"epoch\":6852499,\"weights\":{\"" + hotkey(3) + "\":3.0}}");
  EXPECT_EQ(h.get("/raw_weights?epoch=6852600").body, a.body);  // a block of the same epoch
  EXPECT_EQ(h.get("/raw_weights?epoch=6852000").status, 404u);  // an earlier epoch: none
  EXPECT_EQ(h.get("/raw_weights?epoch=abc").status, 400u);
}

TEST(RestWrite, WeightsStatusShowsTheStoreAndTheMissingParts) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":1})");
  auto a = h.get("/weights_status");
  ASSERT_EQ(a.status, 200u) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(j.root["epoch"].get_uint64().value_unsafe(), kEpoch);
  EXPECT_EQ(j.root["epoch_end"].get_uint64().value_unsafe(), 6852860u);
  EXPECT_EQ(j.root["weights"][hotkey(0)].get_double().value_unsafe(), 1.0);
  EXPECT_EQ(j.root["attempts"].get_array().value_unsafe().size(), 0u);
  EXPECT_TRUE(j.root["reveal"].is_null());
  EXPECT_TRUE(j.root["committer"].is_null());
  EXPECT_FALSE(j.root["chain"]["unavailable"].error());
}

TEST(RestWrite, EndpointsWithoutTheirPartAnswer503) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, /*with_weights=*/false);
  EXPECT_EQ(http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":1})").status,
            503u);
  EXPECT_EQ(h.get("/raw_weights").status, 503u);
  EXPECT_EQ(http(h.port(), "POST", "/force_commit_weights").status, 503u);
  EXPECT_EQ(http(h.port(), "POST", "/set_commitment", R"({"data_hex":"0x0102"})").status, 503u);
  EXPECT_EQ(http(h.port(), "PUT", "/set_hyperparam", R"({"name":"tempo","value":10})").status, 503u);
}

// Every bad body is refused with 400 in the error shape, and the store holds nothing after all.
TEST(RestWrite, BadInputCorpusIsRefusedAndChangesNothing) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  const std::string hk = hotkey(0);
  struct Case {
    const char* method;
    const char* path;
    std::string body;
  };
  const std::vector<Case> cases = {
      // set_weight
      {"PUT", "/set_weight", ""},
      {"PUT", "/set_weight", "not json"},
      {"PUT", "/set_weight", "[]"},
      {"PUT", "/set_weight", "{}"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"("})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":"1"})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":-1})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":NaN})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":1e999})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":1e16})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":1,"extra":1})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":1,"weight":2})"},
      {"PUT", "/set_weight", R"({"hotkey":"5abc","weight":1})"},
      {"PUT", "/set_weight", R"({"hotkey":12,"weight":1})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":null})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":true})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":1})" + std::string(" trailing")},
      // update_weight
      {"PUT", "/update_weight", R"({"hotkey":")" + hk + R"(","weight":1})"},
      {"PUT", "/update_weight", R"({"hotkey":")" + hk + R"(","weight_delta":-1})"},
      {"PUT", "/update_weight", R"({"hotkey":")" + hk + R"(","weight_delta":[1]})"},
      {"PUT", "/update_weight", R"({"hotkey":")" + hk + R"(","weight_delta":-1e300})"},
      // set_weights
      {"PUT", "/set_weights", R"({"weights":{}})"},
      {"PUT", "/set_weights", R"({"weights":[]})"},
      {"PUT", "/set_weights", R"({"weights":{")" + hk + R"(":-1}})"},
      {"PUT", "/set_weights", R"({"weights":{")" + hk + R"(":1,"nope":1}})"},
      {"PUT", "/set_weights", R"({"weights":{")" + hk + R"(":1,")" + hk + R"(":2}})"},
      {"PUT", "/set_weights", R"({"weights":{")" + hk + R"(":1},"x":0})"},
      // the same key under other networks' SS58 prefixes (Polkadot 0, Kusama 2, two-byte 255)
      {"PUT", "/set_weight", R"({"hotkey":")" + other_prefix(0) + R"(","weight":1})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + other_prefix(2) + R"(","weight":1})"},
      {"PUT", "/set_weight", R"({"hotkey":")" + other_prefix(255) + R"(","weight":1})"},
      {"PUT", "/update_weight", R"({"hotkey":")" + other_prefix(0) + R"(","weight_delta":1})"},
      {"PUT", "/set_weights", R"({"weights":{")" + other_prefix(2) + R"(":1}})"},
      // set_commitment
      {"POST", "/set_commitment", R"({"data_hex":"xyz"})"},
      {"POST", "/set_commitment", R"({"data_hex":"0x123"})"},
      {"POST", "/set_commitment", R"({"data_hex":7})"},
      {"POST", "/set_commitment", R"({"data":"0x00"})"},
      {"POST", "/set_commitment", R"({"data_hex":"0x)" + std::string(258, 'a') + R"("})"},
      // set_hyperparam
      {"PUT", "/set_hyperparam", R"({"name":"tempo"})"},
      {"PUT", "/set_hyperparam", R"({"name":"Tempo!","value":1})"},
      {"PUT", "/set_hyperparam", R"({"name":"tempo","value":1.5})"},
      {"PUT", "/set_hyperparam", R"({"name":"tempo","value":[1]})"},
      {"PUT", "/set_hyperparam", R"({"name":"tempo","value":null})"},
      {"PUT", "/set_hyperparam", R"({"name":"","value":1})"},
  };
  for (const auto& c : cases) {
    auto a = http(h.port(), c.method, c.path, c.body);
    EXPECT_EQ(a.status, 400u) << c.path << " " << c.body << " -> " << a.body;
    EXPECT_TRUE(utf8::valid(a.body)) << a.body;
    Json j(a.body);
    ASSERT_TRUE(j.ok) << a.body;
    std::string_view code;
    EXPECT_FALSE(j.root["error"].get_string().get(code));
    EXPECT_EQ(code, "bad_request");
    EXPECT_FALSE(j.root["detail"].get_string().error());
  }
  expect_nothing_stored(h);
}

TEST(RestWrite, HotkeysOfOtherNetworksAreRefusedEverywhere) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  for (std::uint16_t prefix : {0, 2, 255}) {
    auto a = h.get("/get_commitment/" + other_prefix(prefix));
    EXPECT_EQ(a.status, 400u) << prefix << ": " << a.body;
    EXPECT_NE(a.body.find("prefix " + std::to_string(prefix)), std::string::npos) << a.body;
    EXPECT_EQ(a.body.find(other_prefix(prefix)), std::string::npos) << "echoed back: " << a.body;
  }
  expect_nothing_stored(h);
}

// One rule for a weight (weights/weight_value.hpp): a delta may not take it past the limit either.
TEST(RestWrite, UpdateWeightRefusesAResultOverTheLimit) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  auto a = http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":1e15})");
  ASSERT_EQ(a.status, 200u) << a.body;
  expect_put_refused(h, "/update_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight_delta":1})",
                     "at most 1e15");
  EXPECT_EQ(stored(h, 0), 1e15);
}

// A field name cut for the message is cut between characters: the answer stays valid UTF-8.
TEST(RestWrite, ErrorBodiesQuotingFieldNamesAreValidUtf8) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  for (std::size_t pad = 58; pad < 66; ++pad) {
    for (const std::string ch : {"\u00e9", "\u20ac", "\U0001F600"}) {  // 2, 3 and 4 bytes in UTF-8
      std::string name = std::string(pad, 'a');
      for (int i = 0; i < 4; ++i) name += ch;
      auto a = http(h.port(), "PUT", "/set_weight", R"({")" + name + R"(":1})");
      EXPECT_EQ(a.status, 400u);
      EXPECT_TRUE(utf8::valid(a.body)) << pad << " " << ch << ": " << a.body;
      EXPECT_NE(a.body.find("unknown field"), std::string::npos) << a.body;
    }
  }
}

// A write the writer did not take because it is stopping is not the client's fault.
TEST(RestWrite, AStoppedWriterAnswers503) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  h.writer->stop();
  auto a = http(h.port(), "PUT", "/set_weight", R"({"hotkey":")" + hotkey(0) + R"(","weight":1})");
  EXPECT_EQ(a.status, 503u) << a.body;
  EXPECT_NE(a.body.find("\"error\":\"unavailable\""), std::string::npos) << a.body;
}

TEST(RestWrite, ConcurrentWritesAllLand) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      HttpClient c(h.port());
      for (int i = 0; i < 25; ++i) {
        auto a = c.request("PUT", "/update_weight",
                           R"({"hotkey":")" + hotkey(static_cast<std::size_t>(t)) + R"(","weight_delta":1})");
        EXPECT_EQ(a.status, 200u) << a.body;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(stored(h, t), 25);
  EXPECT_LE(h.writer->stats().transactions, 100u);  // grouped, never more than one per request
}

}  // namespace
}  // namespace pylon::rest::test

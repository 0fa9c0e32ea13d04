// ?mechanism=N on the legacy weights endpoints against a real Store + Writer and the replay node:
// weights land in the named mechanism's rows and nowhere else; a mechanism the subnet lacks
// (MechanismCountCurrent at the latest snapshot's block, answered here as 2 by the replay node in
// place of the recording, which holds no such read) and a parameter that is not an integer in
// 0..255 are 400s that store nothing; the default is mechanism 0, exactly as before.
#include "mechanism_count_answer.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

struct Stored {
  std::map<AccountId, double> weights;
  bool ok = false;
};
Stored stored(Harness& h, std::uint8_t mechanism) {
  auto w = h.store->weights({kNetuid}, kRecordedEpoch, mechanism);
  if (!w.ok()) return {};
  return {*w, true};
}

struct Put {
  std::string target;
  std::string body;
};
// PUTs each in order and stops at the first that does not answer 200; the last answer, so one
// status check covers them all (the failing target is named by the EXPECT here).
HttpAnswer put_in_order(Harness& h, const std::vector<Put>& puts) {
  HttpAnswer last;
  for (const Put& p : puts) {
    last = http(h.port(), "PUT", p.target, p.body);
    EXPECT_EQ(last.status, 200u) << p.target << " " << last.body;
    if (last.status != 200u) break;
  }
  return last;
}

TEST(RestWeightsMechanism, WritesAndReadsGoToTheNamedMechanism) {
  PYLON_REST_REQUIRE_SHARED();
  MechanismCountAnswer two(2);
  Harness h;
  auto a = put_in_order(
      h, {
             {"/set_weights?mechanism=1",
              R"({"weights":{")" + recorded_hotkey(1) + R"(":1,")" + recorded_hotkey(2) + R"(":0.5}})"},
             {"/set_weight?mechanism=1", R"({"hotkey":")" + recorded_hotkey(3) + R"(","weight":0.25})"},
             {"/update_weight?mechanism=1", R"({"hotkey":")" + recorded_hotkey(1) + R"(","weight_delta":2})"},
         });
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"hotkey\":\"" + recorded_hotkey(1) + "\",\"weight\":3.0,\"epoch\":6852499}");

  const Stored one = stored(h, 1);
  ASSERT_TRUE(one.ok);
  EXPECT_EQ(one.weights.size(), 3u);
  const Stored zero = stored(h, 0);
  ASSERT_TRUE(zero.ok);
  EXPECT_TRUE(zero.weights.empty());  // mechanism 0 untouched

  auto r = h.get("/raw_weights?mechanism=1");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.body.find("\"" + recorded_hotkey(3) + "\":0.25"), std::string::npos) << r.body;
  r = h.get("/raw_weights?epoch=" + std::to_string(kRecordedEpoch) + "&mechanism=1");
  EXPECT_EQ(r.status, 200u) << r.body;
  r = h.get("/raw_weights");  // mechanism 0: nothing there
  EXPECT_EQ(r.status, 404u) << r.body;

  // The default and ?mechanism=0 are mechanism 0, as the legacy surface always was.
  a = put_in_order(
      h, {
             {"/set_weight", R"({"hotkey":")" + recorded_hotkey(0) + R"(","weight":7})"},
             {"/update_weight?mechanism=0", R"({"hotkey":")" + recorded_hotkey(0) + R"(","weight_delta":1})"},
         });
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(stored(h, 0).weights.at(recorded()->neurons.at(0).hotkey), 8.0);
  EXPECT_FALSE(stored(h, 1).weights.contains(recorded()->neurons.at(0).hotkey));
}

TEST(RestWeightsMechanism, AMechanismTheSubnetLacksIs400AndStoresNothing) {
  PYLON_REST_REQUIRE_SHARED();
  MechanismCountAnswer two(2);
  Harness h;
  const std::string body = R"({"hotkey":")" + recorded_hotkey(0) + R"(","weight":1})";
  for (const char* route : {"/set_weight", "/update_weight"}) {
    const std::string b = std::string(route) == "/set_weight"
                              ? body
                              : R"({"hotkey":")" + recorded_hotkey(0) + R"(","weight_delta":1})";
    auto a = http(h.port(), "PUT", std::string(route) + "?mechanism=2", b);
    EXPECT_EQ(a.status, 400u) << route << " " << a.body;
    EXPECT_NE(a.body.find("subnet " + std::to_string(kNetuid) +
                          " has 2 mechanisms (0..1): no weights for mechanism 2"),
              std::string::npos)
        << a.body;
  }
  auto a =
      http(h.port(), "PUT", "/set_weights?mechanism=7", R"({"weights":{")" + recorded_hotkey(1) + R"(":1}})");
  EXPECT_EQ(a.status, 400u) << a.body;
  auto r = h.get("/raw_weights?mechanism=2");
  EXPECT_EQ(r.status, 400u) << r.body;
  auto m = h.store->mechanisms({kNetuid}, kRecordedEpoch);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
}

TEST(RestWeightsMechanism, ANonIntegerMechanismIs400) {
  PYLON_REST_REQUIRE_SHARED();
  MechanismCountAnswer two(2);
  Harness h;
  const std::string body = R"({"hotkey":")" + recorded_hotkey(0) + R"(","weight":1})";
  for (const char* q : {"abc", "-1", "1.0", "", "0x1", "256", "99999999999999999999"}) {
    auto a = http(h.port(), "PUT", std::string("/set_weight?mechanism=") + q, body);
    EXPECT_EQ(a.status, 400u) << q << " " << a.body;
    EXPECT_NE(a.body.find("mechanism"), std::string::npos) << a.body;
    auto r = h.get(std::string("/raw_weights?mechanism=") + q);
    EXPECT_EQ(r.status, 400u) << q << " " << r.body;
  }
  auto m = h.store->mechanisms({kNetuid}, kRecordedEpoch);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->empty());
}

TEST(RestWeightsMechanism, TheOpenApiDocumentNamesTheParameter) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  auto doc = h.get("/schema/openapi.json");
  ASSERT_EQ(doc.status, 200u);
  Json j(doc.body);
  for (const auto& [path, method] :
       std::vector<std::pair<std::string, std::string>>{{"/set_weight", "put"},
                                                        {"/update_weight", "put"},
                                                        {"/set_weights", "put"},
                                                        {"/raw_weights", "get"}}) {
    simdjson::dom::array params;
    ASSERT_FALSE(j.root["paths"][path][method]["parameters"].get_array().get(params)) << path;
    bool found = false;
    for (simdjson::dom::element p : params) {
      std::string_view name, in;
      if (!p["name"].get_string().get(name) && name == "mechanism" && !p["in"].get_string().get(in) &&
          in == "query")
        found = true;
    }
    EXPECT_TRUE(found) << path;
  }
}

}  // namespace
}  // namespace pylon::rest::test

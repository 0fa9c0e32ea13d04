// The served OpenAPI document is rest/openapi.json, and every path and method in it is routed
// (never "no such path" nor 405); the Prometheus text carries the families operators scrape.
#include <fstream>
#include <sstream>
#include <thread>

#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(RestOpenapi, ServedDocumentIsTheSourceFile) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  auto a = h.get("/schema/openapi.json");
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(a.body, read_file(PYLON_SOURCE_DIR "/rest/openapi.json"));
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(j.root["openapi"].get_string().value_unsafe(), "3.1.0");
}

TEST(RestOpenapi, EveryDocumentedPathIsAnswered) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  auto doc = h.get("/schema/openapi.json");
  Json j(doc.body);
  ASSERT_TRUE(j.ok);
  simdjson::dom::object paths;
  ASSERT_FALSE(j.root["paths"].get(paths));
  std::size_t operations = 0;
  for (auto [path, item] : paths) {
    std::string target(path);
    auto put = [&](std::string_view name, const std::string& value) {
      auto p = target.find(name);
      if (p != std::string::npos) target.replace(p, name.size(), value);
    };
    put("{block_number}", std::to_string(kRecordedBlock));
    put("{hotkey}", first_hotkey());
    simdjson::dom::object methods;
    ASSERT_FALSE(item.get(methods));
    for (auto [method, op] : methods) {
      std::string m(method);
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      auto a = http(h.port(), m, target, m == "GET" ? "" : "{}");
      EXPECT_NE(a.status, 405u) << m << " " << target;
      EXPECT_EQ(a.body.find("no such path"), std::string::npos) << m << " " << target << ": " << a.body;
      EXPECT_NE(a.status, 0u) << m << " " << target;
      ++operations;
    }
  }
  EXPECT_EQ(operations,
            21u);  // the seed contract's 16 plus set_weights, weights_status, live, metrics, schema
}

TEST(RestMetrics, PrometheusTextHasTheFamilies) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  h.get("/latest_block");
  h.get("/latest_block");
  h.get("/nope");
  http(h.port(), "PUT", "/set_weight", "{}");
  auto a = h.get("/metrics");
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const char* want : {
           "pylon_http_requests_total{path=\"/latest_block\",status=\"200\"} 2\n",
           "pylon_http_requests_total{path=\"other\",status=\"404\"} 1\n",
           "pylon_http_requests_total{path=\"/set_weight\",status=\"400\"} 1\n",
           "# TYPE pylon_http_request_duration_seconds histogram\n",
           "pylon_http_request_duration_seconds_bucket{le=\"+Inf\"} 4\n",
           "pylon_http_request_duration_seconds_count 4\n",
           "pylon_snapshot_block 6852690\n",
           "pylon_snapshot_age_seconds ",
           "pylon_snapshot_neurons 1024\n",
           "pylon_weights_queue_depth 0\n",
           "pylon_weights_transactions_total 0\n",
           "pylon_rest_worker_queue_depth 0\n",
       }) {
    EXPECT_NE(a.body.find(want), std::string::npos) << want << "\n" << a.body;
  }
  // The earlier one-shot connections are closed by their own I/O loops, which may run a moment
  // after this request's loop answered: the gauge settles at this one connection.
  const std::string open_one = "pylon_http_connections_open 1\n";
  for (int i = 0; i < 100 && a.body.find(open_one) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    a = h.get("/metrics");
  }
  EXPECT_NE(a.body.find(open_one), std::string::npos) << a.body;
}

}  // namespace
}  // namespace pylon::rest::test

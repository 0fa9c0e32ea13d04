// The served OpenAPI document is rest/openapi.json, and every path and method in it is routed
// (never "no such path" nor 405); the Prometheus text carries the families operators scrape.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "../common/poll_until.hpp"
#include "common/build_info.hpp"
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
    put("{block}", std::to_string(kRecordedBlock));
    put("{index}", "0");
    put("{hotkey}", first_hotkey());
    put("{netuid}", std::to_string(kNetuid));
    put("{identity}", "sn1");
    simdjson::dom::object methods;
    ASSERT_FALSE(item.get(methods));
    for (auto [method, op] : methods) {
      std::string m(method);
      for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      auto a = http(h.port(), m, target, m == "GET" ? "" : "{}");
      EXPECT_NE(a.status, 405u) << m << " " << target;
      EXPECT_EQ(a.body.find("no such path"), std::string::npos) << m << " " << target << ": " << a.body;
      EXPECT_EQ(a.body.find("\"detail\":\"Not Found\""), std::string::npos)
          << m << " " << target << ": " << a.body;
      EXPECT_NE(a.status, 0u) << m << " " << target;
      ++operations;
    }
  }
  // The seed contract's 16 plus set_weights, weights_status, live, metrics, schema; 31 of /api/v1.
  EXPECT_EQ(operations, 54u);
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
           "pylon_http_request_duration_seconds_bucket{path=\"/latest_block\",le=\"+Inf\"} 2\n",
           "pylon_http_request_duration_seconds_count{path=\"/latest_block\"} 2\n",
           "pylon_http_request_duration_seconds_count{path=\"other\"} 1\n",
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
  EXPECT_TRUE(::pylon::test::poll_until(
      [&] {
        a = h.get("/metrics");
        return a.body.find(open_one) != std::string::npos;
      },
      std::chrono::seconds(2), std::chrono::milliseconds(20)))
      << a.body;
}

// Whether `promtool` (Debian's prometheus package; script/bootstrap installs it) can be run.
bool have_promtool() {
  return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

TEST(RestMetrics, ExpositionPassesPromtoolAndHasEveryDocumentedFamily) {
  PYLON_REST_REQUIRE_SHARED();
  if (!have_promtool()) GTEST_SKIP() << "promtool is not installed (script/bootstrap installs prometheus)";
  Harness h;
  // Traffic on several routes, and chain calls as the daemon's timed transport records them:
  // answered, failed, from an endpoint whose URL carries credentials and an API key.
  h.get("/latest_block");
  h.get("/nope");
  http(h.port(), "PUT", "/set_weight", "{}");
  const std::string secret_url = "wss://user:hunter2@node.example:443/api-key-0123?token=abc";
  h.chain_metrics.record_call(endpoint_label(secret_url), "state_call", std::chrono::milliseconds(12), "ok");
  h.chain_metrics.record_call(endpoint_label(secret_url), "state_call", std::chrono::seconds(31), "timeout");
  h.chain_metrics.record_call("ws://127.0.0.1:9944", "chain_getHeader", std::chrono::microseconds(300), "ok");
  h.chain_metrics.record_event(endpoint_label(secret_url), ConnectionEvent::connected);
  h.chain_metrics.record_event(endpoint_label(secret_url), ConnectionEvent::disconnected);
  h.chain_metrics.record_event(endpoint_label(secret_url), ConnectionEvent::reconnected);
  // Two snapshot builds as the follower records them: one of 30 ms, one of 2 s.
  h.snapshots.record_build_time(std::chrono::milliseconds(30));
  h.snapshots.record_build_time(std::chrono::seconds(2));
  auto a = h.get("/metrics");
  ASSERT_EQ(a.status, 200u);

  const auto& b = build_info();
  const std::string build = "pylon_build_info{version=\"" + std::string(b.version) + "\",commit=\"" +
                            std::string(b.commit) + "\",spec=\"293\"} 1\n";
  for (const std::string& want : {
           build,
           std::string("pylon_http_request_duration_seconds_count{path=\"/set_weight\"} 1\n"),
           std::string("pylon_chain_rpc_duration_seconds_bucket{endpoint=\"wss://node.example:443\","
                       "method=\"state_call\",le=\"+Inf\"} 2\n"),
           std::string(
               "pylon_chain_rpc_calls_total{endpoint=\"wss://node.example:443\",method=\"state_call\","
               "outcome=\"timeout\"} 1\n"),
           std::string("pylon_chain_connection_events_total{endpoint=\"wss://node.example:443\","
                       "event=\"reconnected\"} 1\n"),
           std::string("pylon_snapshot_build_duration_seconds_bucket{le=\"0.025\"} 0\n"),
           std::string("pylon_snapshot_build_duration_seconds_bucket{le=\"0.05\"} 1\n"),
           std::string("pylon_snapshot_build_duration_seconds_bucket{le=\"1\"} 1\n"),
           std::string("pylon_snapshot_build_duration_seconds_bucket{le=\"2.5\"} 2\n"),
           std::string("pylon_snapshot_build_duration_seconds_sum 2.03\n"),
           std::string("pylon_snapshot_build_duration_seconds_count 2\n"),
           std::string("process_resident_memory_bytes "),
           std::string("process_cpu_seconds_total "),
           std::string("process_open_fds "),
           std::string("process_max_fds "),
           std::string("process_start_time_seconds "),
       }) {
    EXPECT_NE(a.body.find(want), std::string::npos) << want << "\n" << a.body;
  }
  for (const char* secret : {"hunter2", "api-key", "token=abc", "user:"})
    EXPECT_EQ(a.body.find(secret), std::string::npos) << secret;

  // Every family rest/README.md documents is in the exposition, under the documented type.
  const std::string readme = read_file(PYLON_SOURCE_DIR "/rest/README.md");
  const std::string marker = "| `";
  std::size_t documented = 0;
  for (std::size_t at = readme.find("### Metrics"); at != std::string::npos;) {
    at = readme.find(marker, at);
    if (at == std::string::npos) break;
    at += marker.size();
    const auto end = readme.find('`', at);
    const std::string name = readme.substr(at, end - at);
    // The harness runs no committer: its families are checked on the daemon (tests/e2e).
    if (name.starts_with("pylon_commit_") || name.starts_with("pylon_weight_commits_")) continue;
    if (name.starts_with("pylon_") || name.starts_with("process_")) {
      ++documented;
      EXPECT_NE(a.body.find("# TYPE " + name + " "), std::string::npos)
          << name << " is documented, not exposed";
    }
  }
  EXPECT_GE(documented, 20u) << "rest/README.md's metrics table was not found";

  // promtool parses the text format strictly and lints names, types and help texts.
  char path[] = "/tmp/pylon-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, a.body.data(), a.body.size()), static_cast<ssize_t>(a.body.size()));
  ::close(fd);
  FILE* p = ::popen(("promtool check metrics < " + std::string(path) + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string said;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) said.append(buf, n);
  const int status = ::pclose(p);
  ::unlink(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << said << "\n" << a.body;
  EXPECT_EQ(said, "") << a.body;
}

}  // namespace
}  // namespace pylon::rest::test

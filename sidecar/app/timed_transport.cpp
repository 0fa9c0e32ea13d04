#include "app/timed_transport.hpp"

#include <chrono>
#include <memory>

#include "common/enum_names.hpp"

namespace pylon::app {

std::string_view outcome_name(net::RpcErrc kind) {
  static constexpr auto kNames = enum_names<net::RpcErrc::kNodeError, net::RpcErrc::kBadOptions>(
      "node_error", "timeout", "connection_lost", "stopped", "rejected", "bad_answer", "stalled",
      "bad_options");
  return kNames(kind, "error");
}

TimedTransport::TimedTransport(net::RpcClient& rpc, rest::ChainMetrics& metrics,
                               std::string fallback_endpoint)
    : rpc_(rpc), metrics_(metrics), fallback_endpoint_(rest::endpoint_label(fallback_endpoint)) {}

std::string TimedTransport::endpoint() const {
  // The endpoint that answered (or failed to): the open connection's, else the configured one.
  const std::string current = rpc_.current_endpoint();
  return current.empty() ? fallback_endpoint_ : rest::endpoint_label(current);
}

void TimedTransport::record(const std::string& endpoint, const std::string& method,
                            std::chrono::steady_clock::duration took, const Result<std::string>& result) {
  std::string outcome = "ok";
  if (!result.ok()) {
    const auto kind = result.error().kind_of<net::RpcErrc>();
    outcome = kind ? outcome_name(*kind) : "error";
  }
  metrics_.record_call(endpoint, method, took, outcome);
}

Result<std::string> TimedTransport::call(std::string method, std::string params_json,
                                         std::optional<std::chrono::milliseconds> timeout) {
  const auto started = std::chrono::steady_clock::now();
  std::string name = method;
  auto result = rpc_.call(std::move(method), std::move(params_json), timeout);
  record(endpoint(), name, std::chrono::steady_clock::now() - started, result);
  return result;
}

std::vector<Result<std::string>> TimedTransport::call_all(std::vector<net::CallSpec> calls,
                                                          std::optional<std::chrono::milliseconds> timeout) {
  // Each call's latency runs from the common send to its own answer. The hook only stamps the
  // arrival (on the network thread); the metrics are recorded here once all are in.
  std::vector<std::string> names;
  names.reserve(calls.size());
  for (const auto& c : calls) names.push_back(c.method);
  const auto started = std::chrono::steady_clock::now();
  auto arrived = std::make_shared<std::vector<std::chrono::steady_clock::time_point>>(calls.size(), started);
  auto answers =
      rpc_.call_all(std::move(calls), timeout, [arrived](std::size_t i, const Result<std::string>&) {
        (*arrived)[i] = std::chrono::steady_clock::now();
      });
  const std::string where = endpoint();
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto took =
        (*arrived)[i] > started ? (*arrived)[i] - started : std::chrono::steady_clock::now() - started;
    record(where, names[i], took, answers[i]);
  }
  return answers;
}

}  // namespace pylon::app

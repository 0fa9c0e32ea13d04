#include "app/timed_transport.hpp"

#include <chrono>

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

Result<std::string> TimedTransport::call(std::string method, std::string params_json,
                                         std::optional<std::chrono::milliseconds> timeout) {
  const auto started = std::chrono::steady_clock::now();
  std::string name = method;
  auto result = rpc_.call(std::move(method), std::move(params_json), timeout);
  const auto took = std::chrono::steady_clock::now() - started;
  // The endpoint that answered (or failed to): the open connection's, else the configured one.
  const std::string current = rpc_.current_endpoint();
  const std::string endpoint = current.empty() ? fallback_endpoint_ : rest::endpoint_label(current);
  std::string outcome = "ok";
  if (!result.ok()) {
    const auto kind = result.error().kind_of<net::RpcErrc>();
    outcome = kind ? outcome_name(*kind) : "error";
  }
  metrics_.record_call(endpoint, name, took, outcome);
  return result;
}

}  // namespace pylon::app

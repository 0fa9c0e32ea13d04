#include "app/timed_transport.hpp"

#include <chrono>

namespace pylon::app {

const char* outcome_name(net::RpcErrc kind) {
  switch (kind) {
    case net::RpcErrc::kNodeError:
      return "node_error";
    case net::RpcErrc::kTimeout:
      return "timeout";
    case net::RpcErrc::kConnectionLost:
      return "connection_lost";
    case net::RpcErrc::kStopped:
      return "stopped";
    case net::RpcErrc::kRejected:
      return "rejected";
    case net::RpcErrc::kBadAnswer:
      return "bad_answer";
    case net::RpcErrc::kStalled:
      return "stalled";
    case net::RpcErrc::kBadOptions:
      return "bad_options";
  }
  return "error";
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

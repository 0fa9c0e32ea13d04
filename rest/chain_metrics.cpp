#include "rest/chain_metrics.hpp"

#include "common/enum_names.hpp"
#include "rest/metrics.hpp"

namespace pylon::rest {
namespace {

constexpr auto kEventNames = enum_names<ConnectionEvent::connected, ConnectionEvent::subscription_lost>(
    "connected", "reconnected", "connect_failed", "disconnected", "subscription_lost");

}  // namespace

std::string endpoint_label(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "unknown";
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.empty()) return "unknown";
  return std::string(scheme) + "://" + std::string(rest);
}

void ChainMetrics::record_call(std::string_view endpoint, std::string_view method,
                               std::chrono::nanoseconds latency, std::string_view outcome) {
  const double s = std::chrono::duration<double>(latency).count();
  std::size_t b = 0;
  while (b < kRpcLatencyBuckets.size() && s > kRpcLatencyBuckets[b]) ++b;
  Lock lock(mu_);
  Latency& l = latency_[{std::string(endpoint), std::string(method)}];
  ++l.buckets[b];
  l.sum += s;
  ++calls_[{std::string(endpoint), std::string(method), std::string(outcome)}];
}

void ChainMetrics::record_event(std::string_view endpoint, ConnectionEvent event) {
  Lock lock(mu_);
  ++events_[{std::string(endpoint), event}];
}

void ChainMetrics::render(std::string& out) const {
  Lock lock(mu_);
  append_family(out, "pylon_chain_rpc_duration_seconds", "histogram",
                "Chain JSON-RPC call latency, by endpoint and method (answered or not).");
  for (const auto& [key, l] : latency_) {
    const std::string labels =
        "endpoint=\"" + label_value(key.first) + "\",method=\"" + label_value(key.second) + "\"";
    append_histogram(out, "pylon_chain_rpc_duration_seconds", labels, kRpcLatencyBuckets, l.buckets, l.sum);
  }
  append_family(out, "pylon_chain_rpc_calls_total", "counter",
                "Chain JSON-RPC calls, by endpoint, method and outcome (ok or the error's kind).");
  for (const auto& [key, n] : calls_) {
    const std::string labels = "endpoint=\"" + label_value(key[0]) + "\",method=\"" + label_value(key[1]) +
                               "\",outcome=\"" + label_value(key[2]) + "\"";
    append_sample(out, "pylon_chain_rpc_calls_total", labels, static_cast<double>(n));
  }
  append_family(out, "pylon_chain_connection_events_total", "counter",
                "Chain connection events by endpoint: connected, reconnected, connect_failed, disconnected, "
                "subscription_lost.");
  for (const auto& [key, n] : events_) {
    const std::string labels = "endpoint=\"" + label_value(key.first) + "\",event=\"" +
                               std::string(kEventNames(key.second, "other")) + "\"";
    append_sample(out, "pylon_chain_connection_events_total", labels, static_cast<double>(n));
  }
}

}  // namespace pylon::rest

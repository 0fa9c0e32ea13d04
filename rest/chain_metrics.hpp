// The chain connection as /metrics shows it: every JSON-RPC call's latency and outcome per method
// and endpoint, and the connection's events (connects, reconnects, failures, drops). The daemon
// records into it (app/timed_transport.hpp wraps the RPC client; the client's events are
// counted as they are logged); /metrics renders it.
//
// Thread contract: record_* and render may be called from any thread at once (one short lock;
// RPC calls take milliseconds, the lock microseconds).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/sync.hpp"

namespace pylon::rest {

inline constexpr std::array<double, 14> kRpcLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                              0.25,  0.5,    1,     2.5,  5,     10,   30};

// subscription_lost last: chain_metrics.cpp names connected..subscription_lost.
enum class ConnectionEvent { connected, reconnected, connect_failed, disconnected, subscription_lost };

class ChainMetrics {
 public:
  // One call: `outcome` is "ok" or the error's kind (timeout, node_error, connection_lost...).
  void record_call(std::string_view endpoint, std::string_view method, std::chrono::nanoseconds latency,
                   std::string_view outcome);
  void record_event(std::string_view endpoint, ConnectionEvent event);
  // pylon_chain_rpc_duration_seconds, pylon_chain_rpc_calls_total, pylon_chain_connection_events_total.
  void render(std::string& out) const;

 private:
  struct Latency {
    std::array<std::uint64_t, kRpcLatencyBuckets.size() + 1> buckets{};
    double sum = 0;
  };
  mutable Mutex mu_;
  std::map<std::pair<std::string, std::string>, Latency> latency_
      PYLON_GUARDED_BY(mu_);  // (endpoint, method)
  std::map<std::array<std::string, 3>, std::uint64_t> calls_
      PYLON_GUARDED_BY(mu_);  // (endpoint, method, outcome)
  std::map<std::pair<std::string, ConnectionEvent>, std::uint64_t> events_ PYLON_GUARDED_BY(mu_);
};

// An endpoint URL as a label: scheme, host and port only. Credentials or an API key in the
// user-info, path or query of a provider's URL must never reach /metrics.
std::string endpoint_label(std::string_view url);

}  // namespace pylon::rest

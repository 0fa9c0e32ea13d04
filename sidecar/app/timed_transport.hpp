// An RpcClient as the chain client sees it (net::RpcTransport), timing each call into /metrics:
// latency and outcome per method and endpoint (rest/chain_metrics.hpp). Subscriptions pass
// through; their notifications are not calls.
//
// Thread contract: as RpcClient's (any thread); the metrics take their own lock.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "net/rpc_client.hpp"
#include "rest/chain_metrics.hpp"

namespace pylon::app {

class TimedTransport final : public net::RpcTransport {
 public:
  // `fallback_endpoint` labels calls made while no connection is open (the configured first URL).
  TimedTransport(net::RpcClient& rpc, rest::ChainMetrics& metrics, std::string fallback_endpoint);

  Result<std::string> call(std::string method, std::string params_json = "[]",
                           std::optional<std::chrono::milliseconds> timeout = std::nullopt) override;
  Result<net::SubscriptionId> subscribe(net::SubscribeSpec spec,
                                        net::NotificationCallback on_notification) override {
    return rpc_.subscribe(std::move(spec), std::move(on_notification));
  }
  Status unsubscribe(net::SubscriptionId id) override { return rpc_.unsubscribe(id); }
  bool connected() const override { return rpc_.connected(); }
  std::vector<Result<std::string>> call_all(
      std::vector<net::CallSpec> calls,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) override;

 private:
  std::string endpoint() const;
  void record(const std::string& endpoint, const std::string& method,
              std::chrono::steady_clock::duration took, const Result<std::string>& result);

  net::RpcClient& rpc_;
  rest::ChainMetrics& metrics_;
  std::string fallback_endpoint_;
};

// The name /metrics gives an RPC error kind (the outcome label).
std::string_view outcome_name(net::RpcErrc kind);

}  // namespace pylon::app

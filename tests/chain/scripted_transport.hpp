// A node without a socket: answers ChainClient's calls from a script, one line per answer, in the
// order the calls are made. It lets a node's answers, recorded or mutated by the fuzzer
// (tests/fuzz/fuzz_chain_answers.cpp), reach ChainClient's parsing exactly as from the network.
//
// Script lines:
//   <json>     the next call's "result" (raw JSON text, passed on unchecked as RpcClient does)
//   !<code>    the next call fails as a JSON-RPC error of the node with that code (RpcErrc::kNodeError)
//   @<json>    a notification: subscribe delivers each such line following the current position
//              at once, before it returns
// A call past the script's end fails as a lost connection (RpcErrc::kConnectionLost).
//
// Thread contract: one thread; notifications run on the subscribing thread, inside subscribe().
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/rpc_transport.hpp"

namespace pylon::chain::testing {

class ScriptedTransport final : public net::RpcTransport {
 public:
  explicit ScriptedTransport(std::string_view script) {
    while (!script.empty()) {
      const auto nl = script.find('\n');
      lines_.emplace_back(script.substr(0, nl));
      script = nl == std::string_view::npos ? std::string_view{} : script.substr(nl + 1);
    }
  }

  Result<std::string> call(std::string method, std::string params_json,
                           std::optional<std::chrono::milliseconds> /*timeout*/) override {
    calls.push_back(method + params_json);
    if (next_ == lines_.size())
      return make_error(net::RpcErrc::kConnectionLost, method + ": the script has no more answers");
    const std::string& line = lines_[next_++];
    if (!line.empty() && line.front() == '!') {
      return make_error(net::RpcErrc::kNodeError, method + ": the node refuses",
                        std::strtoll(line.c_str() + 1, nullptr, 10));
    }
    return line;
  }

  Result<net::SubscriptionId> subscribe(net::SubscribeSpec spec,
                                        net::NotificationCallback on_notification) override {
    calls.push_back(spec.method + spec.params_json);
    while (next_ < lines_.size() && !lines_[next_].empty() && lines_[next_].front() == '@')
      on_notification(std::string_view(lines_[next_++]).substr(1));
    return ++subscriptions_;
  }

  Status unsubscribe(net::SubscriptionId) override { return {}; }
  bool connected() const override { return true; }

  std::vector<std::string> calls;  // each call's method and params, in order

 private:
  std::vector<std::string> lines_;
  std::size_t next_ = 0;
  net::SubscriptionId subscriptions_ = 0;
};

}  // namespace pylon::chain::testing

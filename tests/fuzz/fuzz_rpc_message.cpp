// Fuzzes the JSON-RPC framing of what the node sends (RpcMessageParser: responses, errors,
// notifications, batch answers) and the subscription id a subscribe call returns.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/rpc_message.hpp"
#include "net/rpc_transport.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static pylon::net::RpcMessageParser parser;  // reused across messages, as on a connection
  auto msg = parser.parse(text);
  if (!msg.ok() && !msg.error().is(pylon::net::RpcErrc::kBadAnswer)) std::abort();
  if (msg.ok() && msg->kind == pylon::net::IncomingMessage::Kind::kNotification && msg->subscription.empty())
    std::abort();  // a notification is always matched on its subscription
  auto all = parser.parse_all(text);
  if (!all.ok() && !all.error().is(pylon::net::RpcErrc::kBadAnswer)) std::abort();
  if (all.ok() && all->empty()) std::abort();  // a message holds at least one answer
  auto sub = pylon::net::parse_subscription_id(text);
  if (!sub.ok() && !sub.error().is(pylon::net::RpcErrc::kBadAnswer)) std::abort();
  if (sub.ok() && (sub->text.empty() || sub->json.empty())) std::abort();
  return 0;
}

// A WebSocket proxy for end-to-end tests: it sits between the real daemon and the local chain,
// forwards JSON-RPC frames both ways, and, in the mode the test switches to at run time, corrupts
// the answers to chosen methods (matched to their requests by id) and the subscription
// notifications of heads and runtime versions. Frames it does not corrupt pass byte for byte.
//
// Each accepted connection gets its own upstream connection; when either side closes or fails,
// both are closed (the daemon then reconnects, as it would to a real node).
//
// Thread contract: the constructor, set_mode() and the counters may be used from any thread; the
// frames are read, rewritten and written on the proxy's one I/O thread (LoopbackListener's),
// which alone uses the random generator.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "loopback_listener.hpp"

namespace pylon::e2e {

enum class Corruption {
  kNone,             // pass-through
  kHeaderNoParent,   // headers (chain_getHeader, head notifications) without parentHash
  kHeaderNoNumber,   // ... without number
  kHeaderMistyped,   // ... with number/parentHash of the wrong JSON type or unparsable text
  kHeaderNotObject,  // ... replaced by a string, an array, a number, a bool
  kStateTruncated,   // state_call / state_getStorage hex cut short (whole bytes, half a byte, none)
  kStateRandom,      // ... replaced by random bytes of another length, or by text that is not hex
  kRuntimeBogus,     // state_getRuntimeVersion / runtime notifications: specs that do not exist,
                     // missing or mistyped fields, a non-object
  kNulls,            // every result and notification result is null
};
std::string_view corruption_name(Corruption c);

class CorruptingProxy {
 public:
  CorruptingProxy(std::uint16_t upstream_port, std::uint64_t seed);
  CorruptingProxy(const CorruptingProxy&) = delete;
  CorruptingProxy& operator=(const CorruptingProxy&) = delete;

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(listener_.port()); }
  void set_mode(Corruption m) { mode_.store(m); }
  Corruption mode() const { return mode_.load(); }
  // Frames rewritten so far (answers and notifications), and those forwarded either way.
  std::uint64_t corrupted() const { return corrupted_.load(); }
  std::uint64_t forwarded() const { return forwarded_.load(); }

 private:
  using Pending = std::map<std::string, std::string>;  // request id (JSON text) -> method
  struct Link;  // one daemon connection and its upstream connection
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket client);
  boost::asio::awaitable<void> pump(std::shared_ptr<Link> link, bool from_client);
  // The frame as the other side should see it; `pending` learns requests and forgets answers.
  std::string from_client_frame(const std::string& frame, Pending& pending);
  std::string from_node(const std::string& frame, Pending& pending);
  // Rewrites one result of `method` (an answer's or a notification's) as the mode says; whether it did.
  bool corrupt(Corruption m, const std::string& method, boost::json::value& result);

  std::uint16_t upstream_port_;
  std::atomic<Corruption> mode_{Corruption::kNone};
  std::atomic<std::uint64_t> corrupted_{0};
  std::atomic<std::uint64_t> forwarded_{0};
  std::mt19937_64 rng_;
  std::uint64_t variant_ = 0;  // rotates the shapes within a mode (I/O thread only)
  pylon::net::testing::LoopbackListener listener_{
      [this](boost::asio::ip::tcp::socket s, int) { return session(std::move(s)); }};
};

}  // namespace pylon::e2e

// What the REST tests share: the recorded finney snapshot (block 6852690, netuid 1, 1024 neurons)
// built once through the replay node and the real chain client, a running Server on loopback
// with a real SnapshotStore and (when asked) a real weights Store + Writer in a temp directory,
// and a small blocking HTTP client.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>
#include <string>

#include "codec/metadata.hpp"
#include "follower/snapshot_store.hpp"
#include "replay_test_support.hpp"
#include "rest/server.hpp"
#include "weights/store.hpp"
#include "weights/writer.hpp"

namespace pylon::rest::test {

inline constexpr std::uint64_t kRecordedBlock = 6852690;
inline constexpr std::uint16_t kNetuid = 1;
inline constexpr std::uint64_t kTempo = 360;  // set on the snapshot by the tests (see recorded())

#define PYLON_REST_REQUIRE_SHARED() PYLON_REPLAY_REQUIRE_SHARED()

// The replay node and a client stack on it, for the whole test binary.
struct Replay {
  std::unique_ptr<replay::ReplayServer> server;
  std::unique_ptr<replay::testing::ClientStack> stack;
};
Replay& replay_node();

// The recorded block's snapshot as build_snapshot reads it from the replay node. The recording
// has neither hyperparameters nor commitments, so the tests add a small record (tempo 360,
// commit-reveal off) and one Raw commitment for the first neuron, saying so in their names.
follower::SnapshotPtr recorded();
// A copy of `s` at another block (hash's last 8 bytes = the number), as advance_head makes them.
follower::SnapshotPtr at_block(const follower::Snapshot& s, std::uint64_t block);

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string www_authenticate;
  std::string allow;
  bool closed = false;  // the server said Connection: close
};

// One connection; requests go one after another on it (keep-alive).
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, const std::string& host = "127.0.0.1");
  HttpAnswer request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::string& auth = "");
  // Raw bytes out, raw bytes in (until `answers` complete responses or the peer closes).
  void send_raw(const std::string& bytes);
  std::vector<HttpAnswer> read_answers(std::size_t answers);
  // True when the server closed the connection within `limit`.
  bool closed_within(std::chrono::milliseconds limit);
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_{ioc_};
  boost::beast::flat_buffer buffer_;
};

// A one-shot request on a fresh connection.
HttpAnswer http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = "", const std::string& auth = "");

// A Server on 127.0.0.1 with its own store of snapshots and, with_weights, a weights Store and
// Writer in a temp directory.
struct Harness {
  explicit Harness(RestOptions options = {}, bool with_weights = true, bool publish = true);
  ~Harness();
  std::uint16_t port() const { return server->port(); }
  HttpAnswer get(const std::string& target, const std::string& auth = "") {
    return http(port(), "GET", target, "", auth);
  }

  std::string dir;
  follower::SnapshotStore snapshots{4};
  ChainMetrics chain_metrics;  // rendered in /metrics; tests record into it
  std::unique_ptr<weights::Store> store;
  std::unique_ptr<weights::Writer> writer;
  std::unique_ptr<Server> server;
};

// The parsed JSON body (the document is owned by a per-call parser kept in the answer's holder).
struct Json {
  explicit Json(const std::string& text);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

std::string first_hotkey();  // SS58 of the snapshot's first neuron

// A metadata file of the shared reference folder (`rel` is below it): the file loaded, or nullptr
// with a failed expectation naming the file when it does not load (nullptr and no failure when
// there is no shared folder; the tests skip on PYLON_REST_REQUIRE_SHARED first).
std::shared_ptr<const codec::Metadata> load_metadata(const char* rel);

inline RestOptions loopback_options() {
  RestOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  return o;
}
inline RestOptions any_address_options() {
  RestOptions o = loopback_options();
  o.host = "0.0.0.0";
  return o;
}

}  // namespace pylon::rest::test

#include "rest_test_support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdlib>
#include <filesystem>

#include "codec/ss58.hpp"

namespace pylon::rest::test {

namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

Replay& replay_node() {
  static Replay r = [] {
    Replay out;
    out.server = replay::testing::start_server();
    if (out.server) out.stack = std::make_unique<replay::testing::ClientStack>(out.server->url());
    return out;
  }();
  return r;
}

follower::SnapshotPtr recorded() {
  static follower::SnapshotPtr snap = []() -> follower::SnapshotPtr {
    auto& r = replay_node();
    if (!r.stack || !r.stack->chain) return nullptr;
    auto hash = chain::parse_hash(r.server->recorded_hash());
    if (!hash.ok()) return nullptr;
    follower::BuildOptions o;
    o.hyperparams = false;
    o.commitments = false;
    o.timestamp = false;
    auto s = follower::build_snapshot(*r.stack->chain, kNetuid,
                                      chain::BlockRef{*hash, r.server->recorded_number()}, o);
    EXPECT_TRUE(s.ok()) << s.error().message;
    if (!s.ok()) return nullptr;
    follower::Snapshot out = std::move(s).value();
    // Test-made parts the recording lacks (see the header).
    using codec::views::Scalar;
    codec::views::Record rec;
    rec.fields.push_back({"tempo", Scalar{Scalar::Kind::UInt, kTempo, 0, false}});
    rec.fields.push_back({"max_weights_limit", Scalar{Scalar::Kind::UInt, 65535, 0, false}});
    rec.fields.push_back({"commit_reveal_weights_enabled", Scalar{Scalar::Kind::Bool, 0, 0, false}});
    out.hyperparams = std::move(rec);
    follower::HotkeyCommitment hc;
    hc.hotkey = out.neurons.at(0).hotkey;
    hc.commitment.block = out.block - 10;
    hc.commitment.fields.push_back({"Raw4", {0xde, 0xad, 0xbe, 0xef}, std::nullopt});
    out.commitments = std::vector<follower::HotkeyCommitment>{hc};
    out.seen_at = out.built_at = std::chrono::steady_clock::now();
    return std::make_shared<const follower::Snapshot>(std::move(out));
  }();
  return snap;
}

follower::SnapshotPtr at_block(const follower::Snapshot& s, std::uint64_t block) {
  auto copy = std::make_shared<follower::Snapshot>(s);
  if (block == s.block) {
    copy->seen_at = copy->built_at = std::chrono::steady_clock::now();
    return copy;
  }
  copy->block = block;
  for (int i = 0; i < 8; ++i) copy->block_hash[31 - i] = static_cast<std::uint8_t>(block >> (8 * i));
  copy->seen_at = copy->built_at = std::chrono::steady_clock::now();
  return copy;
}

std::string first_hotkey() {
  return codec::ss58_encode(recorded()->neurons.at(0).hotkey);
}

std::shared_ptr<const codec::Metadata> load_metadata(const char* rel) {
  const std::string dir = replay::testing::shared_dir();
  if (dir.empty()) return nullptr;
  auto md = codec::load_metadata_file(dir + "/" + rel);
  EXPECT_TRUE(md.ok()) << rel << ": " << md.error().message;
  return md.ok() ? *md : nullptr;
}

HttpClient::HttpClient(std::uint16_t port, const std::string& host) {
  socket_.connect({asio::ip::make_address(host), port});
  timeval tv{5, 0};  // a test never waits forever on a server that does not answer
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void HttpClient::send_raw(const std::string& bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes), ec);
}

std::vector<HttpAnswer> HttpClient::read_answers(std::size_t answers) {
  std::vector<HttpAnswer> out;
  for (std::size_t i = 0; i < answers; ++i) {
    bhttp::response_parser<bhttp::string_body> p;
    p.body_limit(64 * 1024 * 1024);
    boost::system::error_code ec;
    bhttp::read(socket_, buffer_, p, ec);
    if (ec) break;
    HttpAnswer a;
    const auto& m = p.get();
    a.status = m.result_int();
    a.body = m.body();
    a.content_type = std::string(m[bhttp::field::content_type]);
    a.www_authenticate = std::string(m[bhttp::field::www_authenticate]);
    a.allow = std::string(m[bhttp::field::allow]);
    a.closed = !m.keep_alive();
    out.push_back(std::move(a));
  }
  return out;
}

HttpAnswer HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::string& auth) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!auth.empty()) req += "Authorization: " + auth + "\r\n";
  if (!body.empty() || method == "PUT" || method == "POST") {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  send_raw(req);
  auto a = read_answers(1);
  return a.empty() ? HttpAnswer{} : a[0];
}

bool HttpClient::closed_within(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    char c[512];
    const auto n = ::recv(socket_.native_handle(), c, sizeof c, 0);
    if (n <= 0) return true;  // orderly close or reset
  }
}

HttpAnswer http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& auth) {
  HttpClient c(port);
  return c.request(method, target, body, auth);
}

Harness::Harness(RestOptions options, bool with_weights, bool publish) {
  char tmpl[] = "/tmp/pylon-rest-XXXXXX";
  dir = ::mkdtemp(tmpl);
  if (publish) {
    auto s = recorded();
    if (s) snapshots.publish(at_block(*s, s->block));  // the recorded block, freshly built_at
  }
  RestDeps deps(snapshots, kNetuid);
  deps.chain_metrics = &chain_metrics;
  deps.chain = replay_node().stack ? replay_node().stack->chain.get() : nullptr;
  deps.build_hyperparams = false;
  deps.build_commitments = false;
  if (with_weights) {
    auto st = weights::Store::open(dir + "/weights.db");
    EXPECT_TRUE(st.ok()) << st.error().message;
    store = std::move(st).value();
    writer = std::make_unique<weights::Writer>(*store, nullptr,
                                               [] { return std::optional<weights::DrainContext>(); });
    deps.store = store.get();
    deps.writer = writer.get();
  }
  options.host = "127.0.0.1";
  options.port = 0;
  // Every REST test runs with at least two I/O loops, so the state they share is exercised.
  options.io_threads = std::max<std::size_t>(options.io_threads, 2);
  auto srv = Server::start(std::move(options), std::move(deps));
  EXPECT_TRUE(srv.ok()) << srv.error().message;
  if (srv.ok()) server = std::move(srv).value();
}

Harness::~Harness() {
  server.reset();
  writer.reset();
  store.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

Json::Json(const std::string& text) {
  ok = parser.parse(text).get(root) == simdjson::SUCCESS;
}

}  // namespace pylon::rest::test

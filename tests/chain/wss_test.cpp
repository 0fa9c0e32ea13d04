// RpcClient over wss:// against a loopback TLS WebSocket server whose certificates are made here.
// Verification is on by default: the server's certificate must chain to a trusted CA (the system
// store, SSL_CERT_FILE, or RpcClientOptions::tls_ca_file) and name the host in the URL, or the
// connection is refused with the reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "net/rpc_client.hpp"
#include "net_test_support.hpp"
#include "tls_ws_server.hpp"

namespace pylon::net {
namespace {

using namespace std::chrono_literals;
using testing::Collector;
using testing::contains;
using testing::Pem;
using testing::TestCa;
using testing::TlsWsServer;

std::string id_of(const std::string& request) {
  const auto at = request.find("\"id\":");
  if (at == std::string::npos) return "null";
  const auto end = request.find_first_of(",}", at);
  return request.substr(at + 5, end - at - 5);
}

std::string result(const std::string& request, const std::string& json) {
  return R"({"jsonrpc":"2.0","id":)" + id_of(request) + R"(,"result":)" + json + "}";
}

// system_name answers; chain_subscribeNewHeads answers with an id and then sends two heads.
std::vector<std::string> node(const std::string& req) {
  if (contains(req, "\"chain_subscribeNewHeads\"")) {
    auto head = [](int n) {
      return R"({"jsonrpc":"2.0","method":"chain_newHead","params":{"subscription":"tls-1","result":{"number":")" +
             std::to_string(n) + R"("}}})";
    };
    return {result(req, "\"tls-1\""), head(1), head(2)};
  }
  if (contains(req, "\"chain_unsubscribeNewHeads\"")) return {result(req, "true")};
  if (contains(req, "\"system_name\"")) return {result(req, "\"pylon-tls\"")};
  return {result(req, "null")};
}

class TempFiles {
 public:
  TempFiles() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pylon-wss-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) dir_ = tmpl;
  }
  ~TempFiles() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

 private:
  std::string dir_;
};

struct Client {
  Client(const std::string& url, const std::string& ca_file) {
    RpcClientOptions o;
    o.endpoints = {url};
    o.request_timeout = 3s;
    o.connect_timeout = 2s;
    o.backoff = {50ms, 200ms, 2.0, 0.5};
    o.tls_ca_file = ca_file;
    o.on_event = [this](const ClientEvent& e) { events.push(e); };
    auto c = RpcClient::create(net, std::move(o));
    EXPECT_TRUE(c.ok()) << c.error().message;
    if (c.ok()) rpc = std::move(c).value();
  }
  // The detail of the first failed connection attempt.
  std::string first_failure() {
    if (!events.wait([](const auto& v) { return testing::has_event(v, ClientEvent::Kind::kConnectFailed); },
                     5s))
      return "";
    for (const auto& e : events.snapshot())
      if (e.kind == ClientEvent::Kind::kConnectFailed) return e.detail;
    return "";
  }
  NetContext net;
  Collector<ClientEvent> events;
  std::unique_ptr<RpcClient> rpc;
};

struct Pki {
  TestCa ca;
  TempFiles files;
  std::string ca_file = files.write("ca.pem", ca.cert_pem());
};

void calls_and_subscription_work(RpcClient& rpc) {
  ASSERT_TRUE(rpc.wait_connected(5s).ok());
  auto name = rpc.call("system_name");
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(*name, "\"pylon-tls\"");

  // Pipelined: many requests in flight on the one TLS connection, each matched by id.
  Collector<Result<std::string>> answers;
  for (int i = 0; i < 50; ++i)
    rpc.call_async("system_name", "[]", [&answers](Result<std::string> r) { answers.push(std::move(r)); });
  ASSERT_TRUE(answers.wait_count(50, 5s));
  for (const auto& a : answers.snapshot()) {
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(*a, "\"pylon-tls\"");
  }

  Collector<std::string> heads;
  auto sub = rpc.subscribe({"chain_subscribeNewHeads", "[]", "chain_unsubscribeNewHeads"},
                           [&heads](std::string_view json) { heads.push(std::string(json)); });
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  ASSERT_TRUE(heads.wait_count(2, 5s));
  EXPECT_EQ(heads.snapshot()[0], R"({"number":"1"})");
  EXPECT_EQ(heads.snapshot()[1], R"({"number":"2"})");
  EXPECT_TRUE(rpc.unsubscribe(*sub).ok());
}

// Calls and a subscription over wss:// to `host` on a certificate of the test CA given as an option,
// with no failed handshake; returns the SNI name the server saw first.
std::string sni_of_a_working_connection(const std::string& host) {
  Pki pki;
  TlsWsServer server(pki.ca.issue({}), node);
  Client c(server.url(host), pki.ca_file);
  if (c.rpc == nullptr) {
    ADD_FAILURE() << "no client for " << host;
    return "<no client>";
  }
  calls_and_subscription_work(*c.rpc);
  EXPECT_EQ(server.handshakes_failed(), 0);
  if (server.sni_names().empty()) {
    ADD_FAILURE() << "the server saw no handshake";
    return "<no handshake>";
  }
  return server.sni_names()[0];
}

TEST(Wss, CallsAndSubscriptionsWithTheCaGivenAsAnOption) {
  EXPECT_EQ(sni_of_a_working_connection("localhost"), "localhost");  // SNI names the host asked for
}

TEST(Wss, AnIpAddressIsCheckedAgainstTheCertificatesIpNamesAndSentWithoutSni) {
  EXPECT_EQ(sni_of_a_working_connection("127.0.0.1"), "");  // RFC 6066: no IP literals in SNI
}

// set_default_verify_paths honours SSL_CERT_FILE: how an operator trusts a private CA without a
// Pylon setting. The variable is read when the client is created.
TEST(Wss, TheCaCanComeFromSslCertFile) {
  Pki pki;
  TlsWsServer server(pki.ca.issue({}), node);
  ::setenv("SSL_CERT_FILE", pki.ca_file.c_str(), 1);
  Client c(server.url("localhost"), "");
  ::unsetenv("SSL_CERT_FILE");
  ASSERT_NE(c.rpc, nullptr);
  calls_and_subscription_work(*c.rpc);
}

TEST(Wss, AnUntrustedCertificateIsRefusedWithTheReason) {
  Pki pki;
  TestCa stranger("Someone Else's CA");
  TlsWsServer server(stranger.issue({}), node);
  Client c(server.url("localhost"), pki.ca_file);  // trusts pki.ca (and the system), not `stranger`
  ASSERT_NE(c.rpc, nullptr);
  const std::string why = c.first_failure();
  EXPECT_TRUE(contains(why, "TLS handshake failed: the server's certificate was refused")) << why;
  EXPECT_TRUE(contains(why, "unable to get local issuer certificate")) << why;
  EXPECT_TRUE(contains(why, server.url("localhost").substr(0, 10))) << why;
  auto r = c.rpc->call("system_name", "[]", 500ms);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(c.rpc->connected());
  EXPECT_EQ(server.requests(), 0);  // nothing was sent to the impostor
  EXPECT_EQ(server.handshakes_ok(), 0);
}

// A leaf from the trusted CA, made with `leaf`, served to a client that dials `host`: why the
// client gave up, and how many requests reached the server.
struct Refusal {
  std::string why;
  int requests = 0;
};
Refusal refusal_of(const TestCa::LeafOptions& leaf, const std::string& host) {
  Pki pki;
  TlsWsServer server(pki.ca.issue(leaf), node);
  Client c(server.url(host), pki.ca_file);
  EXPECT_NE(c.rpc, nullptr);
  if (c.rpc == nullptr) return {};
  const std::string why = c.first_failure();
  return {why, server.requests()};
}

TEST(Wss, ACertificateForAnotherHostIsRefused) {
  const Refusal r = refusal_of({.subject_alt_names = "DNS:node.example.org"}, "localhost");
  EXPECT_TRUE(contains(r.why, "certificate was refused: hostname mismatch")) << r.why;
  EXPECT_EQ(r.requests, 0);
}

TEST(Wss, ACertificateForAnotherAddressIsRefused) {
  const Refusal r = refusal_of({.subject_alt_names = "DNS:localhost,IP:10.1.2.3"}, "127.0.0.1");
  EXPECT_TRUE(contains(r.why, "certificate was refused: IP address mismatch")) << r.why;
  EXPECT_EQ(r.requests, 0);
}

TEST(Wss, AnExpiredCertificateIsRefused) {
  const Refusal r = refusal_of({.not_before_s = -7200, .not_after_s = -3600}, "localhost");
  EXPECT_TRUE(contains(r.why, "certificate was refused: certificate has expired")) << r.why;
}

TEST(Wss, AMissingCaFileIsAnErrorAtCreation) {
  NetContext net;
  RpcClientOptions o;
  o.endpoints = {"wss://localhost:1/"};
  o.tls_ca_file = "/nonexistent/pylon-ca.pem";
  auto c = RpcClient::create(net, std::move(o));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(contains(c.error().message, "cannot load the CA file /nonexistent/pylon-ca.pem"))
      << c.error().message;
}

}  // namespace
}  // namespace pylon::net

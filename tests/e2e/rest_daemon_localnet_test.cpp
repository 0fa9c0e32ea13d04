// The REST API's proof on the real binary: `build/pylon run` on the bootstrapped local chain, one
// test per endpoint of the seed contract (../shared/api/seed-rest.md) plus Pylon's additions. Each
// checks the status and the body, and checks the answer against the chain as the test itself
// reads it (chain_getBlockHash, chain_getBlock, storage decoded here, the runtime API through the
// chain client), never against Pylon's own word: heads and hashes, the metagraph's neuron count,
// uid, coldkey and stake, epochs by subtensor's formula over the chain's Tempo, hyperparameters,
// commitments, and weights from REST through the SQLite store (opened read-only) into
// SubtensorModule.Weights after POST /force_commit_weights. Also a bad-input corpus that must
// leave the store unchanged, and bearer-token auth on a second daemon.
//
// One daemon (plain subnet, the bootstrap's owner coldkey next to the shared hotkey) serves every
// test but the auth one, which starts its own with PYLON_AUTH_TOKEN and a coldkey that owns
// nothing. Blocks are made only where a test needs them, so the epoch of the weight writes holds
// still between a write and its checks.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "chain/storage_key.hpp"
#include "codec/scale_reader.hpp"
#include "codec/ss58.hpp"
#include "codec/views/neuron_lite.hpp"
#include "common/hex.hpp"
#include "daemon_harness.hpp"
#include "keys/hash.hpp"
#include "localnet_env.hpp"
#include "net/rpc_client.hpp"

namespace pylon::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Small helpers local to this file (the harness is shared and edited by others).

struct Json {
  explicit Json(const std::string& text) { ok = !parser.parse(text).get(root); }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

std::uint64_t u64_of(const simdjson::dom::element& e, const char* field) {
  std::uint64_t v = 0;
  return e[field].get(v) ? ~0ull : v;
}

std::string str_of(const simdjson::dom::element& e, const char* field) {
  std::string_view v;
  return e[field].get(v) ? std::string() : std::string(v);
}

// An error answer as the API promises them: {"detail": text, "error": code}.
::testing::AssertionResult is_error(const HttpAnswer& a, int status, std::string_view code) {
  if (a.status != status)
    return ::testing::AssertionFailure() << "status " << a.status << ", wanted " << status << ": " << a.body;
  Json j(a.body);
  std::string_view detail, error;
  if (!j.ok || j.root["detail"].get(detail) || j.root["error"].get(error) || detail.empty())
    return ::testing::AssertionFailure() << "not {\"detail\",\"error\"}: " << a.body;
  if (error != code) return ::testing::AssertionFailure() << "error " << error << ", wanted " << code;
  return ::testing::AssertionSuccess();
}

// Polls `done` every 100 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(100ms);
  }
}

Bytes u16_le(std::uint16_t v) {
  return Bytes{static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}

std::uint64_t le_u64(const Bytes& b) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < b.size() && i < 8; ++i) v |= std::uint64_t{b[i]} << (8 * i);
  return v;
}

// A websocket client of the test's own on the local chain: raw RPC (chain_getBlockHash,
// chain_getBlock, dev_newBlock) beside the harness's ChainProbe.
struct Rpc {
  Rpc() {
    net::RpcClientOptions o;
    o.endpoints = {net::testing::LocalnetEnv::get().url()};
    o.request_timeout = 120s;
    auto r = net::RpcClient::create(net, o);
    if (r.ok()) {
      client = std::move(r).value();
      (void)client->wait_connected(20s);
    }
  }
  // The JSON text of the call's result ("" on failure).
  std::string call(const std::string& method, const std::string& params = "[]") {
    auto r = client->call(method, params);
    return r.ok() ? *r : std::string();
  }
  // chain_getBlockHash(n): "0x…", or "" when the chain has no such block.
  std::string block_hash(std::uint64_t n) {
    const std::string r = call("chain_getBlockHash", "[" + std::to_string(n) + "]");
    return r.size() > 2 && r.front() == '"' ? r.substr(1, r.size() - 2) : std::string();
  }
  // blake2-256 of every extrinsic in the block, hex.
  std::vector<std::string> extrinsic_hashes(const std::string& block_hash) {
    std::vector<std::string> out;
    Json j(call("chain_getBlock", "[\"" + block_hash + "\"]"));
    simdjson::dom::array xs;
    if (!j.ok || j.root["block"]["extrinsics"].get(xs)) return out;
    for (auto x : xs) {
      std::string_view hex;
      if (x.get(hex)) continue;
      auto bytes = from_hex(hex);
      if (bytes.ok()) out.push_back(to_hex(keys::blake2b_256(*bytes)));
    }
    return out;
  }
  // The first block in [from, to] holding the extrinsic of that hash.
  std::optional<std::uint64_t> find_extrinsic(std::uint64_t from, std::uint64_t to, const std::string& hash) {
    for (std::uint64_t n = from; n <= to; ++n)
      for (const auto& h : extrinsic_hashes(block_hash(n)))
        if (h == hash) return n;
    return std::nullopt;
  }

  net::NetContext net;
  std::unique_ptr<net::RpcClient> client;
};

// Makes a block every 300 ms while it lives, for writes that wait for inclusion; with `after`,
// only once that holds (so the epoch cannot move before the daemon has picked its weights).
class BlockMaker {
 public:
  explicit BlockMaker(std::function<bool()> after = {})
      : t_([this, after = std::move(after)] {
          Rpc rpc;
          while (!stop_ && after && !after()) std::this_thread::sleep_for(50ms);
          while (!stop_) {
            (void)rpc.call("dev_newBlock", "[{\"count\":1}]");
            std::this_thread::sleep_for(300ms);
          }
        }) {}
  ~BlockMaker() {
    stop_ = true;
    t_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread t_;
};

// Chain storage read by the test: Pallet.Item(keys) at `at`, or the entry's default when absent.
std::optional<Bytes> storage_value(chain::ChainClient& c, const chain::BlockRef& at, std::string_view pallet,
                                   std::string_view item, const std::vector<Bytes>& keys) {
  auto md = c.metadata(at.hash);
  if (!md.ok()) return std::nullopt;
  auto key = chain::storage_key(**md, pallet, item, keys);
  if (!key.ok()) return std::nullopt;
  auto raw = c.storage(*key, at);
  if (!raw.ok()) return std::nullopt;
  if (raw->has_value()) return **raw;
  const codec::Pallet* p = (*md)->pallet(pallet);
  const codec::StorageEntry* e = p ? p->storage_entry(item) : nullptr;
  if (!e || e->optional) return std::nullopt;
  return e->default_value;
}

std::optional<std::uint64_t> storage_uint(chain::ChainClient& c, const chain::BlockRef& at,
                                          std::string_view pallet, std::string_view item,
                                          const std::vector<Bytes>& keys) {
  auto v = storage_value(c, at, pallet, item, keys);
  if (!v || v->empty() || v->size() > 8) return std::nullopt;
  return le_u64(*v);
}

// The block a daemon-side number names, as the chain has it.
chain::BlockRef block_ref(Rpc& rpc, std::uint64_t n) {
  auto h = chain::parse_hash(rpc.block_hash(n));
  return h.ok() ? chain::BlockRef{*h, n} : chain::BlockRef{};
}

// Subtensor's blocks_until_next_epoch(netuid, tempo, block) (seed-rest.md), and the epoch holding
// `block` found by walking it: from the last block where it is 0 up to the next one. Deliberately
// not Pylon's closed form, so the two are checked against each other.
std::uint64_t blocks_until_next_epoch(std::uint16_t netuid, std::uint64_t tempo, std::uint64_t block) {
  return tempo - (block + netuid + 1) % (tempo + 1);
}
std::pair<std::uint64_t, std::uint64_t> epoch_by_walk(std::uint16_t netuid, std::uint64_t tempo,
                                                      std::uint64_t block) {
  std::uint64_t start = block;
  while (start > 0 && blocks_until_next_epoch(netuid, tempo, start) != 0) --start;
  std::uint64_t end = block + 1;
  while (blocks_until_next_epoch(netuid, tempo, end) != 0) ++end;
  return {start, end};
}

// The daemon's SQLite store, opened read-only by the test: the weights of (netuid, epoch).
std::map<std::string, double> stored_weights(const std::string& db, std::uint16_t netuid,
                                             std::uint64_t epoch) {
  std::map<std::string, double> out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return {{"<cannot open " + db + ">", -1}};
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, "SELECT hotkey, weight FROM weights WHERE netuid = ? AND epoch = ?", -1, &st,
                         nullptr) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, netuid);
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(epoch));
    while (sqlite3_step(st) == SQLITE_ROW) {
      const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 0));
      codec::AccountId id{};
      if (sqlite3_column_bytes(st, 0) == 32) std::copy(p, p + 32, id.begin());
      out[codec::ss58_encode(id)] = sqlite3_column_double(st, 1);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// Every row of the weights table (any epoch), to show that a refused request changed nothing.
std::string whole_weights_table(const std::string& db) {
  std::string out;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return "<cannot open>";
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(
          h, "SELECT netuid, epoch, hex(hotkey), weight, updated_ms FROM weights ORDER BY 1, 2, 3", -1, &st,
          nullptr) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW)
      for (int i = 0; i < 5; ++i) {
        const auto* t = sqlite3_column_text(st, i);
        out += t ? reinterpret_cast<const char*>(t) : "null";
        out += i == 4 ? '\n' : ' ';
      }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// How many commit attempts of (netuid, epoch) the store holds.
int stored_attempts(const std::string& db, std::uint16_t netuid, std::uint64_t epoch) {
  sqlite3* h = nullptr;
  int n = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM commit_attempts WHERE netuid = ? AND epoch = ?", -1, &st,
                           nullptr) == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, netuid);
      sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(epoch));
      if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return n;
}

// Makes blocks one at a time until the daemon answers /health with 200 (a fresh snapshot).
bool wait_ready(DaemonProcess& d, ChainProbe& probe) {
  for (int i = 0; i < 120; ++i) {
    if (http(d.port(), "GET", "/health").status == 200) return true;
    if (!d.running()) return false;
    if (i % 3 == 2) probe.new_blocks(1);
    std::this_thread::sleep_for(300ms);
  }
  return false;
}

std::uint64_t latest_block(std::uint16_t port) {
  Json j(http(port, "GET", "/latest_block").body);
  return j.ok ? u64_of(j.root, "block") : 0;
}

// Waits until the daemon's latest snapshot is the chain's head (the daemon follows finalized
// heads, which chopsticks finalizes at once); returns that head, 0 when it never got there.
std::uint64_t caught_up(DaemonProcess& d, ChainProbe& probe) {
  const std::uint64_t head = probe.best().number;
  return eventually([&] { return latest_block(d.port()) == head; }) ? head : 0;
}

// A wallet folder for the daemon: the shared `pylon` hotkey and, as the wallet's coldkey, a copy of
// `coldkey_dir`'s coldkey files (the bootstrap's subnet owner, or a stranger).
std::string make_wallets(const std::string& root, const std::string& coldkey_dir) {
  const std::string w = root + "/wallets/pylon";
  fs::create_directories(w + "/hotkeys");
  const Bootstrapped& b = bootstrapped();
  fs::copy_file(b.wallets + "/pylon/hotkeys/pylon", w + "/hotkeys/pylon");
  fs::permissions(w + "/hotkeys/pylon", fs::perms::owner_read | fs::perms::owner_write);
  if (!coldkey_dir.empty()) {
    fs::copy_file(coldkey_dir + "/coldkey", w + "/coldkey");
    fs::copy_file(coldkey_dir + "/coldkeypub.txt", w + "/coldkeypub.txt");
    fs::permissions(w + "/coldkey", fs::perms::owner_read | fs::perms::owner_write);
  }
  return root + "/wallets";
}

struct Neuron {
  std::string hotkey;
  std::uint16_t uid = 0;
};

// ---------------------------------------------------------------------------------------------

class RestDaemonLocalnet : public ::testing::Test {
 protected:
  struct Shared {
    keys::test::TempDir dir;
    std::string owner_password;  // empty: the bootstrap's owner coldkey is not usable here
    std::unique_ptr<DaemonProcess> daemon;
    std::unique_ptr<ChainProbe> probe;
    std::unique_ptr<Rpc> rpc;
    std::string me;  // the shared hotkey, SS58
    std::uint16_t my_uid = 0xffff;
    std::uint64_t first_block = 0;  // the daemon's first snapshot
    std::vector<Neuron> others;     // every other neuron of the subnet
    std::string start_error;
  };
  static inline Shared* shared_ = nullptr;

  static void TearDownTestSuite() {
    if (!shared_) return;
    if (shared_->daemon) {
      // Blocks while it stops: a commit its loop may have sent holds SIGTERM until it is included.
      BlockMaker blocks;
      shared_->daemon->terminate();
    }
    delete shared_;
    shared_ = nullptr;
  }

  void SetUp() override {
    auto& env = net::testing::LocalnetEnv::get();
    if (!env.available()) GTEST_SKIP() << env.skip_reason();
    ASSERT_TRUE(env.running()) << env.start_error();
    PYLON_REQUIRE_SHARED();
    const Bootstrapped& b = bootstrapped();
    ASSERT_TRUE(b.error.empty()) << b.error;
    if (!shared_) start_shared();
    ASSERT_TRUE(shared_->start_error.empty()) << shared_->start_error;
    netuid = b.netuid_plain;
    d = shared_->daemon.get();
    probe = shared_->probe.get();
    rpc = shared_->rpc.get();
  }

  static void start_shared() {
    shared_ = new Shared;
    Shared& s = *shared_;
    const Bootstrapped& b = bootstrapped();
    // The harness's bootstrap leaves the owner's password file next to its wallet folder.
    const std::string pw = (fs::path(b.wallets).parent_path() / "owner-password").string();
    std::map<std::string, std::string> env;
    if (fs::exists(pw) && fs::exists(b.wallets + "/owner/coldkey")) {
      s.owner_password = pw;
      env["PYLON_WALLET_PATH"] = make_wallets(s.dir.path(), b.wallets + "/owner");
      env["PYLON_COLDKEY_PASSWORD_FILE"] = pw;
    }
    s.probe = std::make_unique<ChainProbe>();
    s.rpc = std::make_unique<Rpc>();
    s.daemon = std::make_unique<DaemonProcess>(b.netuid_plain, env);
    s.daemon->start();
    if (!wait_ready(*s.daemon, *s.probe)) {
      s.start_error = "the daemon never became ready\n" + s.daemon->log_tail();
      return;
    }
    s.first_block = latest_block(s.daemon->port());
    s.me = codec::ss58_encode(pylon_hotkey());
    Json mg(http(s.daemon->port(), "GET", "/metagraph").body);
    simdjson::dom::object neurons;
    if (!mg.ok || mg.root["neurons"].get(neurons)) {
      s.start_error = "no metagraph";
      return;
    }
    for (auto [k, v] : neurons) {
      const auto uid = static_cast<std::uint16_t>(u64_of(v, "uid"));
      if (k == s.me)
        s.my_uid = uid;
      else
        s.others.push_back({std::string(k), uid});
    }
    if (s.my_uid == 0xffff || s.others.size() < 2)
      s.start_error = "the pylon hotkey and two others must be in the metagraph";
  }

  std::uint16_t netuid = 0;
  DaemonProcess* d = nullptr;
  ChainProbe* probe = nullptr;
  Rpc* rpc = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Operations: /live, /health, /metrics, /schema/openapi.json

TEST_F(RestDaemonLocalnet, Live) {
  auto a = http(d->port(), "GET", "/live");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, R"({"status":"ok"})");
}

TEST_F(RestDaemonLocalnet, HealthIsOkAtTheChainsHead) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u) << d->log_tail();
  auto a = http(d->port(), "GET", "/health");
  ASSERT_EQ(a.status, 200) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(str_of(j.root, "status"), "ok");
  EXPECT_EQ(u64_of(j.root, "block"), head) << a.body;
  // Registered with a permit on the plain subnet: nothing blocks the committer.
  EXPECT_EQ(str_of(j.root["committer"], "blocked_reason"), "") << a.body;
}

TEST_F(RestDaemonLocalnet, MetricsCountTheChainsNeurons) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  auto a = http(d->port(), "GET", "/metrics");  // no token configured: open on loopback
  ASSERT_EQ(a.status, 200) << a.body;
  const auto n =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "SubnetworkN", {u16_le(netuid)});
  ASSERT_TRUE(n.has_value());
  EXPECT_NE(a.body.find("\npylon_snapshot_block " + std::to_string(head) + "\n"), std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("\npylon_snapshot_neurons " + std::to_string(*n) + "\n"), std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("# TYPE pylon_weights_transactions_total counter"), std::string::npos);
}

TEST_F(RestDaemonLocalnet, OpenApiDocumentsEveryEndpoint) {
  auto a = http(d->port(), "GET", "/schema/openapi.json");
  ASSERT_EQ(a.status, 200);
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body.substr(0, 200);
  EXPECT_EQ(str_of(j.root, "openapi").rfind("3.1", 0), 0u);
  simdjson::dom::object paths;
  ASSERT_FALSE(j.root["paths"].get(paths));
  for (const char* p : {"/health",
                        "/live",
                        "/metrics",
                        "/latest_block",
                        "/metagraph",
                        "/metagraph/{block_number}",
                        "/block_hash/{block_number}",
                        "/epoch",
                        "/epoch/{block_number}",
                        "/hyperparams",
                        "/set_hyperparam",
                        "/update_weight",
                        "/set_weight",
                        "/set_weights",
                        "/raw_weights",
                        "/weights_status",
                        "/force_commit_weights",
                        "/get_commitment/{hotkey}",
                        "/get_commitments",
                        "/set_commitment"})
    EXPECT_FALSE(paths[p].error()) << p << " is not in the OpenAPI document";
}

// ---------------------------------------------------------------------------------------------
// Reads, against the chain

TEST_F(RestDaemonLocalnet, LatestBlockFollowsTheChainsHead) {
  ASSERT_NE(caught_up(*d, *probe), 0u);
  // New blocks: the daemon reaches the new head (its lag is the follower's, a second or so here).
  const std::uint64_t head = probe->new_blocks(2);
  ASSERT_TRUE(eventually([&] { return latest_block(d->port()) == head; }))
      << "latest_block " << latest_block(d->port()) << ", chain head " << head;
  auto a = http(d->port(), "GET", "/latest_block");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{\"block\":" + std::to_string(head) + "}");
}

TEST_F(RestDaemonLocalnet, BlockHashIsTheChains) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_GT(head, 40u);
  // The head (the latest snapshot), a kept recent one, and one only the chain has.
  for (std::uint64_t n : {head, head - 1, head - 40, std::uint64_t{1}}) {
    auto a = http(d->port(), "GET", "/block_hash/" + std::to_string(n));
    EXPECT_EQ(a.status, 200) << n << ": " << a.body;
    EXPECT_EQ(a.body, "{\"block_hash\":\"" + rpc->block_hash(n) + "\"}") << "block " << n;
  }
  EXPECT_TRUE(
      is_error(http(d->port(), "GET", "/block_hash/" + std::to_string(head + 1000)), 404, "not_found"));
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/block_hash/twelve"), 400, "bad_request"));
}

// The metagraph's neurons checked against the chain at the answer's block: the count against
// SubnetworkN, every uid against Uids(netuid, hotkey), the shared hotkey's coldkey against
// Owner(hotkey), its stake, permit and last_update against the runtime API's NeuronInfoLite.
void expect_metagraph_matches_chain(const std::string& body, std::uint64_t block, std::uint16_t netuid,
                                    Rpc& rpc, ChainProbe& probe) {
  Json j(body);
  ASSERT_TRUE(j.ok) << body.substr(0, 300);
  EXPECT_EQ(u64_of(j.root, "block"), block);
  const std::string hash = rpc.block_hash(block);
  EXPECT_EQ(str_of(j.root, "block_hash"), hash);
  const chain::BlockRef at = block_ref(rpc, block);
  auto& c = probe.chain();
  simdjson::dom::object neurons;
  ASSERT_FALSE(j.root["neurons"].get(neurons));
  const auto n = storage_uint(c, at, "SubtensorModule", "SubnetworkN", {u16_le(netuid)});
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(neurons.size(), *n) << "neurons at block " << block;

  auto md = c.metadata(at.hash);
  ASSERT_TRUE(md.ok());
  auto view = codec::views::NeuronLiteView::resolve(*md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  auto raw = c.state_call("NeuronInfoRuntimeApi_get_neurons_lite", u16_le(netuid), at);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  auto lite = view->decode_all(*raw);
  ASSERT_TRUE(lite.ok()) << lite.error().message;
  std::map<std::string, codec::views::NeuronLite> by_hotkey;
  for (auto& l : *lite) by_hotkey[codec::ss58_encode(l.hotkey)] = l;

  for (auto [k, v] : neurons) {
    const std::string hk(k);
    EXPECT_EQ(str_of(v, "hotkey"), hk);
    auto id = codec::ss58_decode(hk);
    ASSERT_TRUE(id.ok()) << hk;
    const auto uid = storage_uint(c, at, "SubtensorModule", "Uids",
                                  {u16_le(netuid), Bytes(id->account.begin(), id->account.end())});
    ASSERT_TRUE(uid.has_value()) << hk << " has no Uids entry at block " << block;
    EXPECT_EQ(u64_of(v, "uid"), *uid) << hk;
    auto owner =
        storage_value(c, at, "SubtensorModule", "Owner", {Bytes(id->account.begin(), id->account.end())});
    ASSERT_TRUE(owner && owner->size() == 32);
    codec::AccountId cold{};
    std::copy(owner->begin(), owner->end(), cold.begin());
    EXPECT_EQ(str_of(v, "coldkey"), codec::ss58_encode(cold)) << hk;
    ASSERT_TRUE(by_hotkey.count(hk)) << hk << " is not in the runtime API's answer";
    const auto& l = by_hotkey[hk];
    double stake = -1;
    ASSERT_FALSE(v["stake"].get(stake));
    EXPECT_DOUBLE_EQ(stake, static_cast<double>(l.total_stake()) / 1e9) << hk;
    bool permit = false;
    ASSERT_FALSE(v["validator_permit"].get(permit));
    EXPECT_EQ(permit, l.validator_permit) << hk;
    EXPECT_EQ(u64_of(v, "last_update"), l.last_update) << hk;
  }
  // The shared hotkey: staked by the bootstrap (10,000 TAO swapped into the subnet's alpha), a
  // validator.
  const std::string me = codec::ss58_encode(pylon_hotkey());
  double my_stake = 0;
  ASSERT_FALSE(neurons[me]["stake"].get(my_stake)) << "the pylon hotkey is not in the metagraph";
  EXPECT_GT(my_stake, 0.0);
  bool permit = false;
  EXPECT_FALSE(neurons[me]["validator_permit"].get(permit));
  EXPECT_TRUE(permit);
}

TEST_F(RestDaemonLocalnet, MetagraphIsTheChainsAtTheLatestBlock) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  auto a = http(d->port(), "GET", "/metagraph");
  ASSERT_EQ(a.status, 200);
  expect_metagraph_matches_chain(a.body, head, netuid, *rpc, *probe);
}

TEST_F(RestDaemonLocalnet, MetagraphAtAnOlderBlockIsTheChainsThere) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  // A block from before the daemon started, so it has no snapshot of it and builds one from the
  // chain; the bootstrap's last blocks, where the subnet exists already.
  const std::uint64_t old = shared_->first_block - 3;
  ASSERT_GT(
      storage_uint(probe->chain(), block_ref(*rpc, old), "SubtensorModule", "SubnetworkN", {u16_le(netuid)})
          .value_or(0),
      0u);
  auto a = http(d->port(), "GET", "/metagraph/" + std::to_string(old));
  ASSERT_EQ(a.status, 200) << a.body;
  expect_metagraph_matches_chain(a.body, old, netuid, *rpc, *probe);
  // A kept one answers the same shape.
  a = http(d->port(), "GET", "/metagraph/" + std::to_string(head - 1));
  ASSERT_EQ(a.status, 200) << a.body;
  expect_metagraph_matches_chain(a.body, head - 1, netuid, *rpc, *probe);
  EXPECT_TRUE(
      is_error(http(d->port(), "GET", "/metagraph/" + std::to_string(head + 1000)), 404, "not_found"));
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/metagraph/-1"), 400, "bad_request"));
}

TEST_F(RestDaemonLocalnet, EpochFollowsTheFormulaOverTheChainsTempo) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_GT(head, 40u);
  const auto tempo =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "Tempo", {u16_le(netuid)});
  ASSERT_TRUE(tempo.has_value());
  ASSERT_GT(*tempo, 0u);
  auto span_json = [](std::pair<std::uint64_t, std::uint64_t> s) {
    return "{\"epoch_start\":" + std::to_string(s.first) + ",\"epoch_end\":" + std::to_string(s.second) + "}";
  };
  auto a = http(d->port(), "GET", "/epoch");
  EXPECT_EQ(a.status, 200);
  const auto now = epoch_by_walk(netuid, *tempo, head);
  EXPECT_EQ(a.body, span_json(now)) << "tempo " << *tempo << ", head " << head;
  EXPECT_LE(now.first, head);
  EXPECT_GT(now.second, head);
  // Every block of the previous two epochs and an old one: kept snapshots and chain reads alike.
  for (std::uint64_t n = now.first >= 2 * (*tempo + 1) ? now.first - 2 * (*tempo + 1) : 0; n <= head; ++n) {
    a = http(d->port(), "GET", "/epoch/" + std::to_string(n));
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.body, span_json(epoch_by_walk(netuid, *tempo, n))) << "block " << n;
  }
  a = http(d->port(), "GET", "/epoch/" + std::to_string(head - 40));
  EXPECT_EQ(a.body, span_json(epoch_by_walk(netuid, *tempo, head - 40)));
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/epoch/" + std::to_string(head + 1000)), 404, "not_found"));
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/epoch/1e3"), 400, "bad_request"));
}

TEST_F(RestDaemonLocalnet, HyperparamsAreTheChainsStorage) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  auto a = http(d->port(), "GET", "/hyperparams");
  ASSERT_EQ(a.status, 200) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  const chain::BlockRef at = block_ref(*rpc, head);
  auto& c = probe->chain();
  const std::vector<Bytes> key{u16_le(netuid)};
  const std::pair<const char*, const char*> items[] = {{"tempo", "Tempo"},
                                                       {"max_weights_limit", "MaxWeightsLimit"},
                                                       {"min_allowed_weights", "MinAllowedWeights"},
                                                       {"weights_rate_limit", "WeightsSetRateLimit"},
                                                       {"weights_version", "WeightsVersionKey"},
                                                       {"immunity_period", "ImmunityPeriod"},
                                                       {"activity_cutoff", "ActivityCutoff"},
                                                       {"serving_rate_limit", "ServingRateLimit"},
                                                       {"max_validators", "MaxAllowedValidators"}};
  for (const auto& [field, item] : items) {
    const auto chain_value = storage_uint(c, at, "SubtensorModule", item, key);
    ASSERT_TRUE(chain_value.has_value()) << item;
    EXPECT_EQ(u64_of(j.root, field), *chain_value) << field << " vs SubtensorModule." << item;
  }
  // Set by the bootstrap: the plain subnet has commit-reveal off and no weights rate limit.
  bool cr = true;
  ASSERT_FALSE(j.root["commit_reveal_weights_enabled"].get(cr)) << a.body;
  const auto cr_chain = storage_value(c, at, "SubtensorModule", "CommitRevealWeightsEnabled", key);
  ASSERT_TRUE(cr_chain && cr_chain->size() == 1);
  EXPECT_EQ(cr, (*cr_chain)[0] != 0);
  EXPECT_FALSE(cr);
  EXPECT_EQ(u64_of(j.root, "weights_rate_limit"), 0u);
}

// ---------------------------------------------------------------------------------------------
// Writes to the chain: /set_commitment, /get_commitment(s), /set_hyperparam

TEST_F(RestDaemonLocalnet, SetCommitmentLandsInCommitmentsStorageAndIsServed) {
  const std::uint64_t before = caught_up(*d, *probe);
  ASSERT_NE(before, 0u);
  std::mt19937 rng(std::random_device{}());
  Bytes data(6);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const std::string hex = to_hex(data);

  EXPECT_TRUE(
      is_error(http(d->port(), "POST", "/set_commitment", R"({"data_hex":"0xnothex"})"), 400, "bad_request"));
  HttpAnswer a;
  {
    BlockMaker blocks;
    a = http(d->port(), "POST", "/set_commitment", R"({"data_hex":")" + hex + "\"}");
  }
  ASSERT_EQ(a.status, 200) << a.body << "\n" << d->log_tail();
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  // The answered extrinsic is in the answered block, by the block's own bytes.
  const std::string xt = str_of(j.root, "extrinsic_hash"), in = str_of(j.root, "block_hash");
  const auto hashes = rpc->extrinsic_hashes(in);
  EXPECT_NE(std::find(hashes.begin(), hashes.end(), xt), hashes.end()) << a.body;

  const codec::AccountId me = pylon_hotkey();
  const Bytes my_key(me.begin(), me.end());
  // Commitments.CommitmentOf(netuid, hotkey): Registration { deposit, block, info: { fields } }
  // ending in fields = [Data::Raw6(data)]: compact(1), variant 7 (RawN is N + 1), the bytes.
  const chain::BlockRef head = probe->best();
  auto stored = storage_value(probe->chain(), head, "Commitments", "CommitmentOf", {u16_le(netuid), my_key});
  ASSERT_TRUE(stored.has_value()) << "no CommitmentOf for the pylon hotkey";
  Bytes tail{0x04, 0x07};
  tail.insert(tail.end(), data.begin(), data.end());
  ASSERT_GE(stored->size(), tail.size());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), stored->end() - static_cast<std::ptrdiff_t>(tail.size())))
      << "CommitmentOf is " << to_hex(*stored);

  // Served once the daemon's snapshot has caught up with the block holding it.
  const std::string want = "{\"hotkey\":\"" + shared_->me + "\",\"commitment\":\"" + hex + "\"}";
  ASSERT_TRUE(eventually([&] {
    return http(d->port(), "GET", "/get_commitment/" + shared_->me).body == want;
  })) << http(d->port(), "GET", "/get_commitment/" + shared_->me).body;
  auto all = http(d->port(), "GET", "/get_commitments");
  ASSERT_EQ(all.status, 200);
  Json jall(all.body);
  ASSERT_TRUE(jall.ok) << all.body;
  EXPECT_EQ(str_of(jall.root, shared_->me.c_str()), hex) << all.body;
  // At a block before it: whatever the chain held then (the commitment is new in this run).
  const std::string at_before = "?block=" + std::to_string(before);
  auto old = http(d->port(), "GET", "/get_commitment/" + shared_->me + at_before);
  EXPECT_NE(old.body, want);
  if (!storage_value(probe->chain(), block_ref(*rpc, before), "Commitments", "CommitmentOf",
                     {u16_le(netuid), my_key})) {
    EXPECT_TRUE(is_error(old, 404, "not_found"));
  }
  auto all_old = http(d->port(), "GET", "/get_commitments" + at_before);
  EXPECT_EQ(all_old.status, 200);
  EXPECT_EQ(all_old.body.find(hex), std::string::npos) << all_old.body;
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/get_commitment/5NotAnAddress"), 400, "bad_request"));
}

TEST_F(RestDaemonLocalnet, SetHyperparamAsTheSubnetOwnerChangesStorage) {
  // The shared `pylon` wallet's own coldkey owns no subnet (and its password is not known); the
  // bootstrap's `owner` coldkey owns both subnets, so this daemon's wallet pairs it with the shared
  // hotkey. The refusal of a coldkey that owns nothing is in AuthOnTheDaemon.
  if (shared_->owner_password.empty())
    GTEST_SKIP() << "the bootstrap's owner coldkey password file was not found next to its wallets";
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  const std::vector<Bytes> key{u16_le(netuid)};
  const auto was =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "ServingRateLimit", key);
  ASSERT_TRUE(was.has_value());
  const std::uint64_t want = *was + 7;

  // Refused before anything is signed: an unknown name, a value of the wrong shape.
  auto a = http(d->port(), "PUT", "/set_hyperparam", R"({"name":"no_such_knob","value":1})");
  EXPECT_TRUE(is_error(a, 400, "bad_request"));
  EXPECT_NE(a.body.find("unknown hyperparameter"), std::string::npos) << a.body;
  EXPECT_TRUE(
      is_error(http(d->port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit","value":"lots"})"),
               400, "bad_request"));
  EXPECT_TRUE(is_error(http(d->port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit"})"), 400,
                       "bad_request"));
  {
    BlockMaker blocks;
    a = http(d->port(), "PUT", "/set_hyperparam",
             R"({"name":"serving_rate_limit","value":)" + std::to_string(want) + "}");
  }
  ASSERT_EQ(a.status, 200) << a.body << "\n" << d->log_tail();
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  EXPECT_FALSE(str_of(j.root, "detail").empty());
  const auto hashes = rpc->extrinsic_hashes(str_of(j.root, "block_hash"));
  EXPECT_NE(std::find(hashes.begin(), hashes.end(), str_of(j.root, "extrinsic_hash")), hashes.end())
      << a.body;
  EXPECT_EQ(storage_uint(probe->chain(), probe->best(), "SubtensorModule", "ServingRateLimit", key), want);
  ASSERT_TRUE(eventually([&] {
    Json h(http(d->port(), "GET", "/hyperparams").body);
    return h.ok && u64_of(h.root, "serving_rate_limit") == want;
  })) << http(d->port(), "GET", "/hyperparams").body;
}

// ---------------------------------------------------------------------------------------------
// Weights: /set_weight, /update_weight, /set_weights, /raw_weights, /weights_status,
// /force_commit_weights, into SubtensorModule.Weights

TEST_F(RestDaemonLocalnet, WeightsGoThroughTheStoreAndForceCommitPutsThemOnChain) {
  // No block is made from here until force_commit has recorded its attempt: the epoch of the
  // writes is the epoch of the daemon's latest snapshot, and it must hold still.
  std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  const auto tempo =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "Tempo", {u16_le(netuid)});
  ASSERT_TRUE(tempo.has_value());
  std::uint64_t epoch = epoch_by_walk(netuid, *tempo, head).first;
  // An epoch without weights (another test may have written into this one).
  if (!stored_weights(d->db_path(), netuid, epoch).empty()) {
    probe->new_blocks(static_cast<std::uint32_t>(epoch_by_walk(netuid, *tempo, head).second - head));
    head = caught_up(*d, *probe);
    ASSERT_NE(head, 0u);
    epoch = epoch_by_walk(netuid, *tempo, head).first;
  }
  const Neuron& m0 = shared_->others[0];
  const Neuron& m1 = shared_->others[1];
  const std::string e = "?epoch=" + std::to_string(head);

  // Nothing stored for this epoch yet.
  ASSERT_TRUE(stored_weights(d->db_path(), netuid, epoch).empty());
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/raw_weights"), 404, "not_found"));
  EXPECT_TRUE(is_error(http(d->port(), "POST", "/force_commit_weights"), 404, "not_found"));

  auto a = http(d->port(), "PUT", "/set_weight", R"({"hotkey":")" + m0.hotkey + R"(","weight":0.25})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body,
            "{\"hotkey\":\"" + m0.hotkey + "\",\"weight\":0.25,\"epoch\":" + std::to_string(epoch) + "}");
  EXPECT_EQ(stored_weights(d->db_path(), netuid, epoch), (std::map<std::string, double>{{m0.hotkey, 0.25}}));

  a = http(d->port(), "PUT", "/update_weight", R"({"hotkey":")" + m0.hotkey + R"(","weight_delta":0.5})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body,
            "{\"hotkey\":\"" + m0.hotkey + "\",\"weight\":0.75,\"epoch\":" + std::to_string(epoch) + "}");
  EXPECT_EQ(stored_weights(d->db_path(), netuid, epoch), (std::map<std::string, double>{{m0.hotkey, 0.75}}));

  a = http(d->port(), "PUT", "/set_weights", R"({"weights":{")" + m1.hotkey + R"(":1.5}})");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, "{\"epoch\":" + std::to_string(epoch) + ",\"weights\":{\"" + m1.hotkey + "\":1.5}}");
  const std::map<std::string, double> want{{m0.hotkey, 0.75}, {m1.hotkey, 1.5}};
  EXPECT_EQ(stored_weights(d->db_path(), netuid, epoch), want);

  // /raw_weights: the current epoch and the same epoch named by any of its blocks.
  for (const std::string& q : {std::string(), e, "?epoch=" + std::to_string(epoch)}) {
    a = http(d->port(), "GET", "/raw_weights" + q);
    ASSERT_EQ(a.status, 200) << q << ": " << a.body;
    Json j(a.body);
    ASSERT_TRUE(j.ok);
    EXPECT_EQ(u64_of(j.root, "epoch"), epoch);
    std::map<std::string, double> got;
    simdjson::dom::object w;
    ASSERT_FALSE(j.root["weights"].get(w));
    for (auto [k, v] : w) got[std::string(k)] = v.get_double().value_unsafe();
    EXPECT_EQ(got, want) << q;
  }
  // A block of the previous epoch names that epoch: what the store holds for it, or 404.
  if (epoch > 0) {
    const std::uint64_t prev = epoch_by_walk(netuid, *tempo, epoch - 1).first;
    const auto prev_stored = stored_weights(d->db_path(), netuid, prev);
    a = http(d->port(), "GET", "/raw_weights?epoch=" + std::to_string(epoch - 1));
    if (prev_stored.empty()) {
      EXPECT_TRUE(is_error(a, 404, "not_found"));
    } else {
      ASSERT_EQ(a.status, 200) << a.body;
      Json j(a.body);
      ASSERT_TRUE(j.ok);
      EXPECT_EQ(u64_of(j.root, "epoch"), prev);
      for (const auto& [hk, w] : prev_stored)
        EXPECT_EQ(j.root["weights"][hk].get_double().value_unsafe(), w) << a.body;
    }
  }

  // /weights_status: the stored weights, no attempt yet, and the chain's row for this hotkey.
  a = http(d->port(), "GET", "/weights_status" + e);
  ASSERT_EQ(a.status, 200) << a.body;
  {
    Json j(a.body);
    ASSERT_TRUE(j.ok);
    EXPECT_EQ(u64_of(j.root, "epoch"), epoch);
    EXPECT_EQ(u64_of(j.root, "epoch_end"), epoch_by_walk(netuid, *tempo, head).second);
    EXPECT_EQ(j.root["weights"][m0.hotkey].get_double().value_unsafe(), 0.75);
    EXPECT_EQ(j.root["weights"][m1.hotkey].get_double().value_unsafe(), 1.5);
    simdjson::dom::array attempts;
    ASSERT_FALSE(j.root["attempts"].get(attempts));
    EXPECT_EQ(attempts.size(), 0u);
    EXPECT_EQ(u64_of(j.root["chain"], "uid"), shared_->my_uid) << a.body;
  }

  // force_commit: blocks start once the attempt is persisted (the epoch has been chosen).
  HttpAnswer fc;
  {
    BlockMaker blocks([&] { return stored_attempts(d->db_path(), netuid, epoch) > 0; });
    fc = http(d->port(), "POST", "/force_commit_weights");
  }
  ASSERT_EQ(fc.status, 200) << fc.body << "\n" << d->log_tail();
  Json j(fc.body);
  ASSERT_TRUE(j.ok) << fc.body;
  EXPECT_EQ(u64_of(j.root, "block"), head);
  EXPECT_EQ(str_of(j.root, "call"), "set_weights");
  EXPECT_EQ(j.root["committed_weights"][m0.hotkey].get_double().value_unsafe(), 0.75);
  EXPECT_EQ(j.root["committed_weights"][m1.hotkey].get_double().value_unsafe(), 1.5);
  const std::string xt = str_of(j.root, "extrinsic_hash");
  ASSERT_EQ(xt.size(), 66u) << fc.body;

  // On chain: the extrinsic in a block after the snapshot's, and the weights in storage,
  // max-normalised to u16 (1.5 -> 65535, 0.75 -> 32768). This leaves the shared hotkey's row with
  // two entries; WeightsLocalnet.RestAndShmWeightsLandOnChainThroughSetWeights, which waits for a
  // row of two of its own, runs before this file's tests (link order in CMakeLists.txt).
  std::map<std::uint16_t, std::uint16_t> got;
  ASSERT_TRUE(eventually(
      [&] {
        probe->new_blocks(1);
        const auto row = probe->weights_row(netuid, shared_->my_uid);
        got = std::map<std::uint16_t, std::uint16_t>(row.begin(), row.end());
        return row.size() == 2 && got.count(m0.uid) && got.count(m1.uid) && got[m1.uid] == 65535 &&
               std::abs(int(got[m0.uid]) - 32768) <= 1;
      },
      30s))
      << "Weights(" << netuid << ", " << shared_->my_uid << ") never became {" << m0.uid << ": 32768, "
      << m1.uid << ": 65535}\n"
      << http(d->port(), "GET", "/weights_status" + e).body;
  const auto found = rpc->find_extrinsic(head + 1, probe->best().number, xt);
  ASSERT_TRUE(found.has_value()) << xt << " is in no block after " << head;

  // The daemon's record agrees: the attempt under that hash, included in that block.
  ASSERT_TRUE(eventually([&] {
    Json st(http(d->port(), "GET", "/weights_status" + e).body);
    simdjson::dom::array attempts;
    if (!st.ok || st.root["attempts"].get(attempts)) return false;
    for (auto at : attempts)
      if (str_of(at, "extrinsic_hash") == xt &&
          (str_of(at, "status") == "included" || str_of(at, "status") == "finalized"))
        return str_of(at, "included_in") == rpc->block_hash(*found);
    return false;
  })) << http(d->port(), "GET", "/weights_status" + e).body;
}

// ---------------------------------------------------------------------------------------------
// Bad input on the daemon: 400/413 with {"detail","error"}, and the store unchanged

// A PUT whose body is announced as `length` bytes of which only `send` are sent: the daemon must
// refuse it on the announced length. (e2e::http sets Content-Length itself, hence this one.)
HttpAnswer oversize(std::uint16_t port, std::size_t length, std::size_t send) {
  HttpAnswer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    if (fd >= 0) ::close(fd);
    return answer;
  }
  const std::string req =
      "PUT /set_weights HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(length) + "\r\n\r\n" + std::string(send, ' ');
  // Errors ignored: the daemon may answer and close before it has read everything.
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return answer;
  answer.status = std::atoi(raw.c_str() + 9);
  if (const auto end = raw.find("\r\n\r\n"); end != std::string::npos) answer.body = raw.substr(end + 4);
  return answer;
}

TEST_F(RestDaemonLocalnet, BadInputIsRefusedAndChangesNothing) {
  ASSERT_NE(caught_up(*d, *probe), 0u);
  const std::string hk = shared_->others[0].hotkey;
  // Something stored to stay unchanged (also gives update_weight a weight to take below zero).
  auto a = http(d->port(), "PUT", "/set_weight", R"({"hotkey":")" + hk + R"(","weight":0.5})");
  ASSERT_EQ(a.status, 200) << a.body;
  const std::string table = whole_weights_table(d->db_path());
  const std::string raw = http(d->port(), "GET", "/raw_weights").body;
  ASSERT_NE(table.find(" 0.5 "), std::string::npos) << table;

  const std::string bad_ss58 = hk.substr(0, hk.size() - 1) + (hk.back() == 'a' ? "b" : "a");
  const std::pair<const char*, std::string> corpus[] = {
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":)"},                       // malformed JSON
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":1,"weigth":2})"},          // unknown field
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":1,"weight":2})"},          // repeated field
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":-1})"},                    // negative weight
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":NaN})"},                   // NaN
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":1e400})"},                 // infinite
      {"/set_weight", R"({"hotkey":")" + hk + R"(","weight":"1"})"},                   // wrong type
      {"/set_weight", R"({"hotkey":")" + bad_ss58 + R"(","weight":1})"},               // bad checksum
      {"/set_weight", R"({"hotkey":"not-an-address","weight":1})"},                    // bad SS58
      {"/set_weight", R"({"weight":1})"},                                              // missing field
      {"/set_weight", R"([1,2])"},                                                     // not an object
      {"/update_weight", R"({"hotkey":")" + hk + R"(","weight_delta":-1000})"},        // below zero
      {"/update_weight", R"({"hotkey":")" + hk + R"(","weight_delta":1e16})"},         // out of range
      {"/set_weights", R"({"weights":{")" + hk + R"(":-0.5}})"},                       // negative
      {"/set_weights", R"({"weights":{}})"},                                           // empty
      {"/set_weights", R"({"weights":{")" + hk + R"(":1,")" + bad_ss58 + R"(":1}})"},  // one bad of two
  };
  for (const auto& [path, body] : corpus) {
    a = http(d->port(), "PUT", path, body);
    EXPECT_TRUE(is_error(a, 400, "bad_request")) << path << " " << body;
  }
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/raw_weights?epoch=abc"), 400, "bad_request"));
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/weights_status?epoch=-5"), 400, "bad_request"));
  // Over the 1 MiB body limit: 413 on the announced length.
  EXPECT_TRUE(is_error(oversize(d->port(), (1u << 20) + 1, 4096), 413, "payload_too_large"));
  EXPECT_TRUE(is_error(oversize(d->port(), 64u << 20, 4096), 413, "payload_too_large"));
  // Still serving, and nothing changed.
  EXPECT_EQ(http(d->port(), "GET", "/live").status, 200);
  EXPECT_EQ(whole_weights_table(d->db_path()), table);
  EXPECT_EQ(http(d->port(), "GET", "/raw_weights").body, raw);
}

// ---------------------------------------------------------------------------------------------
// Auth: a daemon with PYLON_AUTH_TOKEN

TEST_F(RestDaemonLocalnet, AuthOnTheDaemon) {
  const Bootstrapped& b = bootstrapped();
  keys::test::TempDir dir;
  // A coldkey that owns nothing, for set_hyperparam's 403.
  const std::string pw = dir.path() + "/stranger-password";
  { std::ofstream(pw) << "e2e-stranger-" << ::getpid() << "\n"; }
  fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write);
  const std::string bin = std::string(PYLON_BINARY_DIR) + "/pylon";
  auto made = keys::test::run_command(keys::test::shell_quote(bin) + " wallet new-coldkey --path " +
                                      keys::test::shell_quote(dir.path() + "/stranger") +
                                      " --wallet w --password-file " + keys::test::shell_quote(pw) + " 2>&1");
  ASSERT_EQ(made.exit_code, 0) << made.out;
  const std::string token = "e2e-token-" + std::to_string(std::random_device{}()) + "-0123456789";
  DaemonProcess ad(b.netuid_plain,
                   {{"PYLON_AUTH_TOKEN", token},
                    {"PYLON_WALLET_PATH", make_wallets(dir.path(), dir.path() + "/stranger/w")},
                    {"PYLON_COLDKEY_PASSWORD_FILE", pw}});
  ad.start();
  ASSERT_TRUE(wait_ready(ad, *probe)) << ad.log_tail();
  ASSERT_NE(caught_up(ad, *probe), 0u);
  const std::string good = "Authorization: Bearer " + token + "\r\n";
  const std::string wrong = "Authorization: Bearer " + token.substr(0, token.size() - 1) + "x\r\n";
  const std::string hk = shared_->others[0].hotkey;
  const std::string body = R"({"hotkey":")" + hk + R"(","weight":0.125})";

  // Never behind the token: /live, /health; reads neither (PYLON_AUTH_READS is off).
  EXPECT_EQ(http(ad.port(), "GET", "/live").status, 200);
  EXPECT_EQ(http(ad.port(), "GET", "/health").status, 200);
  EXPECT_EQ(http(ad.port(), "GET", "/latest_block").status, 200);

  // /metrics: 401 without or with a wrong token, 200 with it.
  EXPECT_TRUE(is_error(http(ad.port(), "GET", "/metrics"), 401, "unauthorized"));
  EXPECT_TRUE(is_error(http(ad.port(), "GET", "/metrics", "", wrong), 401, "unauthorized"));
  EXPECT_TRUE(is_error(http(ad.port(), "GET", "/metrics", "", "Authorization: " + token + "\r\n"), 401,
                       "unauthorized"));  // not a bearer
  auto m = http(ad.port(), "GET", "/metrics", "", good);
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("pylon_snapshot_block "), std::string::npos);

  // A write: refused without it and with a wrong one, and nothing is stored; then accepted.
  const std::string table = whole_weights_table(ad.db_path());
  EXPECT_TRUE(is_error(http(ad.port(), "PUT", "/set_weight", body), 401, "unauthorized"));
  EXPECT_TRUE(is_error(http(ad.port(), "PUT", "/set_weight", body, wrong), 401, "unauthorized"));
  EXPECT_EQ(whole_weights_table(ad.db_path()), table);
  EXPECT_TRUE(is_error(http(ad.port(), "GET", "/raw_weights"), 404, "not_found"));
  auto a = http(ad.port(), "PUT", "/set_weight", body, good);
  ASSERT_EQ(a.status, 200) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(stored_weights(ad.db_path(), b.netuid_plain, u64_of(j.root, "epoch")),
            (std::map<std::string, double>{{hk, 0.125}}));
  EXPECT_TRUE(is_error(http(ad.port(), "POST", "/force_commit_weights", "", wrong), 401, "unauthorized"));

  // set_hyperparam with the token, signed by a coldkey that does not own the subnet: 403, and
  // nothing is submitted (refused from SubnetOwner before signing).
  a = http(ad.port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit","value":1})", good);
  EXPECT_TRUE(is_error(a, 403, "forbidden"));
  EXPECT_NE(a.body.find("does not own subnet " + std::to_string(b.netuid_plain)), std::string::npos)
      << a.body;
  EXPECT_TRUE(
      is_error(http(ad.port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit","value":1})"), 401,
               "unauthorized"));
  // Blocks while it stops: its commit loop may have sent the acknowledged weight, and a submission in
  // flight holds SIGTERM until it is included.
  BlockMaker blocks;
  EXPECT_EQ(ad.terminate(), 0) << ad.log_tail();
}

}  // namespace
}  // namespace pylon::e2e

// The REST daemon tests' shared part (rest_daemon_support.hpp): the fixture's one daemon, started
// by the suite's first test and stopped after its last, and the test's own readers of the chain
// and of the daemon's store, so that every answer is checked against what the chain holds.
#include "rest_daemon_support.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "codec/ss58.hpp"
#include "e2e_support.hpp"
#include "keys/hash.hpp"
#include "localnet_env.hpp"

namespace pylon::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::uint64_t u64_of(const simdjson::dom::element& e, const char* field) {
  std::uint64_t v = 0;
  return e[field].get(v) ? ~0ull : v;
}

std::string str_of(const simdjson::dom::element& e, const char* field) {
  std::string_view v;
  return e[field].get(v) ? std::string() : std::string(v);
}

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

namespace {

std::uint64_t le_u64(const Bytes& b) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < b.size() && i < 8; ++i) v |= std::uint64_t{b[i]} << (8 * i);
  return v;
}

}  // namespace

Rpc::Rpc() {
  net::RpcClientOptions o;
  o.endpoints = {net::testing::LocalnetEnv::get().url()};
  o.request_timeout = 120s;
  auto r = net::RpcClient::create(net, o);
  if (r.ok()) {
    client = std::move(r).value();
    (void)client->wait_connected(20s);
  }
}

std::string Rpc::call(const std::string& method, const std::string& params) {
  auto r = client->call(method, params);
  return r.ok() ? *r : std::string();
}

std::string Rpc::block_hash(std::uint64_t n) {
  const std::string r = call("chain_getBlockHash", "[" + std::to_string(n) + "]");
  return r.size() > 2 && r.front() == '"' ? r.substr(1, r.size() - 2) : std::string();
}

std::vector<std::string> Rpc::extrinsic_hashes(const std::string& block_hash) {
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

std::optional<std::uint64_t> Rpc::find_extrinsic(std::uint64_t from, std::uint64_t to,
                                                 const std::string& hash) {
  for (std::uint64_t n = from; n <= to; ++n)
    for (const auto& h : extrinsic_hashes(block_hash(n)))
      if (h == hash) return n;
  return std::nullopt;
}

std::optional<Bytes> storage_value(chain::ChainClient& c, const chain::BlockRef& at, std::string_view pallet,
                                   std::string_view item, const std::vector<Bytes>& keys) {
  auto raw = net::testing::read_storage(c, pallet, item, keys, at);
  if (!raw.ok()) return std::nullopt;
  if (raw->has_value()) return **raw;
  auto md = c.metadata(at.hash);
  if (!md.ok()) return std::nullopt;
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

chain::BlockRef block_ref(Rpc& rpc, std::uint64_t n) {
  auto h = chain::parse_hash(rpc.block_hash(n));
  return h.ok() ? chain::BlockRef{*h, n} : chain::BlockRef{};
}

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

namespace {

// Runs `sql` on the daemon's store opened read-only, (netuid, epoch) bound when given, calling `row`
// for every row; false only when the store cannot be opened.
bool query_store(const std::string& db, const char* sql,
                 std::optional<std::pair<std::uint16_t, std::uint64_t>> key,
                 const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return false;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK) {
    if (key) {
      sqlite3_bind_int64(st, 1, key->first);
      sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(key->second));
    }
    while (sqlite3_step(st) == SQLITE_ROW) row(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return true;
}

}  // namespace

std::map<std::string, double> stored_weights(const std::string& db, std::uint16_t netuid,
                                             std::uint64_t epoch) {
  std::map<std::string, double> out;
  const bool opened = query_store(db, "SELECT hotkey, weight FROM weights WHERE netuid = ? AND epoch = ?",
                                  std::pair{netuid, epoch}, [&](sqlite3_stmt* st) {
                                    const auto* p =
                                        static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 0));
                                    AccountId id{};
                                    if (sqlite3_column_bytes(st, 0) == 32) std::copy(p, p + 32, id.begin());
                                    out[codec::ss58_encode(id)] = sqlite3_column_double(st, 1);
                                  });
  if (!opened) return {{"<cannot open " + db + ">", -1}};
  return out;
}

std::string whole_weights_table(const std::string& db) {
  std::string out;
  const bool opened =
      query_store(db, "SELECT netuid, epoch, hex(hotkey), weight, updated_ms FROM weights ORDER BY 1, 2, 3",
                  std::nullopt, [&](sqlite3_stmt* st) {
                    for (int i = 0; i < 5; ++i) {
                      const auto* t = sqlite3_column_text(st, i);
                      out += t ? reinterpret_cast<const char*>(t) : "null";
                      out += i == 4 ? '\n' : ' ';
                    }
                  });
  return opened ? out : "<cannot open>";
}

int stored_attempts(const std::string& db, std::uint16_t netuid, std::uint64_t epoch) {
  int n = -1;
  (void)query_store(db, "SELECT count(*) FROM commit_attempts WHERE netuid = ? AND epoch = ?",
                    std::pair{netuid, epoch}, [&](sqlite3_stmt* st) { n = sqlite3_column_int(st, 0); });
  return n;
}

std::uint64_t latest_block(std::uint16_t port) {
  Json j(http(port, "GET", "/latest_block").body);
  return j.ok ? u64_of(j.root, "block") : 0;
}

std::uint64_t caught_up(DaemonProcess& d, ChainProbe& probe) {
  const std::uint64_t head = probe.best().number;
  return test::eventually([&] { return latest_block(d.port()) == head; }, 15s) ? head : 0;
}

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

RestDaemonLocalnet::Shared* RestDaemonLocalnet::shared_ = nullptr;

std::pair<std::uint64_t, std::uint64_t> RestDaemonLocalnet::empty_weights_epoch() {
  std::uint64_t head = caught_up(*d, *probe);
  if (head == 0) return {0, 0};
  const auto tempo =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "Tempo", {u16_key(netuid)});
  if (!tempo) return {0, 0};
  auto [epoch, end] = epoch_by_walk(netuid, *tempo, head);
  if (stored_weights(d->db_path(), netuid, epoch).empty()) return {head, epoch};
  probe->new_blocks(static_cast<std::uint32_t>(end - head));
  head = caught_up(*d, *probe);
  return {head, head == 0 ? 0 : epoch_by_walk(netuid, *tempo, head).first};
}

void RestDaemonLocalnet::TearDownTestSuite() {
  if (!shared_) return;
  if (shared_->daemon) {
    // Blocks while it stops: a commit its loop may have sent holds SIGTERM until it is included.
    std::optional<BlockMaker> blocks;
    if (shared_->rpc && shared_->rpc->client) blocks.emplace(*shared_->rpc->client);
    shared_->daemon->terminate();
  }
  delete shared_;
  shared_ = nullptr;
}

void RestDaemonLocalnet::SetUp() {
  DaemonLocalnetTest::SetUp();  // the chain and its bootstrap, or a skip
  if (IsSkipped() || HasFatalFailure()) return;
  const Bootstrapped& b = bootstrapped();
  if (!shared_) start_shared();
  ASSERT_TRUE(shared_->start_error.empty()) << shared_->start_error;
  netuid = b.netuid_plain;
  d = shared_->daemon.get();
  probe = shared_->probe.get();
  rpc = shared_->rpc.get();
}

void RestDaemonLocalnet::start_shared() {
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

}  // namespace pylon::e2e

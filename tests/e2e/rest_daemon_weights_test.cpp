// The REST API's weights on the real binary (the suite's one daemon, rest_daemon_support.hpp):
// PUT /set_weight, /update_weight and /set_weights through the SQLite store (opened read-only by the
// test), GET /raw_weights and /weights_status, and POST /force_commit_weights into
// SubtensorModule.Weights, read from chain storage by the test. Also a bad-input corpus that must
// leave the store unchanged, and bearer-token auth on a second daemon with PYLON_AUTH_TOKEN and a
// coldkey that owns nothing. Why: an acknowledged weight must be durable and reach the chain as
// sent, and a refused one must change nothing.
//
// Blocks are made only where a test needs them, so the epoch of the weight writes holds still
// between a write and its checks.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "e2e_support.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::eventually;

// ---------------------------------------------------------------------------------------------
// Weights: /set_weight, /update_weight, /set_weights, /raw_weights, /weights_status,
// /force_commit_weights, into SubtensorModule.Weights

TEST_F(RestDaemonLocalnet, WeightsGoThroughTheStoreAndForceCommitPutsThemOnChain) {
  // No block is made from here until force_commit has recorded its attempt: the epoch of the
  // writes is the epoch of the daemon's latest snapshot, and it must hold still.
  // An epoch without weights (another test may have written into this one).
  const std::pair<std::uint64_t, std::uint64_t> at = empty_weights_epoch();
  const std::uint64_t head = at.first, epoch = at.second;
  ASSERT_NE(head, 0u);
  const auto tempo =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "Tempo", {u16_key(netuid)});
  ASSERT_TRUE(tempo.has_value());
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
    BlockMaker blocks(*rpc->client, 300ms, [&] { return stored_attempts(d->db_path(), netuid, epoch) > 0; });
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
  // max-normalised to u16 (1.5 -> 65535, 0.75 -> 32768). Waits for exactly these values: the row
  // of the shared hotkey may hold another test's two entries (WeightsLocalnet's, which in turn waits
  // for exactly its own), so neither depends on the order the tests run in.
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
  ASSERT_TRUE(eventually(
      [&] {
        Json st(http(d->port(), "GET", "/weights_status" + e).body);
        simdjson::dom::array attempts;
        if (!st.ok || st.root["attempts"].get(attempts)) return false;
        for (auto at : attempts)
          if (str_of(at, "extrinsic_hash") == xt &&
              (str_of(at, "status") == "included" || str_of(at, "status") == "finalized"))
            return str_of(at, "included_in") == rpc->block_hash(*found);
        return false;
      },
      15s))
      << http(d->port(), "GET", "/weights_status" + e).body;
}

// ---------------------------------------------------------------------------------------------
// Bad input on the daemon: 400/413 with {"detail","error"}, and the store unchanged

// A PUT whose body is announced as `length` bytes of which only `send` are sent: the daemon must
// refuse it on the announced length. (e2e::http sets Content-Length itself, hence http_raw.)
HttpAnswer oversize(std::uint16_t port, std::size_t length, std::size_t send) {
  return http_raw(port,
                  "PUT /set_weights HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Content-Length: " +
                      std::to_string(length) + "\r\n\r\n" + std::string(send, ' '),
                  10s);
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
  BlockMaker blocks(*rpc->client);
  EXPECT_EQ(ad.terminate(), 0) << ad.log_tail();
}

}  // namespace
}  // namespace pylon::e2e

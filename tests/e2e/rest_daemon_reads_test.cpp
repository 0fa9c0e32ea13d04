// The REST API's reads on the real binary: `build/pylon run` on the bootstrapped local chain (the
// suite's one daemon, rest_daemon_support.hpp), one test per endpoint of the seed contract
// (../shared/api/seed-rest.md) plus Pylon's additions: /live, /health, /metrics,
// /schema/openapi.json, /latest_block, /block_hash, /metagraph, /epoch and /hyperparams. Each
// checks the status and the body, and checks the answer against the chain as the test itself reads
// it (chain_getBlockHash, storage decoded here, the runtime API through the chain client), never
// against Pylon's own word: heads and hashes, the metagraph's neuron count, uid, coldkey and stake,
// epochs by subtensor's formula over the chain's Tempo, hyperparameters. Why: these are what a
// validator acts on, and a daemon that only agrees with itself proves nothing.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "codec/ss58.hpp"
#include "codec/views/neuron_lite.hpp"
#include "e2e_support.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

using namespace std::chrono_literals;
using test::eventually;

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
  const auto n = storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "SubnetworkN",
                              {u16_key(netuid)});
  ASSERT_TRUE(n.has_value());
  EXPECT_NE(a.body.find("\npylon_snapshot_block " + std::to_string(head) + "\n"), std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("\npylon_snapshot_neurons " + std::to_string(*n) + "\n"), std::string::npos)
      << a.body;
  EXPECT_NE(a.body.find("# TYPE pylon_weights_transactions_total counter"), std::string::npos);
  // The daemon's own families: build, chain RPC per method and endpoint, connection, committer.
  for (const std::string& want : {
           std::string("pylon_build_info{version=\""),
           std::string("pylon_chain_rpc_calls_total{endpoint=\"ws://127.0.0.1:"),
           std::string("method=\"state_call\",outcome=\"ok\"}"),
           std::string("pylon_chain_rpc_duration_seconds_bucket{endpoint=\"ws://127.0.0.1:"),
           std::string("event=\"connected\"} 1\n"),
           std::string("# TYPE pylon_weight_commits_total counter\n"),
           std::string("\npylon_weight_commits_total{outcome=\"failed\",mechanism=\"0\"} "),
           std::string("\npylon_weight_commits_total{outcome=\"missed\",mechanism=\"0\"} "),
           std::string("\npylon_commit_last_epoch{mechanism=\"0\"} "),
           // The follower built at least the snapshot the daemon caught up to.
           std::string("\npylon_snapshot_build_duration_seconds_bucket{le=\"+Inf\"} "),
           std::string("# TYPE pylon_commit_blocked gauge\n"),
           std::string("\nprocess_resident_memory_bytes "),
       })
    EXPECT_NE(a.body.find(want), std::string::npos) << want << "\n" << a.body;
  EXPECT_EQ(a.body.find("\npylon_snapshot_build_duration_seconds_count 0\n"), std::string::npos) << a.body;
  // The exposition as Prometheus reads it: promtool parses it strictly and lints it.
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) GTEST_SKIP() << "promtool is not installed";
  char path[] = "/tmp/pylon-daemon-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, a.body.data(), a.body.size()), static_cast<ssize_t>(a.body.size()));
  ::close(fd);
  const int status = std::system(("promtool check metrics < " + std::string(path) + " >&2").c_str());
  ::unlink(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << a.body;
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
  ASSERT_TRUE(eventually([&] { return latest_block(d->port()) == head; }, 15s))
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
  const auto n = storage_uint(c, at, "SubtensorModule", "SubnetworkN", {u16_key(netuid)});
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(neurons.size(), *n) << "neurons at block " << block;

  auto md = c.metadata(at.hash);
  ASSERT_TRUE(md.ok());
  auto view = codec::views::NeuronLiteView::resolve(*md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  auto raw = c.state_call("NeuronInfoRuntimeApi_get_neurons_lite", u16_key(netuid), at);
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
                                  {u16_key(netuid), Bytes(id->account.begin(), id->account.end())});
    ASSERT_TRUE(uid.has_value()) << hk << " has no Uids entry at block " << block;
    EXPECT_EQ(u64_of(v, "uid"), *uid) << hk;
    auto owner =
        storage_value(c, at, "SubtensorModule", "Owner", {Bytes(id->account.begin(), id->account.end())});
    ASSERT_TRUE(owner && owner->size() == 32);
    AccountId cold{};
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
      storage_uint(probe->chain(), block_ref(*rpc, old), "SubtensorModule", "SubnetworkN", {u16_key(netuid)})
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
  // Block 1, before the bootstrap registered the subnet: the chain says it is not there, 404.
  const auto added =
      storage_uint(probe->chain(), block_ref(*rpc, 1), "SubtensorModule", "NetworksAdded", {u16_key(netuid)});
  ASSERT_TRUE(added.has_value());
  ASSERT_EQ(*added, 0u);
  a = http(d->port(), "GET", "/metagraph/1");
  EXPECT_TRUE(is_error(a, 404, "not_found")) << a.body;
  EXPECT_NE(a.body.find("does not exist"), std::string::npos) << a.body;
}

TEST_F(RestDaemonLocalnet, EpochFollowsTheFormulaOverTheChainsTempo) {
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_GT(head, 40u);
  const auto tempo =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "Tempo", {u16_key(netuid)});
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
  const std::vector<Bytes> key{u16_key(netuid)};
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

}  // namespace
}  // namespace pylon::e2e

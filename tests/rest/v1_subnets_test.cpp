// /api/v1 with several followed subnets (issue 15): one daemon follows two subnets, each with its
// own SnapshotStore and weights Writer, and serves an identity on each with its own hotkey. Over
// HTTP on test-made copies of the recorded finney snapshot (block 6852690): subnet 1 keeps all
// 1024 neurons, the other subnet five of them, with stakes and commitments of its own. Checked:
// each identity's reads answer its own subnet and PUT weights land under its netuid through that
// subnet's Writer; tokens never open the other identity's routes; open-access reads of both; a
// subnet not followed is read from the chain (the replay node) once per block however many ask,
// a subnet the chain says is absent is 404, a read that fails is 502, and without a chain the
// answer names the subnets followed.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "codec/ss58.hpp"
#include "committer/epoch.hpp"
#include "common/hex.hpp"
#include "rest/subnet_context.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint16_t kOther = 7;
constexpr std::size_t kOtherNeurons = 5;

std::string token_of(std::uint16_t netuid) {
  return "sn" + std::to_string(netuid) + "-identity-token-0123";
}
std::string auth_of(std::uint16_t netuid) {
  return "Bearer " + token_of(netuid);
}
std::string id_prefix(std::uint16_t netuid) {
  return "/api/v1/identity/sn" + std::to_string(netuid) + "/subnet/" + std::to_string(netuid);
}
std::string open_prefix(std::uint64_t netuid) {
  return "/api/v1/subnet/" + std::to_string(netuid);
}
std::string hotkey(std::size_t i) {
  return codec::ss58_encode(recorded()->neurons.at(i).hotkey);
}

// The recorded snapshot as subnet `netuid` at the recorded block: its first `neurons` neurons,
// test-made stakes starting at `stake_base` TAO, and one Raw commitment of neuron `committer`.
follower::SnapshotPtr subnet_snapshot(std::uint16_t netuid, std::size_t neurons, std::uint64_t stake_base,
                                      std::size_t committer, Bytes commitment) {
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  s->netuid = netuid;
  s->neurons.resize(std::min(neurons, s->neurons.size()));
  for (auto& n : s->neurons) n.netuid = netuid;
  s->stakes.emplace();
  for (const auto& n : s->neurons) {
    const std::uint64_t total = (stake_base + n.uid % 5) * 1'000'000'000ull;
    s->stakes->push_back({total - total / 3, total / 3, total});
  }
  s->stakes_unavailable.clear();
  follower::HotkeyCommitment hc;
  hc.hotkey = s->neurons.at(committer).hotkey;
  hc.commitment.block = s->block - 5;
  hc.commitment.fields.push_back(
      {"Raw" + std::to_string(commitment.size()), std::move(commitment), std::nullopt});
  s->commitments = std::vector<follower::HotkeyCommitment>{hc};
  return s;
}

struct Setup {
  std::uint16_t first = kNetuid;  // the default subnet
  std::uint16_t second = kOther;
  bool chain = true;
  bool build_hyperparams = false;
  std::optional<std::uint16_t> unfollowed_identity{};  // an identity "sn<N>" on a subnet not followed
};

// A Server following two subnets: the default one in RestDeps' own fields, the other in
// RestDeps::subnets; one weights Store, a Writer per subnet (as the daemon has them); identity
// "sn<N>" on each subnet N, with the hotkey of neuron 0 on the first and neuron 1 on the second.
struct TwoSubnets {
  explicit TwoSubnets(Setup setup = {}) : netuids{setup.first, setup.second} {
    char tmpl[] = "/tmp/pylon-rest-subnets-XXXXXX";
    dir = ::mkdtemp(tmpl);
    first.publish(subnet_snapshot(setup.first, recorded()->neurons.size(), 1, 0, {0xde, 0xad, 0xbe, 0xef}));
    second.publish(subnet_snapshot(setup.second, kOtherNeurons, 100, 1, {0x07, 0x07}));
    auto st = weights::Store::open(dir + "/weights.db");
    EXPECT_TRUE(st.ok()) << st.error().message;
    store = std::move(st).value();
    const auto no_drain = [] { return std::optional<weights::DrainContext>(); };
    first_writer = std::make_unique<weights::Writer>(*store, nullptr, no_drain);
    second_writer = std::make_unique<weights::Writer>(*store, nullptr, no_drain);

    RestOptions o;
    o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
    o.v1.identities.push_back({"sn" + std::to_string(setup.first), setup.first,
                               std::make_shared<const keys::SecretString>(token_of(setup.first)),
                               recorded()->neurons.at(0).hotkey});
    o.v1.identities.push_back({"sn" + std::to_string(setup.second), setup.second,
                               std::make_shared<const keys::SecretString>(token_of(setup.second)),
                               recorded()->neurons.at(1).hotkey});
    if (setup.unfollowed_identity)
      o.v1.identities.push_back(
          {"sn" + std::to_string(*setup.unfollowed_identity), *setup.unfollowed_identity,
           std::make_shared<const keys::SecretString>(token_of(*setup.unfollowed_identity)),
           recorded()->neurons.at(2).hotkey});
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.workers = 4;
    RestDeps deps(first, setup.first);
    deps.chain = setup.chain && replay_node().stack ? replay_node().stack->chain.get() : nullptr;
    deps.build_hyperparams = setup.build_hyperparams;
    deps.build_commitments = false;
    deps.store = store.get();
    deps.writer = first_writer.get();
    SubnetDeps other;
    other.snapshots = &second;
    other.writer = second_writer.get();
    deps.subnets.emplace(setup.second, std::move(other));
    auto srv = Server::start(std::move(o), std::move(deps));
    EXPECT_TRUE(srv.ok()) << srv.error().message;
    if (srv.ok()) server = std::move(srv).value();
  }
  ~TwoSubnets() {
    server.reset();
    first_writer.reset();
    second_writer.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  HttpAnswer get(const std::string& target, const std::string& auth) {
    return http(server->port(), "GET", target, "", auth);
  }
  HttpAnswer put(const std::string& target, const std::string& body, const std::string& auth) {
    return http(server->port(), "PUT", target, body, auth);
  }

  std::array<std::uint16_t, 2> netuids;
  std::string dir;
  follower::SnapshotStore first{4}, second{4};
  std::unique_ptr<weights::Store> store;
  std::unique_ptr<weights::Writer> first_writer, second_writer;
  std::unique_ptr<Server> server;
};

std::size_t members(const std::string& body, const char* key) {
  Json j(body);
  if (!j.ok) return 0;
  simdjson::dom::object o;
  if (!j.root[key].get(o)) return o.size();
  simdjson::dom::array a;
  if (!j.root[key].get(a)) return a.size();
  return 0;
}

std::string member(const std::string& body, const char* key) {
  Json j(body);
  std::string_view v;
  if (!j.ok || j.root[key].get(v)) return "";
  return std::string(v);
}

// The replay node's answers to get_neurons_lite of `netuid`, counted (the recording answers).
struct NeuronReads {
  explicit NeuronReads(std::uint16_t netuid) {
    // The argument as the node's params canonically carry it: SCALE u16, hex with 0x.
    const Bytes le{static_cast<std::uint8_t>(netuid & 0xff), static_cast<std::uint8_t>(netuid >> 8)};
    const std::string arg = "\"" + to_hex(le) + "\"";
    replay_node().server->set_override(
        [this, arg](std::string_view method, std::string_view params) -> std::optional<std::string> {
          if (method == "state_call" &&
              params.find("NeuronInfoRuntimeApi_get_neurons_lite") != std::string_view::npos &&
              params.find(arg) != std::string_view::npos)
            count.fetch_add(1);
          return std::nullopt;
        });
  }
  ~NeuronReads() { replay_node().server->set_override({}); }
  NeuronReads(const NeuronReads&) = delete;
  NeuronReads& operator=(const NeuronReads&) = delete;
  std::atomic<int> count{0};
};

TEST(RestV1Subnets, EachIdentityReadsItsOwnSubnet) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t;
  ASSERT_TRUE(t.server);
  const struct {
    std::uint16_t netuid;
    std::size_t neurons;
    std::string self_hotkey, self_commitment;
  } cases[] = {{kNetuid, 1024, hotkey(0), "0xdeadbeef"}, {kOther, kOtherNeurons, hotkey(1), "0x0707"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.netuid);
    const auto auth = auth_of(c.netuid);
    auto neurons = t.get(id_prefix(c.netuid) + "/block/latest/neurons", auth);
    ASSERT_EQ(neurons.status, 200u) << neurons.body.substr(0, 300);
    EXPECT_EQ(members(neurons.body, "neurons"), c.neurons);
    // The open-access read of the same subnet is the same body.
    EXPECT_EQ(t.get(open_prefix(c.netuid) + "/block/latest/neurons", kOpenAuth).body, neurons.body);
    auto validators = t.get(id_prefix(c.netuid) + "/block/latest/validators", auth);
    ASSERT_EQ(validators.status, 200u);
    const auto& n = recorded()->neurons;
    EXPECT_EQ(
        members(validators.body, "validators"),
        static_cast<std::size_t>(std::count_if(n.begin(), n.begin() + static_cast<std::ptrdiff_t>(c.neurons),
                                               [](const auto& x) { return x.validator_permit; })));
    // {block}: the subnet's own kept snapshot.
    auto at =
        t.get(open_prefix(c.netuid) + "/block/" + std::to_string(kRecordedBlock) + "/neurons", kOpenAuth);
    ASSERT_EQ(at.status, 200u);
    EXPECT_EQ(members(at.body, "neurons"), c.neurons);
    auto recent = t.get(id_prefix(c.netuid) + "/block/recent/neurons", auth);
    ASSERT_EQ(recent.status, 200u);
    EXPECT_EQ(members(recent.body, "neurons"), c.neurons);
    // `self` is the identity's own hotkey, on its own subnet.
    auto self = t.get(id_prefix(c.netuid) + "/block/latest/commitments/self", auth);
    ASSERT_EQ(self.status, 200u) << self.body;
    EXPECT_EQ(member(self.body, "hotkey"), c.self_hotkey);
    EXPECT_EQ(member(self.body, "commitment"), c.self_commitment);
    auto all = t.get(open_prefix(c.netuid) + "/block/latest/commitments", kOpenAuth);
    ASSERT_EQ(all.status, 200u);
    EXPECT_EQ(members(all.body, "commitments"), 1u);
    EXPECT_NE(all.body.find(c.self_hotkey), std::string::npos);
  }
  // Neither subnet answers the other's commitment.
  EXPECT_EQ(t.get(open_prefix(kOther) + "/block/latest/commitments/" + hotkey(0), kOpenAuth).status, 404u);
  EXPECT_EQ(t.get(open_prefix(kNetuid) + "/block/latest/commitments/" + hotkey(1), kOpenAuth).status, 404u);
  // Both subnets' bodies are prepared at publish (each store has the server's listener).
  EXPECT_TRUE(t.server->wait_prepared(kOther, kRecordedBlock, std::chrono::seconds(10)));
  EXPECT_TRUE(t.server->wait_prepared(kNetuid, kRecordedBlock, std::chrono::seconds(10)));
  EXPECT_FALSE(t.server->wait_prepared(std::uint16_t{2}, kRecordedBlock, std::chrono::milliseconds(1)));
}

TEST(RestV1Subnets, PutWeightsLandUnderEachIdentitysNetuidThroughItsSubnetsWriter) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t;
  ASSERT_TRUE(t.server);
  auto a =
      t.put(id_prefix(kNetuid) + "/weights", "{\"weights\":{\"" + hotkey(2) + "\":0.5}}", auth_of(kNetuid));
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_EQ(a.body, "{\"detail\":\"weights update scheduled\",\"count\":1}");
  auto b = t.put(id_prefix(kOther) + "/weights",
                 "{\"weights\":{\"" + hotkey(3) + "\":0.25,\"" + hotkey(4) + "\":0.75}}", auth_of(kOther));
  ASSERT_EQ(b.status, 200u) << b.body;
  EXPECT_EQ(b.body, "{\"detail\":\"weights update scheduled\",\"count\":2}");
  // Each subnet's epoch by its own netuid (tempo 360 from the snapshot): they differ, so a write
  // under the wrong netuid or epoch would not be found below.
  auto e1 = committer::epoch_by_formula(kNetuid, kTempo, kRecordedBlock);
  auto e7 = committer::epoch_by_formula(kOther, kTempo, kRecordedBlock);
  ASSERT_TRUE(e1.ok() && e7.ok());
  ASSERT_NE(e1->start, e7->start);
  auto w1 = t.store->weights({kNetuid}, e1->start, 0);
  auto w7 = t.store->weights({kOther}, e7->start, 0);
  ASSERT_TRUE(w1.ok() && w7.ok());
  const auto account = [](std::size_t i) { return recorded()->neurons.at(i).hotkey; };
  EXPECT_EQ(*w1, (std::map<AccountId, double>{{account(2), 0.5}}));
  EXPECT_EQ(*w7, (std::map<AccountId, double>{{account(3), 0.25}, {account(4), 0.75}}));
  // Nothing crossed: neither netuid holds the other's epoch.
  EXPECT_TRUE(t.store->weights({kNetuid}, e7->start, 0)->empty());
  EXPECT_TRUE(t.store->weights({kOther}, e1->start, 0)->empty());
  // Each went through its own subnet's Writer.
  EXPECT_EQ(t.first_writer->stats().batches, 1u);
  EXPECT_EQ(t.second_writer->stats().batches, 1u);
}

TEST(RestV1Subnets, AnIdentitysTokenNeverOpensTheOtherIdentitysRoutes) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t;
  ASSERT_TRUE(t.server);
  const std::string forbidden = v1_error(403, "Invalid authorization token");
  for (const auto& [path, auth] :
       {std::pair{id_prefix(kOther) + "/block/latest/neurons", auth_of(kNetuid)},
        std::pair{id_prefix(kNetuid) + "/block/latest/neurons", auth_of(kOther)},
        std::pair{id_prefix(kOther) + "/block/latest/commitments/self", auth_of(kNetuid)},
        std::pair{id_prefix(kNetuid) + "/block/latest/neurons", kOpenAuth},
        std::pair{open_prefix(kOther) + "/block/latest/neurons", auth_of(kOther)}}) {
    auto a = t.get(path, auth);
    EXPECT_EQ(a.status, 403u) << path << " with " << auth;
    EXPECT_EQ(a.body, forbidden) << path;
  }
  // A write with the other identity's token changes nothing.
  auto w =
      t.put(id_prefix(kNetuid) + "/weights", "{\"weights\":{\"" + hotkey(2) + "\":0.5}}", auth_of(kOther));
  EXPECT_EQ(w.status, 403u);
  EXPECT_EQ(t.first_writer->stats().batches + t.second_writer->stats().batches, 0u);
  // The identity's own token on the other subnet's netuid: redirected to its own.
  auto r = t.get("/api/v1/identity/sn1/subnet/7/block/latest/neurons", auth_of(kNetuid));
  EXPECT_EQ(r.status, 308u);
  EXPECT_EQ(r.body, v1_error(308, "Identity 'sn1' is on subnet 1"));
  auto identities = t.get("/api/v1/identities", "");
  EXPECT_EQ(identities.body, "{\"identities\":{\"sn1\":1,\"sn7\":7}}");
}

TEST(RestV1Subnets, AnotherSubnetIsReadFromTheChainOncePerBlock) {
  PYLON_REST_REQUIRE_SHARED();
  // Followed: 3 and 7 (copies of the recording); subnet 1 is the recording itself, not followed.
  TwoSubnets t({.first = 3, .second = kOther});
  ASSERT_TRUE(t.server);
  NeuronReads reads(1);
  // Concurrent first reads share one build.
  std::vector<HttpAnswer> answers(8);
  {
    std::vector<std::thread> clients;
    for (auto& a : answers)
      clients.emplace_back([&t, &a] { a = t.get(open_prefix(1) + "/block/latest/validators", kOpenAuth); });
    for (auto& c : clients) c.join();
  }
  // The recording has no get_subnet_state answer: the subnet read from the chain has no stakes
  // (the followed copies were given some) and says why, naming the read of subnet 1 (0x0100).
  const std::string no_stakes = answers[0].body;
  EXPECT_EQ(answers[0].status, 503u);
  EXPECT_EQ(member(no_stakes, "detail").rfind("Neuron stakes are not known at block 6852690: ", 0), 0u)
      << no_stakes;
  EXPECT_NE(no_stakes.find("SubnetInfoRuntimeApi_get_subnet_state"), std::string::npos) << no_stakes;
  EXPECT_NE(no_stakes.find("0x0100"), std::string::npos) << no_stakes;
  for (const auto& a : answers) EXPECT_EQ(a.body, no_stakes);
  EXPECT_EQ(t.get(open_prefix(1) + "/block/latest/neurons", kOpenAuth).body, no_stakes);
  EXPECT_EQ(t.get(open_prefix(1) + "/block/6852690/neurons", kOpenAuth).body, no_stakes);
  auto commitments = t.get(open_prefix(1) + "/block/latest/commitments", kOpenAuth);
  EXPECT_EQ(commitments.status, 503u);
  EXPECT_NE(commitments.body.find("commitments are not known"), std::string::npos) << commitments.body;
  EXPECT_EQ(reads.count.load(), 1) << "one build of subnet 1 at the head block, then the cache";
  // The followed subnets are not read from the chain.
  EXPECT_EQ(t.get(open_prefix(3) + "/block/latest/validators", kOpenAuth).status, 200u);
  EXPECT_EQ(t.get(open_prefix(kOther) + "/block/latest/validators", kOpenAuth).status, 200u);
  // Past the head: the contract's 404, no read.
  EXPECT_EQ(t.get(open_prefix(1) + "/block/6852691/neurons", kOpenAuth).body,
            v1_error(404, "Block 6852691 not found."));
  // Recent neurons are cached for followed subnets only (§6.4).
  EXPECT_EQ(t.get(open_prefix(1) + "/block/recent/neurons", kOpenAuth).status, 503u);
  EXPECT_EQ(reads.count.load(), 1);
  // A subnet the recording has nothing of: the node's error is a 502, never an empty answer.
  auto failed = t.get(open_prefix(2) + "/block/latest/neurons", kOpenAuth);
  EXPECT_EQ(failed.status, 502u);
  EXPECT_EQ(member(failed.body, "detail").rfind("reading block 6852690: ", 0), 0u) << failed.body;
  // No subnet has a netuid past u16.
  EXPECT_EQ(t.get(open_prefix(70000) + "/block/latest/neurons", kOpenAuth).body,
            v1_error(404, "Subnet 70000 does not exist (netuids are 0..65535)"));
}

TEST(RestV1Subnets, ASubnetTheChainSaysIsAbsentIs404) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t({.build_hyperparams = true});
  ASSERT_TRUE(t.server);
  // Subnet 9 at the recorded block: no neurons, and its hyperparameters are None.
  replay_node().server->set_override(
      [](std::string_view method, std::string_view params) -> std::optional<std::string> {
        if (method == "state_call" && params.find("\"0x0900\"") != std::string_view::npos) return "\"0x00\"";
        return std::nullopt;
      });
  auto a = t.get(open_prefix(9) + "/block/latest/neurons", kOpenAuth);
  auto at = t.get(open_prefix(9) + "/block/6852690/validators", kOpenAuth);
  replay_node().server->set_override({});
  EXPECT_EQ(a.body, v1_error(404, "subnet 9 does not exist at #6852690"));
  EXPECT_EQ(at.body, v1_error(404, "Block 6852690 not found."));
}

TEST(RestV1Subnets, HealthAndMetricsTellEachFollowedSubnet) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t;
  ASSERT_TRUE(t.server);
  t.second.mark_stale("the node is gone");
  auto health = t.get("/health", "");
  ASSERT_EQ(health.status, 200u) << health.body;  // the default subnet's readiness, as before
  Json h(health.body);
  ASSERT_TRUE(h.ok);
  EXPECT_EQ(h.root["block"].get_uint64().value_unsafe(), kRecordedBlock);
  simdjson::dom::array subnets;
  ASSERT_FALSE(h.root["subnets"].get(subnets)) << health.body;
  ASSERT_EQ(subnets.size(), 1u);
  simdjson::dom::element other = subnets.at(0);
  EXPECT_EQ(other["netuid"].get_uint64().value_unsafe(), kOther);
  EXPECT_EQ(other["status"].get_string().value_unsafe(), "ok");
  EXPECT_EQ(other["block"].get_uint64().value_unsafe(), kRecordedBlock);
  EXPECT_EQ(other["stale_reason"].get_string().value_unsafe(), "the node is gone");
  auto metrics = t.get("/metrics", "");
  ASSERT_EQ(metrics.status, 200u);
  for (const char* line :
       {"pylon_subnet_snapshot_block{netuid=\"1\"} 6852690\n",
        "pylon_subnet_snapshot_block{netuid=\"7\"} 6852690\n", "# TYPE pylon_subnet_commit_blocked gauge\n"})
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line;
  // No committer in this set-up: no commit samples.
  EXPECT_EQ(metrics.body.find("pylon_subnet_commit_blocked{"), std::string::npos);
}

TEST(RestV1Subnets, AnIdentityOnASubnetNotFollowedCannotWrite) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t({.unfollowed_identity = 9});
  ASSERT_TRUE(t.server);
  const std::string refused = v1_error(503, "subnet 9 of identity 'sn9' is not followed by this Pylon");
  auto w = t.put(id_prefix(9) + "/weights", "{\"weights\":{\"" + hotkey(2) + "\":0.5}}", auth_of(9));
  EXPECT_EQ(w.body, refused);
  auto c =
      http(t.server->port(), "POST", id_prefix(9) + "/commitments", "{\"commitment\":\"0x01\"}", auth_of(9));
  EXPECT_EQ(c.body, refused);
  EXPECT_EQ(t.first_writer->stats().batches + t.second_writer->stats().batches, 0u);
}

TEST(RestV1Subnets, WithoutAChainAnotherSubnetIsNotFollowed) {
  PYLON_REST_REQUIRE_SHARED();
  TwoSubnets t({.chain = false});
  ASSERT_TRUE(t.server);
  EXPECT_EQ(t.get(open_prefix(2) + "/block/latest/neurons", kOpenAuth).body,
            v1_error(404, "Subnet 2 is not followed by this Pylon (it follows subnets 1, 7)"));
  // The followed ones need no chain.
  EXPECT_EQ(t.get(open_prefix(kOther) + "/block/latest/neurons", kOpenAuth).status, 200u);
}

// A subnet nobody read within the idle time is not rendered and compressed at publish (a daemon
// following many subnets for a few readers); one read within it is, and a request still renders
// a snapshot that was not prepared.
TEST(SubnetContextPrepare, OnlySubnetsReadWithinTheIdleTimeArePreparedAtPublish) {
  follower::SnapshotStore store(4);
  store.publish(subnet_snapshot(kOther, kOtherNeurons, 100, 1, {0x01}));
  SubnetDeps parts;
  parts.snapshots = &store;

  SubnetContext never(kOther, parts, 2, std::chrono::nanoseconds(0));  // every read is already too old
  never.prepare_latest();
  EXPECT_FALSE(never.wait_prepared(kRecordedBlock, std::chrono::milliseconds(0)));
  auto r = never.latest();  // a request renders it anyway
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->prepared());

  SubnetContext read(kOther, parts, 2, std::chrono::hours(1));  // read at construction, within the hour
  read.prepare_latest();
  EXPECT_TRUE(read.wait_prepared(kRecordedBlock, std::chrono::milliseconds(0)));
  EXPECT_TRUE(read.latest()->prepared());
}

}  // namespace
}  // namespace pylon::rest::test

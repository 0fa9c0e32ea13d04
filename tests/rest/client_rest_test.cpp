// pylon::Client (shm-client/include/pylon/client/rest.hpp) over REST against the real REST server
// serving the recorded finney snapshot (1024 neurons at block 6852690): the snapshot it parses
// from /metagraph, /hyperparams and /get_commitments equals what the daemon writes into the
// segment for the same snapshot (shm::to_snapshot_data), weights pushed by uid and by hotkey land
// in the store, bad input is refused before anything is sent, and malformed answers are errors.
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <limits>
#include <map>
#include <thread>

#include "codec/ss58.hpp"
#include "pylon/client/rest.hpp"
#include "rest_test_support.hpp"
#include "shm/from_snapshot.hpp"
#include "shm/snapshot_writer.hpp"

namespace pylon::rest::test {
namespace {

constexpr std::uint64_t kEpoch = 6852499;  // the epoch holding the recorded block (tempo 360)

Client connect_rest(const Harness& h) {
  ClientOptions o;
  o.netuid = kNetuid;
  o.shm_name = "pylon-client-rest-test-absent";  // Prefer::automatic falls back to REST
  o.rest_url = "http://127.0.0.1:" + std::to_string(h.port());
  auto c = Client::connect(o);
  EXPECT_TRUE(c.ok()) << c.message();
  EXPECT_EQ(c->transport(), Transport::rest);
  return std::move(c).value();
}

std::size_t stored_count(Harness& h) {
  auto w = h.store->weights({kNetuid}, kEpoch);
  return w.ok() ? w->size() : 0;
}

TEST(ClientRest, SnapshotEqualsTheSegmentsRecordsOfTheSameSnapshot) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  Client c = connect_rest(h);
  auto got = c.snapshot();
  ASSERT_TRUE(got.ok()) << got.message();
  const SnapshotPtr& snap = *got;
  auto want = shm::to_snapshot_data(*recorded());
  ASSERT_TRUE(want.ok()) << want.error().message;

  EXPECT_EQ(snap->block, want->block_number);
  EXPECT_EQ(snap->block_hash_bytes, want->block_hash);
  ASSERT_EQ(snap->neurons.size(), want->neurons.size());
  ASSERT_EQ(snap->neurons.size(), 1024u);
  for (std::size_t i = 0; i < want->neurons.size(); ++i) {
    const shm::NeuronRecord& r = snap->neurons[i];
    const shm::NeuronRecord& n = want->neurons[i];
    SCOPED_TRACE("uid " + std::to_string(i));
    EXPECT_EQ(r.uid, n.uid);
    EXPECT_EQ(0, std::memcmp(r.hotkey, n.hotkey, 32));
    EXPECT_EQ(0, std::memcmp(r.coldkey, n.coldkey, 32));
    EXPECT_EQ(r.stake, n.stake);
    EXPECT_EQ(r.emission, n.emission);
    EXPECT_EQ(r.rank, n.rank);
    EXPECT_EQ(r.trust, n.trust);
    EXPECT_EQ(r.validator_trust, n.validator_trust);
    EXPECT_EQ(r.consensus, n.consensus);
    EXPECT_EQ(r.incentive, n.incentive);
    EXPECT_EQ(r.dividends, n.dividends);
    EXPECT_EQ(r.last_update, n.last_update);
    EXPECT_EQ(r.pruning_score, n.pruning_score);
    EXPECT_EQ(r.validator_permit, n.validator_permit);
    EXPECT_EQ(r.active, n.active);
    EXPECT_EQ(r.axon_port, n.axon_port);
    EXPECT_EQ(r.axon_protocol, n.axon_protocol);
    const bool zero_ip =
        std::all_of(std::begin(n.axon_ip), std::end(n.axon_ip), [](std::uint8_t b) { return b == 0; });
    EXPECT_EQ(r.axon_ip_type, zero_ip ? 0 : n.axon_ip_type);
    EXPECT_EQ(0, std::memcmp(r.axon_ip, n.axon_ip, 16));
  }
  EXPECT_EQ(0, std::memcmp(&snap->hyperparams, &want->hyperparams, sizeof(shm::Hyperparams)));
  EXPECT_EQ(snap->hyperparams.tempo, kTempo);
  ASSERT_EQ(snap->commitments.size(), want->commitments.size());
  for (std::size_t i = 0; i < want->commitments.size(); ++i) {
    EXPECT_EQ(snap->commitments[i].hotkey, want->commitments[i].hotkey);
    EXPECT_EQ(snap->commitments[i].data, want->commitments[i].data);
  }
  // hotkey(uid) / uid_of(ss58) round-trip through the SS58 text the daemon prints.
  const std::string hk = codec::ss58_encode(recorded()->neurons.at(7).hotkey);
  EXPECT_EQ(*snap->hotkey(7), hk);
  EXPECT_EQ(*snap->uid_of(hk), 7);
  EXPECT_EQ(snap->hotkey(1024).code(), shm::Errc::out_of_range);
  EXPECT_EQ(snap->uid_of(hk.substr(1)).code(), shm::Errc::invalid_argument);
  EXPECT_EQ(snap->block_hash().size(), 66u);
}

TEST(ClientRest, WeightsByUidAndHotkeyLandInTheStore) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  Client c = connect_rest(h);
  std::map<WeightKey, double> w{
      {0, 0.5}, {3, 1.0}, {codec::ss58_encode(recorded()->neurons.at(9).hotkey), 2.5}};
  auto seq = c.push_weights(w);
  ASSERT_TRUE(seq.ok()) << seq.message();
  EXPECT_EQ(*seq, 1u);
  EXPECT_TRUE(c.wait_durable(*seq, std::chrono::seconds(1)).ok());
  EXPECT_EQ(c.wait_durable(2, std::chrono::seconds(1)).code(), shm::Errc::invalid_argument);
  auto stored = h.store->weights({kNetuid}, kEpoch);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 3u);
  EXPECT_EQ(stored->at(recorded()->neurons.at(0).hotkey), 0.5);
  EXPECT_EQ(stored->at(recorded()->neurons.at(3).hotkey), 1.0);
  EXPECT_EQ(stored->at(recorded()->neurons.at(9).hotkey), 2.5);
}

TEST(ClientRest, BadItemsAreRefusedAndNothingIsSent) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h;
  Client c = connect_rest(h);
  const std::string good = codec::ss58_encode(recorded()->neurons.at(1).hotkey);
  std::string bad_checksum = good;
  bad_checksum.back() = bad_checksum.back() == 'a' ? 'b' : 'a';
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::vector<std::pair<WeightKey, double>>, shm::Errc>> cases = {
      {{{0, 1.0}, {1, std::nan("")}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {1, inf}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {1, -inf}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {1, -0.5}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {1, 1.5e15}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {bad_checksum, 1.0}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {codec::ss58_encode(recorded()->neurons.at(1).hotkey, 0), 1.0}},
       shm::Errc::invalid_argument},
      {{{0, 1.0}, {"not an address", 1.0}}, shm::Errc::invalid_argument},
      {{{0, 1.0}, {1024, 1.0}}, shm::Errc::out_of_range},
      {{{0, 1.0}, {-1, 1.0}}, shm::Errc::out_of_range},
      {{}, shm::Errc::invalid_argument},
  };
  for (const auto& [items, errc] : cases) {
    auto seq = c.push_weights(items);
    EXPECT_EQ(seq.code(), errc) << seq.message();
  }
  EXPECT_EQ(stored_count(h), 0u);
  // The largest weight and a hotkey key are fine.
  auto seq = c.push_weights(std::vector<std::pair<WeightKey, double>>{{good, 1e15}});
  ASSERT_TRUE(seq.ok()) << seq.message();
  EXPECT_EQ(stored_count(h), 1u);
}

TEST(ClientRest, HttpStatusesAreErrcsAndTheTokenIsSent) {
  PYLON_REST_REQUIRE_SHARED();
  RestOptions o;
  o.auth_token = "client-test-token";
  Harness h(o);
  ClientOptions co;
  co.prefer = Prefer::rest;
  co.rest_url = "http://127.0.0.1:" + std::to_string(h.port());
  auto without = Client::connect(co);
  ASSERT_TRUE(without.ok());
  auto pushed = without->push_weights(
      std::vector<std::pair<WeightKey, double>>{{codec::ss58_encode(recorded()->neurons.at(1).hotkey), 1.0}});
  EXPECT_EQ(pushed.code(), shm::Errc::permission) << pushed.message();
  EXPECT_EQ(std::string(pushed.message()).find("client-test-token"), std::string::npos);
  co.token = "client-test-token";
  auto with = Client::connect(co);
  pushed = with->push_weights(
      std::vector<std::pair<WeightKey, double>>{{codec::ss58_encode(recorded()->neurons.at(1).hotkey), 1.0}});
  EXPECT_TRUE(pushed.ok()) << pushed.message();
  // Nothing listening: not_found, as when the segment is absent.
  co.rest_url = "http://127.0.0.1:1";
  auto nobody = Client::connect(co);
  EXPECT_EQ(nobody->snapshot().code(), shm::Errc::not_found);
  co.rest_url = "https://127.0.0.1:8000";
  EXPECT_EQ(Client::connect(co).code(), shm::Errc::invalid_argument);
}

TEST(ClientRest, WaitForBlockAnswersTheNextSnapshot) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  Client c = connect_rest(h);
  EXPECT_EQ(c.wait_for_block(kRecordedBlock, std::chrono::milliseconds(300)).code(), shm::Errc::timeout);
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 1));
  auto next = c.wait_for_block(kRecordedBlock, std::chrono::seconds(30));
  ASSERT_TRUE(next.ok()) << next.message();
  EXPECT_EQ((*next)->block, kRecordedBlock + 1);
  // Waiting for a block not there yet parks one long-poll on the server (no polling on a timer),
  // and the publish answers it.
  auto waiting = std::async(std::launch::async,
                            [&c] { return c.wait_for_block(kRecordedBlock + 1, std::chrono::seconds(60)); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (h.server->long_polls_parked() != 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(h.server->long_polls_parked(), 1u);
  h.snapshots.publish(at_block(*recorded(), kRecordedBlock + 2));
  auto woke = waiting.get();
  ASSERT_TRUE(woke.ok()) << woke.message();
  EXPECT_EQ((*woke)->block, kRecordedBlock + 2);
}

// A snapshot the client handed out is immutable: the same one comes back while no newer block was
// published (nothing copied or fetched again), and one held keeps its block and rows when a newer
// block, with other rows, is published and read.
void expect_held_snapshots_stay(Client& c, const std::function<void()>& publish_next) {
  auto first = c.snapshot();
  ASSERT_TRUE(first.ok()) << first.message();
  const SnapshotPtr held = *first;
  const ClientSnapshot before = *held;  // a deep copy to compare with
  auto again = c.snapshot();
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(again->get(), held.get());
  publish_next();
  auto next = c.wait_for_block(before.block, std::chrono::seconds(30));
  ASSERT_TRUE(next.ok()) << next.message();
  EXPECT_NE(next->get(), held.get());
  EXPECT_EQ((*next)->block, before.block + 1);
  EXPECT_NE((*next)->neurons.at(0).last_update, before.neurons.at(0).last_update);
  EXPECT_EQ(held->block, before.block);
  EXPECT_EQ(held->block_hash_bytes, before.block_hash_bytes);
  ASSERT_EQ(held->neurons.size(), before.neurons.size());
  EXPECT_EQ(0, std::memcmp(held->neurons.data(), before.neurons.data(),
                           before.neurons.size() * sizeof(shm::NeuronRecord)));
  auto latest = c.snapshot();
  ASSERT_TRUE(latest.ok()) << latest.message();
  EXPECT_EQ(latest->get(), next->get());
}

TEST(ClientRest, HeldSnapshotsNeverChangeAndAreReusedWhileUnchangedOverShm) {
  PYLON_REST_REQUIRE_SHARED();
  shm::SnapshotWriterConfig sc;
  sc.name = "pylon-client-held-" + std::to_string(::getpid());
  sc.netuid = kNetuid;
  auto w = shm::SnapshotWriter::create(sc);
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto data = shm::to_snapshot_data(*recorded());
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_TRUE((*w)->publish(*data).ok());
  ClientOptions o;
  o.shm_name = sc.name;
  o.prefer = Prefer::shm;
  auto c = Client::connect(o);
  ASSERT_TRUE(c.ok()) << c.message();
  expect_held_snapshots_stay(*c, [&] {
    data->block_number += 1;
    data->block_hash[31] ^= 1;
    data->neurons.at(0).last_update += 12345;
    ASSERT_TRUE((*w)->publish(*data).ok());
  });
  (*w)->close();
}

TEST(ClientRest, HeldSnapshotsNeverChangeAndAreReusedWhileUnchangedOverRest) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  Client c = connect_rest(h);
  expect_held_snapshots_stay(c, [&] {
    auto next = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock + 1));
    next->neurons.at(0).last_update += 12345;
    h.snapshots.publish(std::move(next));
  });
}

// The parser on answers that do not fit: each an error naming the part, never a partial result.
TEST(ClientRest, MalformedAnswersAreCorrupt) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h({}, false);
  const std::string metagraph = h.get("/metagraph").body;
  client_detail::RestParser p;
  ClientSnapshot s;
  ASSERT_TRUE(p.metagraph(metagraph, s).ok());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string m = metagraph;
    const std::size_t at = m.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? m : m.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      metagraph.substr(0, metagraph.size() / 2),
      replaced("\"uid\":1,", "\"uid\":0,"),     // a duplicate uid
      replaced("\"uid\":1,", "\"uid\":1024,"),  // beyond the count
      replaced("\"stake\":", "\"stake\":-"),
      replaced("\"rank\":", "\"rank\":2"),
      replaced("\"ip\":\"", "\"ip\":\"x"),
      replaced("\"port\":", "\"port\":9"),
      replaced("\"coldkey\":\"5", "\"coldkey\":\"6"),
      replaced("\"block_hash\":\"0x", "\"block_hash\":\"0xz"),
      "[]",
      "",
  };
  for (const std::string& b : bad) {
    ClientSnapshot out;
    shm::ShmStatus st = p.metagraph(b, out);
    EXPECT_EQ(st.code(), shm::Errc::corrupt) << b.substr(0, 80);
  }
  shm::Hyperparams hp{};
  EXPECT_EQ(p.hyperparams(R"({"tempo":"360"})", hp).code(), shm::Errc::corrupt);
  EXPECT_EQ(p.hyperparams(R"({"tempo":-1})", hp).code(), shm::Errc::corrupt);
  EXPECT_TRUE(p.hyperparams(R"({"tempo":70000,"other":[1]})", hp).ok());
  EXPECT_EQ(hp.tempo, 65535);  // clamped, as the segment does
  std::vector<ClientCommitment> cs;
  EXPECT_EQ(p.commitments(R"({"x":"0x00"})", cs).code(), shm::Errc::corrupt);
  EXPECT_EQ(
      p.commitments("{\"" + codec::ss58_encode(recorded()->neurons.at(0).hotkey) + "\":\"0x0\"}", cs).code(),
      shm::Errc::corrupt);
  EXPECT_EQ(p.latest_block(R"({"block":1.5})").code(), shm::Errc::corrupt);
}

}  // namespace
}  // namespace pylon::rest::test

namespace pylon::rest::test {
namespace {

std::string seed(const char* name) {
  std::ifstream in(std::string(PYLON_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_client_rest/" + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The fuzz target's seeds are answers of each kind that parse (so the fuzzer starts past the
// checks), including an IPv6 axon, an absent one and hyperparameters beyond the segment's.
TEST(ClientRest, FuzzSeedsAreValidAnswers) {
  client_detail::RestParser p;
  ClientSnapshot s;
  ASSERT_TRUE(p.metagraph(seed("metagraph.json"), s).ok());
  ASSERT_EQ(s.neurons.size(), 3u);
  EXPECT_EQ(s.neurons[0].axon_ip_type, 0);
  EXPECT_EQ(s.neurons[1].axon_ip_type, 4);
  EXPECT_EQ(s.neurons[1].axon_ip[0], 192);
  EXPECT_EQ(s.neurons[2].axon_ip_type, 6);
  EXPECT_EQ(s.neurons[2].stake, 1234567891234u);
  EXPECT_EQ(s.neurons[2].rank, 32768);
  EXPECT_EQ(s.neurons[2].validator_trust, 65534);
  EXPECT_EQ(s.neurons[0].validator_permit, 1);
  EXPECT_TRUE(p.hyperparams(seed("hyperparams.json"), s.hyperparams).ok());
  EXPECT_EQ(s.hyperparams.max_difficulty, UINT64_MAX);
  EXPECT_EQ(s.hyperparams.registration_allowed, 1);
  ASSERT_TRUE(p.commitments(seed("commitments.json"), s.commitments).ok());
  ASSERT_EQ(s.commitments.size(), 2u);
  EXPECT_EQ(s.commitments[0].data, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(*p.latest_block(seed("latest_block.json")), 6852690u);
  EXPECT_EQ(p.detail(seed("error_detail.json")), "weights: 1 hotkey is not in the metagraph");
}

}  // namespace
}  // namespace pylon::rest::test

namespace pylon::rest::test {
namespace {

std::string source_file(const std::string& path) {
  std::ifstream in(std::string(PYLON_SOURCE_DIR) + "/" + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The README shows the example the e2e test runs, verbatim.
TEST(ClientRest, ReadmeShowsTheExampleItRuns) {
  const std::string example = source_file("shm-client/examples/client_example.cpp");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(source_file("shm-client/README.md").find("```cpp\n" + example + "```"), std::string::npos);
}

}  // namespace
}  // namespace pylon::rest::test

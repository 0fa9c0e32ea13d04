// pylon::Client (shm-client/include/pylon/client/rest.hpp) on the real daemon and the real local
// chain, on the REST daemon suite's shared daemon (no daemon start of its own): the same code over
// shm and over REST. The shm snapshot equals REST /metagraph at the same block, weights pushed by
// uid and by hotkey land in /raw_weights, and the README example (client_example.cpp) runs both
// ways.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <string>

#include "../common/poll_until.hpp"
#include "pylon/client/rest.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

ClientOptions options_for(const DaemonProcess& d, std::uint16_t netuid, Transport t) {
  ClientOptions o;
  o.netuid = netuid;
  // Over REST through Prefer::automatic's fallback: the named segment does not exist.
  o.shm_name = t == Transport::shm ? d.shm_name() : d.shm_name() + "-absent";
  o.rest_url = "http://127.0.0.1:" + std::to_string(d.port());
  return o;
}

// /raw_weights of the current epoch (of `mechanism`), hotkey -> weight.
std::map<std::string, double> raw_weights(std::uint16_t port, unsigned mechanism = 0) {
  std::map<std::string, double> out;
  HttpAnswer a = http(
      port, "GET", mechanism == 0 ? "/raw_weights" : "/raw_weights?mechanism=" + std::to_string(mechanism));
  Json j(a.body);
  simdjson::dom::object w;
  if (a.status != 200 || !j.ok || j.root["weights"].get_object().get(w)) return out;
  for (auto [k, v] : w) {
    double d = -1;
    if (!v.get_double().get(d)) out[std::string(k)] = d;
  }
  return out;
}

// The daemon's count of refused queue entries (/metrics), -1 when it has none.
double rejected_queue_entries(std::uint16_t port) {
  const std::string body = http(port, "GET", "/metrics").body;
  const std::string key = "\npylon_weights_queue_entries_total{outcome=\"rejected\"} ";
  const std::size_t at = body.find(key);
  return at == std::string::npos ? -1 : std::stod(body.substr(at + key.size()));
}

TEST_F(RestDaemonLocalnet, CppClientSnapshotEqualsRestMetagraphAtTheSameBlock) {
  caught_up(*d, *probe);
  auto shm_client = Client::connect(options_for(*d, netuid, Transport::shm));
  ASSERT_TRUE(shm_client.ok()) << shm_client.message();
  ASSERT_EQ(shm_client->transport(), Transport::shm);
  auto rest_client = Client::connect(options_for(*d, netuid, Transport::rest));
  ASSERT_TRUE(rest_client.ok()) << rest_client.message();
  ASSERT_EQ(rest_client->transport(), Transport::rest);

  auto got_shm = shm_client->snapshot();
  ASSERT_TRUE(got_shm.ok()) << got_shm.message();
  const SnapshotPtr& over_shm = *got_shm;
  ASSERT_GE(over_shm->neurons.size(), 2u);
  // /metagraph/<block> is the same block's metagraph, whatever the head is by now.
  HttpAnswer mg = http(d->port(), "GET", "/metagraph/" + std::to_string(over_shm->block));
  ASSERT_EQ(mg.status, 200) << mg.body;
  client_detail::RestParser parser;
  ClientSnapshot at_block;
  ASSERT_TRUE(parser.metagraph(mg.body, at_block).ok());
  EXPECT_EQ(at_block.block, over_shm->block);
  EXPECT_EQ(at_block.block_hash(), over_shm->block_hash());
  ASSERT_EQ(at_block.neurons.size(), over_shm->neurons.size());
  for (std::size_t i = 0; i < at_block.neurons.size(); ++i) {
    shm::NeuronRecord r = over_shm->neurons[i];
    r.axon_version = 0;  // the REST API does not print it
    EXPECT_EQ(0, std::memcmp(&r, &at_block.neurons[i], sizeof r)) << "uid " << i;
  }
  // The REST client's whole snapshot (hyperparams and commitments too), when at the same block.
  auto got_rest = rest_client->snapshot();
  ASSERT_TRUE(got_rest.ok()) << got_rest.message();
  const SnapshotPtr& over_rest = *got_rest;
  if (over_rest->block == over_shm->block) {
    EXPECT_EQ(0, std::memcmp(&over_rest->hyperparams, &over_shm->hyperparams, sizeof(shm::Hyperparams)));
    ASSERT_EQ(over_rest->commitments.size(), over_shm->commitments.size());
    for (std::size_t i = 0; i < over_rest->commitments.size(); ++i) {
      EXPECT_EQ(over_rest->commitments[i].hotkey, over_shm->commitments[i].hotkey);
      EXPECT_EQ(over_rest->commitments[i].data, over_shm->commitments[i].data);
    }
  }
  EXPECT_EQ(over_rest->hyperparams.tempo, over_shm->hyperparams.tempo);
  EXPECT_EQ(*over_shm->uid_of(*over_shm->hotkey(1)), 1);
}

// The same push code over each transport: by uid and by hotkey, into /raw_weights; a bad batch
// (one NaN) pushes nothing; a push for mechanism 1 lands there or is refused as the chain says.
TEST_F(RestDaemonLocalnet, CppClientWeightsLandInRawWeightsOverShmAndRest) {
  caught_up(*d, *probe);
  double base = 100.25;
  for (Transport t : {Transport::shm, Transport::rest}) {
    SCOPED_TRACE(t == Transport::shm ? "shm" : "rest");
    auto c = Client::connect(options_for(*d, netuid, t));
    ASSERT_TRUE(c.ok()) << c.message();
    ASSERT_EQ(c->transport(), t);
    auto read = c->snapshot();
    ASSERT_TRUE(read.ok()) << read.message();
    const SnapshotPtr& snap = *read;
    const std::size_t last = snap->neurons.size() - 1;
    const std::string hk0 = *snap->hotkey(0), hk_last = *snap->hotkey(last);
    auto bad = c->push_weights(std::map<WeightKey, double>{{hk0, base + 7}, {last, std::nan("")}});
    EXPECT_EQ(bad.code(), shm::Errc::invalid_argument);
    auto seq = c->push_weights(std::map<WeightKey, double>{{hk0, base}, {last, base + 1}});
    ASSERT_TRUE(seq.ok()) << seq.message();
    ASSERT_TRUE(c->wait_durable(*seq, std::chrono::seconds(10)).ok());
    auto got = raw_weights(d->port());
    EXPECT_EQ(got[hk0], base);
    EXPECT_EQ(got[hk_last], base + 1);
    // Mechanism 1, as the chain decides (MechanismCountCurrent, through the daemon's REST check):
    // stored under it when the local subnet has it; otherwise REST refuses at once, and the daemon
    // refuses the shm entry (counted) while it still becomes durable. Mechanism 0 is untouched.
    const bool has_mechanism_1 = http(d->port(), "GET", "/raw_weights?mechanism=1").status != 400;
    const double rejected = rejected_queue_entries(d->port());
    auto m1 = c->push_weights(std::map<WeightKey, double>{{hk0, base + 5}}, std::chrono::seconds(10), 1);
    if (has_mechanism_1 || t == Transport::shm) {
      ASSERT_TRUE(m1.ok()) << m1.message();
      ASSERT_TRUE(c->wait_durable(*m1, std::chrono::seconds(10)).ok());
      if (has_mechanism_1) {
        EXPECT_EQ(raw_weights(d->port(), 1)[hk0], base + 5);
      } else {
        // Counted once the writer's round ends, just after the entry became durable.
        EXPECT_TRUE(
            ::pylon::test::poll_until([&] { return rejected_queue_entries(d->port()) == rejected + 1; },
                                      std::chrono::seconds(10), std::chrono::milliseconds(20)))
            << rejected_queue_entries(d->port()) << " rejected, was " << rejected;
      }
    } else {
      EXPECT_EQ(m1.code(), shm::Errc::invalid_argument) << m1.message();
      EXPECT_NE(std::string(m1.message()).find("mechanism 1"), std::string::npos) << m1.message();
    }
    EXPECT_EQ(raw_weights(d->port())[hk0], base);
    base += 10;
  }
}

std::string run(const std::string& cmd, int& status) {
  std::string out;
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  status = ::pclose(pipe);
  return out;
}

// The README's C++ example, built as a program, over shm and over REST.
TEST_F(RestDaemonLocalnet, CppClientReadmeExampleRunsBothWays) {
#ifndef PYLON_CLIENT_EXAMPLE
  GTEST_SKIP() << "the pylon::Client example is not built (Boost or simdjson missing)";
#else
  caught_up(*d, *probe);
  for (Transport t : {Transport::shm, Transport::rest}) {
    const ClientOptions o = options_for(*d, netuid, t);
    auto c = Client::connect(o);
    ASSERT_TRUE(c.ok());
    auto snap = c->snapshot();
    ASSERT_TRUE(snap.ok());
    // Something else first, so the 2.0 below is this run's.
    http(d->port(), "PUT", "/set_weight", R"({"hotkey":")" + *(*snap)->hotkey(0) + R"(","weight":0.5})");
    int status = -1;
    const std::string out = run(std::string(PYLON_CLIENT_EXAMPLE) + " " + std::to_string(netuid) + " " +
                                    o.shm_name + " " + o.rest_url,
                                status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out.rfind(t == Transport::shm ? "shm: block " : "rest: block ", 0), 0u) << out;
    EXPECT_NE(out.find("weights durable"), std::string::npos) << out;
    // The example gives uid 0 (by hotkey, the later key) 2.0.
    EXPECT_EQ(raw_weights(d->port())[*(*snap)->hotkey(0)], 2.0);
  }
#endif
}

}  // namespace
}  // namespace pylon::e2e

// The one conversion of the chain's decoded neuron into the segment's row (neuron_record) pinned
// field by field: every field holds a distinct value, so a swapped or dropped field shows; and
// to_snapshot_data puts rows in uid order and refuses uids that are not 0..n-1.
#include "shm/from_snapshot.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace pylon::shm {
namespace {

AccountId account(std::uint8_t seed) {
  AccountId::Array a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(seed + i);
  return AccountId(a);
}

codec::views::NeuronLite neuron(std::uint16_t uid) {
  codec::views::NeuronLite n;
  n.hotkey = account(static_cast<std::uint8_t>(0x10 + uid));
  n.coldkey = account(static_cast<std::uint8_t>(0x80 + uid));
  n.uid = uid;
  n.netuid = 7;
  n.active = true;
  n.axon.block = 99;
  n.axon.version = 0x01020304;
  n.axon.ip = (codec::u128{0xc0a80001});  // 192.168.0.1
  n.axon.port = 8091;
  n.axon.ip_type = 4;
  n.axon.protocol = 4;
  n.stake = {{account(1), 1'000'000'000}, {account(2), 234}};
  n.rank = 101;
  n.incentive = 102;
  n.consensus = 103;
  n.trust = 104;
  n.validator_trust = 105;
  n.dividends = 106;
  n.pruning_score = 107;
  n.emission = 5'000'000'017;
  n.last_update = 4'242'424;
  n.validator_permit = true;
  return n;
}

TEST(NeuronRecordConversion, EveryFieldLandsInItsColumn) {
  const codec::views::NeuronLite n = neuron(3);
  const NeuronRecord r = neuron_record(n);
  EXPECT_EQ(0, std::memcmp(r.hotkey, n.hotkey.bytes().data(), 32));
  EXPECT_EQ(0, std::memcmp(r.coldkey, n.coldkey.bytes().data(), 32));
  EXPECT_EQ(r.stake, 1'000'000'234u);  // the sum of the stake entries
  EXPECT_EQ(r.emission, 5'000'000'017u);
  EXPECT_EQ(r.last_update, 4'242'424u);
  EXPECT_EQ(r.axon_version, 0x01020304u);
  EXPECT_EQ(r.uid, 3);
  EXPECT_EQ(r.rank, 101);
  EXPECT_EQ(r.incentive, 102);
  EXPECT_EQ(r.consensus, 103);
  EXPECT_EQ(r.trust, 104);
  EXPECT_EQ(r.validator_trust, 105);
  EXPECT_EQ(r.dividends, 106);
  EXPECT_EQ(r.pruning_score, 107);
  EXPECT_EQ(r.axon_port, 8091);
  EXPECT_EQ(r.validator_permit, 1);
  EXPECT_EQ(r.active, 1);
  EXPECT_EQ(r.axon_ip_type, static_cast<std::uint8_t>(IpType::v4));
  EXPECT_EQ(r.axon_protocol, 4);
  const std::uint8_t v4[16] = {192, 168, 0, 1};  // network order, the rest zero
  EXPECT_EQ(0, std::memcmp(r.axon_ip, v4, 16));
  for (std::uint8_t b : r.reserved) EXPECT_EQ(b, 0);
}

TEST(NeuronRecordConversion, AxonAddressesInNetworkOrder) {
  codec::views::NeuronLite n = neuron(0);
  n.axon.ip_type = 6;
  n.axon.ip = (codec::u128{0x20010db8} << 96) | 0x1234;  // 2001:db8::1234
  NeuronRecord r = neuron_record(n);
  EXPECT_EQ(r.axon_ip_type, static_cast<std::uint8_t>(IpType::v6));
  const std::uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34};
  EXPECT_EQ(0, std::memcmp(r.axon_ip, v6, 16));

  n.axon.ip_type = 5;  // no address the segment can describe
  r = neuron_record(n);
  EXPECT_EQ(r.axon_ip_type, static_cast<std::uint8_t>(IpType::none));
  const std::uint8_t none[16] = {};
  EXPECT_EQ(0, std::memcmp(r.axon_ip, none, 16));
  EXPECT_EQ(r.axon_port, 8091);  // the rest of the axon still lands
}

TEST(NeuronRecordConversion, SnapshotRowsAreInUidOrderAndGapsAreRefused) {
  follower::Snapshot s;
  s.block = 12;
  s.neurons = {neuron(2), neuron(0), neuron(1)};
  auto d = to_snapshot_data(s);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->neurons.size(), 3u);
  for (std::uint16_t uid = 0; uid < 3; ++uid) {
    const NeuronRecord want = neuron_record(neuron(uid));
    EXPECT_EQ(0, std::memcmp(&d->neurons[uid], &want, sizeof want)) << uid;
  }

  s.neurons = {neuron(0), neuron(2)};
  EXPECT_FALSE(to_snapshot_data(s).ok());
  s.neurons = {neuron(0), neuron(0)};
  EXPECT_FALSE(to_snapshot_data(s).ok());
}

}  // namespace
}  // namespace pylon::shm

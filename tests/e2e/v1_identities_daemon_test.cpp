// One daemon, two identities on two subnets with two hotkeys (issue 15), on the real binary and the
// real local chain (spec 293): identity `plain` signs with the shared `pylon` hotkey on the
// bootstrap's plain subnet (PYLON_NETUID), identity `cr` with //PylonMiner1's hotkey on the
// commit-reveal subnet. Checked against the chain, never by Pylon's word alone: each identity's
// reads answer its own subnet (neuron counts from SubtensorModule.SubnetworkN, hotkeys from the
// chain's Keys), and the weights each identity puts land in that subnet's Weights storage under
// that identity's own uid (the cr subnet's by hash commit, then reveal). Tokens never cross.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "codec/ss58.hpp"
#include "e2e_support.hpp"
#include "keys/derive.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

using namespace std::chrono_literals;
using test::eventually;

const std::string kPlainToken = "e2e-identity-plain-token-0001";
const std::string kCrToken = "e2e-identity-cr-token-0000002";
constexpr const char* kMinerWallet = "e2e_miner1";

// The hotkey -> neuron object of a v1 neurons answer.
struct V1Neurons {
  std::uint64_t block = 0;
  std::map<std::string, std::pair<std::uint16_t, bool>> by_hotkey;  // uid, validator_permit
};
std::optional<V1Neurons> v1_neurons(std::uint16_t port, const std::string& path, const std::string& token) {
  auto a = http(port, "GET", path, {}, "Authorization: Bearer " + token + "\r\n");
  if (a.status != 200) return std::nullopt;
  Json j(a.body);
  if (!j.ok) return std::nullopt;
  V1Neurons out;
  simdjson::dom::element block;
  if (!j.root["block"].get(block)) out.block = u64_of(block, "number");
  simdjson::dom::object neurons;
  if (j.root["neurons"].get_object().get(neurons)) return std::nullopt;
  for (auto [hotkey, n] : neurons) {
    bool permit = false;
    if (n["validator_permit"].get_bool().get(permit)) permit = false;
    out.by_hotkey[std::string(hotkey)] = {static_cast<std::uint16_t>(u64_of(n, "uid")), permit};
  }
  return out;
}

// //PylonMiner1 as a second validator on `netuid` (the bootstrap registered it on both subnets):
// its hotkey file `m1` in the wallet folder the daemon reads, and //Alice's stake on it, which gives
// it a validator permit at the subnet's next epoch (weights need one).
void make_miner_a_validator(const Bootstrapped& b, ChainProbe& probe, const std::string& miner_ss58,
                            std::uint16_t netuid) {
  if (!std::filesystem::exists(b.wallets + "/" + kMinerWallet + "/hotkeys/m1")) {
    const std::string cmd = std::string(PYLON_BINARY_DIR) + "/pylon wallet new-hotkey --path '" + b.wallets +
                            "' --wallet " + kMinerWallet + " --hotkey m1 --uri //PylonMiner1 >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  auto alice = keys::key_from_uri("//Alice");
  ASSERT_TRUE(alice.ok());
  auto staked =
      net::testing::sign_and_seal(probe.chain(), alice->keypair, "SubtensorModule.add_stake",
                                  R"({"hotkey":")" + miner_ss58 + R"(","netuid":)" + std::to_string(netuid) +
                                      R"(,"amount_staked":10000000000000})");
  ASSERT_TRUE(staked.ok()) << staked.error().message;
}

class V1IdentitiesDaemon : public DaemonLocalnetTest {};

TEST_F(V1IdentitiesDaemon, TwoIdentitiesOnTwoSubnetsWithTwoHotkeysEachLandTheirWeights) {
  const Bootstrapped& b = bootstrapped();
  const std::uint16_t plain = b.netuid_plain, cr = b.netuid_cr;
  ChainProbe probe;
  auto miner = keys::key_from_uri("//PylonMiner1");
  ASSERT_TRUE(miner.ok());
  const std::string miner_ss58 = codec::ss58_encode(miner->keypair.public_key);
  const std::string me_ss58 = codec::ss58_encode(pylon_hotkey());

  // //PylonMiner1 (registered by the bootstrap) validates the cr subnet from the next epoch.
  ASSERT_NO_FATAL_FAILURE(make_miner_a_validator(b, probe, miner_ss58, cr));

  std::map<std::string, std::string> env{{"PYLON_IDENTITIES", R"(["plain","cr"])"},
                                         {"PYLON_ID_PLAIN_WALLET_NAME", "pylon"},
                                         {"PYLON_ID_PLAIN_HOTKEY_NAME", "pylon"},
                                         {"PYLON_ID_PLAIN_TOKEN", kPlainToken},
                                         {"PYLON_ID_CR_WALLET_NAME", kMinerWallet},
                                         {"PYLON_ID_CR_HOTKEY_NAME", "m1"},
                                         {"PYLON_ID_CR_NETUID", std::to_string(cr)},
                                         {"PYLON_ID_CR_TOKEN", kCrToken},
                                         {"PYLON_COMMIT_WINDOW", "0:1"}};
  DaemonProcess d(plain, env);
  d.start();
  ASSERT_TRUE(wait_ready(d, probe)) << d.log_tail();
  ASSERT_NE(caught_up(d, probe), 0u) << d.log_tail();
  const std::string plain_base = "/api/v1/identity/plain/subnet/" + std::to_string(plain);
  const std::string cr_base = "/api/v1/identity/cr/subnet/" + std::to_string(cr);

  // One block, then until both subnets' snapshots are of it: the chain never runs ahead of a slow
  // daemon, so each commit window is seen (chopsticks makes a block in well under a second).
  const auto step = [&] {
    const std::uint64_t head = probe.new_blocks(1);
    (void)eventually(
        [&] {
          auto a = v1_neurons(d.port(), plain_base + "/block/latest/neurons", kPlainToken);
          auto c = v1_neurons(d.port(), cr_base + "/block/latest/neurons", kCrToken);
          return a && c && a->block >= head && c->block >= head;
        },
        30s);
  };

  // Each identity reads its own subnet, as the chain has it. The cr subnet's permit for
  // //PylonMiner1 comes at an epoch boundary: blocks until the daemon's snapshot shows it.
  std::optional<V1Neurons> crn;
  ASSERT_TRUE(eventually(
      [&] {
        crn = v1_neurons(d.port(), cr_base + "/block/latest/neurons", kCrToken);
        if (crn && crn->by_hotkey.count(miner_ss58) && crn->by_hotkey[miner_ss58].second) return true;
        step();
        return false;
      },
      180s))
      << "no validator permit for //PylonMiner1 on subnet " << cr << "\n"
      << d.log_tail();
  auto pln = v1_neurons(d.port(), plain_base + "/block/latest/neurons", kPlainToken);
  ASSERT_TRUE(pln);
  const chain::BlockRef at = probe.best();
  EXPECT_EQ(pln->by_hotkey.size(),
            storage_uint(probe.chain(), at, "SubtensorModule", "SubnetworkN", {u16_key(plain)}));
  EXPECT_EQ(crn->by_hotkey.size(),
            storage_uint(probe.chain(), at, "SubtensorModule", "SubnetworkN", {u16_key(cr)}));
  ASSERT_TRUE(pln->by_hotkey.count(me_ss58));
  ASSERT_TRUE(crn->by_hotkey.count(miner_ss58));

  // Tokens never cross: each identity's token is refused on the other's routes.
  EXPECT_EQ(http(d.port(), "GET", cr_base + "/block/latest/neurons", {},
                 "Authorization: Bearer " + kPlainToken + "\r\n")
                .status,
            403);
  EXPECT_EQ(http(d.port(), "GET", plain_base + "/block/latest/neurons", {},
                 "Authorization: Bearer " + kCrToken + "\r\n")
                .status,
            403);

  // Weights: each identity weighs two neurons of its subnet other than itself.
  auto others = [](const V1Neurons& n, const std::string& self) {
    std::vector<std::pair<std::string, std::uint16_t>> v;
    for (const auto& [hk, un] : n.by_hotkey)
      if (hk != self) v.emplace_back(hk, un.first);
    return v;
  };
  const auto plain_targets = others(*pln, me_ss58);
  const auto cr_targets = others(*crn, miner_ss58);
  ASSERT_GE(plain_targets.size(), 2u);
  ASSERT_GE(cr_targets.size(), 2u);
  const auto put = [&](const std::string& base, const std::string& token,
                       const std::vector<std::pair<std::string, std::uint16_t>>& t, double a, double c) {
    return http(d.port(), "PUT", base + "/weights",
                R"({"weights":{")" + t[0].first + R"(":)" + std::to_string(a) + R"(,")" + t[1].first +
                    R"(":)" + std::to_string(c) + "}}",
                "Authorization: Bearer " + token + "\r\n");
  };
  // Each lands in its subnet's Weights row of its own signer's uid, max-normalised: 2 and 7 give
  // 18724 and 65535, a ratio no other test of this binary writes. The binary's earlier tests set
  // the pylon hotkey's weights on the plain subnet on the same chain, so the rows must not already
  // be the ones awaited: a leftover row must not pass for this daemon's commit.
  const std::uint16_t my_plain_uid = pln->by_hotkey[me_ss58].first;
  const std::uint16_t my_cr_uid = crn->by_hotkey[miner_ss58].first;
  const auto is_row = [](const std::vector<std::pair<std::uint16_t, std::uint16_t>>& row, std::uint16_t low,
                         std::uint16_t top) {
    std::map<std::uint16_t, std::uint16_t> r(row.begin(), row.end());
    return row.size() == 2 && r.count(low) && r.count(top) && r[top] == 65535 &&
           std::abs(int(r[low]) - 18724) <= 1;
  };
  const auto landed = [&](std::uint16_t netuid, std::uint16_t uid, std::uint16_t low, std::uint16_t top) {
    return is_row(probe.weights_row(netuid, uid), low, top);
  };
  ASSERT_FALSE(landed(plain, my_plain_uid, plain_targets[0].second, plain_targets[1].second))
      << "the plain subnet's row already holds the weights this test puts";
  ASSERT_FALSE(landed(cr, my_cr_uid, cr_targets[1].second, cr_targets[0].second))
      << "the cr subnet's row already holds the weights this test puts";
  auto p = put(plain_base, kPlainToken, plain_targets, 2, 7);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_NE(p.body.find(R"("count":2)"), std::string::npos) << p.body;
  auto c = put(cr_base, kCrToken, cr_targets, 7, 2);
  ASSERT_EQ(c.status, 200) << c.body;
  bool plain_landed = false, cr_landed = false;
  ASSERT_TRUE(eventually(
      [&] {
        plain_landed =
            plain_landed || landed(plain, my_plain_uid, plain_targets[0].second, plain_targets[1].second);
        cr_landed = cr_landed || landed(cr, my_cr_uid, cr_targets[1].second, cr_targets[0].second);
        if (plain_landed && cr_landed) return true;
        // Weights are an epoch's: a PUT that came after its epoch's commit window (one block wide
        // here) is put again in the next epoch, as a validator does each epoch. The same weights
        // again in one epoch change nothing (latest request wins).
        if (!plain_landed) {
          EXPECT_EQ(put(plain_base, kPlainToken, plain_targets, 2, 7).status, 200);
        }
        if (!cr_landed) {
          EXPECT_EQ(put(cr_base, kCrToken, cr_targets, 7, 2).status, 200);
        }
        step();
        return false;
      },
      300s))
      << "plain landed: " << plain_landed << ", cr landed: " << cr_landed << "\n"
      << d.log_tail(12000);
  // The cr identity's weights went by hash commit-reveal, signed by //PylonMiner1 (the Weights row
  // above is its uid's); the pylon hotkey never set weights on the cr subnet through this daemon.
  EXPECT_EQ(d.terminate(), 0) << d.log_tail();
  // The cr subnet's segments (the default subnet's are the harness's to remove).
  ::shm_unlink((d.shm_name() + "-" + std::to_string(cr)).c_str());
  ::shm_unlink((d.shm_name() + "-" + std::to_string(cr) + "-weights").c_str());
  ::shm_unlink((d.shm_name() + "-" + std::to_string(cr) + "-weights-ack").c_str());
}

// Two identities on ONE subnet with DIFFERENT hotkeys (issue 15): `plain` signs with the `pylon`
// hotkey (the daemon's own: the subnet's default lane), `m1` with //PylonMiner1's (a lane of its
// own), both on the plain subnet (PYLON_NETUID; the bootstrap registers //PylonMiner1 there too).
// Each identity's PUT lands in the subnet's Weights row of its own hotkey's uid with its own
// ratio: the two weight sets are stored, committed and signed apart.
TEST_F(V1IdentitiesDaemon, TwoIdentitiesOnOneSubnetWithTwoHotkeysEachLandTheirOwnWeights) {
  const Bootstrapped& b = bootstrapped();
  const std::uint16_t plain = b.netuid_plain;
  ChainProbe probe;
  auto miner = keys::key_from_uri("//PylonMiner1");
  ASSERT_TRUE(miner.ok());
  const std::string miner_ss58 = codec::ss58_encode(miner->keypair.public_key);
  const std::string me_ss58 = codec::ss58_encode(pylon_hotkey());
  // //PylonMiner1 validates the plain subnet too, from the next epoch.
  ASSERT_NO_FATAL_FAILURE(make_miner_a_validator(b, probe, miner_ss58, plain));

  const std::string kM1Token = "e2e-identity-m1-token-00000003";
  std::map<std::string, std::string> env{
      {"PYLON_IDENTITIES", R"(["plain","m1"])"}, {"PYLON_ID_PLAIN_WALLET_NAME", "pylon"},
      {"PYLON_ID_PLAIN_HOTKEY_NAME", "pylon"},   {"PYLON_ID_PLAIN_TOKEN", kPlainToken},
      {"PYLON_ID_M1_WALLET_NAME", kMinerWallet}, {"PYLON_ID_M1_HOTKEY_NAME", "m1"},
      {"PYLON_ID_M1_TOKEN", kM1Token},           {"PYLON_COMMIT_WINDOW", "0:1"}};
  DaemonProcess d(plain, env);
  d.start();
  ASSERT_TRUE(wait_ready(d, probe)) << d.log_tail();
  ASSERT_NE(caught_up(d, probe), 0u) << d.log_tail();
  const std::string plain_base = "/api/v1/identity/plain/subnet/" + std::to_string(plain);
  const std::string m1_base = "/api/v1/identity/m1/subnet/" + std::to_string(plain);
  const auto step = [&] {
    const std::uint64_t head = probe.new_blocks(1);
    (void)eventually(
        [&] {
          auto a = v1_neurons(d.port(), plain_base + "/block/latest/neurons", kPlainToken);
          return a && a->block >= head;
        },
        30s);
  };
  std::optional<V1Neurons> n;
  ASSERT_TRUE(eventually(
      [&] {
        n = v1_neurons(d.port(), m1_base + "/block/latest/neurons", kM1Token);
        if (n && n->by_hotkey.count(miner_ss58) && n->by_hotkey[miner_ss58].second &&
            n->by_hotkey.count(me_ss58) && n->by_hotkey[me_ss58].second)
          return true;
        step();
        return false;
      },
      180s))
      << "no validator permit for //PylonMiner1 and pylon on subnet " << plain << "\n"
      << d.log_tail();
  const std::uint16_t my_uid = n->by_hotkey[me_ss58].first;
  const std::uint16_t m1_uid = n->by_hotkey[miner_ss58].first;
  // Targets: two neurons that are neither signer, the same for both identities, weighed in
  // different ratios: pylon 1:4 (16384 : 65535), //PylonMiner1 4:1 (65535 : 16384), ratios no
  // other test of this binary writes.
  std::vector<std::pair<std::string, std::uint16_t>> t;
  for (const auto& [hk, un] : n->by_hotkey)
    if (hk != me_ss58 && hk != miner_ss58) t.emplace_back(hk, un.first);
  ASSERT_GE(t.size(), 1u);
  // Only //PylonMiner2 besides the two signers on the bootstrap's subnet: the second target is the
  // other signer (a validator may weigh another validator).
  const std::pair<std::string, std::uint16_t> x = t[0];
  const std::pair<std::string, std::uint16_t> y_of_pylon{miner_ss58, m1_uid}, y_of_m1{me_ss58, my_uid};
  const auto put = [&](const std::string& base, const std::string& token, const std::string& y, double vx,
                       double vy) {
    return http(d.port(), "PUT", base + "/weights",
                R"({"weights":{")" + x.first + R"(":)" + std::to_string(vx) + R"(,")" + y + R"(":)" +
                    std::to_string(vy) + "}}",
                "Authorization: Bearer " + token + "\r\n");
  };
  const auto landed = [&](std::uint16_t uid, std::uint16_t y, bool x_low) {
    auto row = probe.weights_row(plain, uid);
    std::map<std::uint16_t, std::uint16_t> r(row.begin(), row.end());
    const std::uint16_t low = x_low ? x.second : y, top = x_low ? y : x.second;
    return row.size() == 2 && r.count(low) && r.count(top) && r[top] == 65535 &&
           std::abs(int(r[low]) - 16384) <= 1;
  };
  ASSERT_FALSE(landed(my_uid, y_of_pylon.second, true)) << "pylon's row already holds this test's weights";
  ASSERT_FALSE(landed(m1_uid, y_of_m1.second, false))
      << "//PylonMiner1's row already holds this test's weights";
  bool pylon_landed = false, m1_landed = false;
  ASSERT_TRUE(eventually(
      [&] {
        pylon_landed = pylon_landed || landed(my_uid, y_of_pylon.second, true);
        m1_landed = m1_landed || landed(m1_uid, y_of_m1.second, false);
        if (pylon_landed && m1_landed) return true;
        // Each epoch's weights again until they land (the commit window is one block wide).
        if (!pylon_landed) {
          auto a = put(plain_base, kPlainToken, y_of_pylon.first, 1, 4);
          EXPECT_EQ(a.status, 200) << a.body;
        }
        if (!m1_landed) {
          auto a = put(m1_base, kM1Token, y_of_m1.first, 4, 1);
          EXPECT_EQ(a.status, 200) << a.body;
        }
        step();
        return false;
      },
      300s))
      << "pylon landed: " << pylon_landed << ", //PylonMiner1 landed: " << m1_landed << "\n"
      << d.log_tail(12000);
  EXPECT_EQ(d.terminate(), 0) << d.log_tail();
}

}  // namespace
}  // namespace pylon::e2e

// POST /api/v1/identity/{identity}/subnet/{netuid}/certificates/self on the real binary and the
// real local chain (spec 293): a daemon serving one identity on the bootstrap's plain subnet (the
// shared `pylon` hotkey) generates a keypair and serves it with serve_axon_tls, signed by its own
// hotkey. Checked where it lands, never by Pylon's word alone: the chain's NeuronCertificates and
// Axons storage read by the test, the private key deriving the public key, and the daemon's own
// certificate read routes answering the same key once its snapshot has caught up.
#include <gtest/gtest.h>
#include <sodium.h>

#include "chain/certificates.hpp"
#include "codec/decoder.hpp"
#include "codec/ss58.hpp"
#include "e2e_support.hpp"
#include "keys/derive.hpp"
#include "keys/wallet.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

using namespace std::chrono_literals;
using test::eventually;

const std::string kToken = "e2e-certificate-identity-token";

// The hotkey's axon as the chain stores it (SubtensorModule.Axons, decoded with the block's
// metadata): "ip:port", or "" when it cannot be read.
std::string stored_axon(ChainProbe& probe, std::uint16_t netuid, const AccountId& hotkey) {
  const chain::BlockRef at = probe.best();
  auto md = probe.chain().metadata(at.hash);
  if (!md.ok()) return "";
  const codec::Pallet* p = (*md)->pallet("SubtensorModule");
  const codec::StorageEntry* e = p ? p->storage_entry("Axons") : nullptr;
  auto raw = storage_value(probe.chain(), at, "SubtensorModule", "Axons",
                           {u16_key(netuid), Bytes(hotkey.begin(), hotkey.end())});
  if (e == nullptr || !raw) return "";
  auto v = codec::decode_exact((*md)->types, e->value, *raw);
  if (!v.ok()) return "";
  const auto text = [](const codec::Value* f) {
    if (f == nullptr) return std::string("?");
    return f->kind == codec::Value::Kind::UInt ? std::to_string(f->uint) : f->text;
  };
  return text(v->field("ip")) + ":" + text(v->field("port"));
}

class V1CertificateDaemon : public DaemonLocalnetTest {};

TEST_F(V1CertificateDaemon, PostServesANewKeyOnChainAndTheReadsAnswerIt) {
  const Bootstrapped& b = bootstrapped();
  const std::uint16_t netuid = b.netuid_plain;
  const std::string nu = std::to_string(netuid);
  const AccountId me = pylon_hotkey();
  ChainProbe probe;
  Rpc rpc;

  // The axon first gets an address of the test's own (signed by the same hotkey, as an operator's
  // miner would), so "unchanged" below is about a real ip and port. Then the subnet's
  // serving rate limit is lifted, so the certificate's serve is not refused for coming too soon.
  auto hot = keys::load_hotkey({b.wallets, "pylon"}, "pylon");
  ASSERT_TRUE(hot.ok()) << hot.error().message;
  auto served = net::testing::sign_and_seal(probe.chain(), *hot, "SubtensorModule.serve_axon",
                                            R"({"netuid":)" + nu +
                                                R"(,"version":3,"ip":"16909060","port":8091,"ip_type":4,)"
                                                R"("protocol":4,"placeholder1":0,"placeholder2":0})");
  ASSERT_TRUE(served.ok()) << served.error().message;
  const std::string axon_before = stored_axon(probe, netuid, me);
  ASSERT_EQ(axon_before, "16909060:8091");  // 1.2.3.4:8091
  // The serving rate limit (50 blocks here) lifted by the chain's sudo key rather than waited
  // out: chopsticks builds a block in seconds, so waiting cost minutes per run.
  auto alice = keys::key_from_uri("//Alice");
  ASSERT_TRUE(alice.ok());
  auto lifted =
      net::testing::sign_and_seal(probe.chain(), alice->keypair, "Sudo.sudo",
                                  R"({"call":{"AdminUtils":{"sudo_set_serving_rate_limit":{"netuid":)" + nu +
                                      R"(,"serving_rate_limit":0}}}})");
  ASSERT_TRUE(lifted.ok()) << lifted.error().message;
  ASSERT_EQ(
      storage_uint(probe.chain(), probe.best(), "SubtensorModule", "ServingRateLimit", {u16_key(netuid)}),
      0u);

  std::map<std::string, std::string> env{{"PYLON_IDENTITIES", R"(["val"])"},
                                         {"PYLON_ID_VAL_WALLET_NAME", "pylon"},
                                         {"PYLON_ID_VAL_HOTKEY_NAME", "pylon"},
                                         {"PYLON_ID_VAL_TOKEN", kToken}};
  DaemonProcess d(netuid, env);
  d.start();
  ASSERT_TRUE(wait_ready(d, probe)) << d.log_tail();
  ASSERT_NE(caught_up(d, probe), 0u) << d.log_tail();
  const std::string auth = "Authorization: Bearer " + kToken + "\r\n";
  const std::string base = "/api/v1/identity/val/subnet/" + nu;

  // Refused before anything is generated or signed: the §4 text.
  auto bad = http(d.port(), "POST", base + "/certificates/self", R"({"algorithm":2})", auth);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("only algorithm equals 1 is supported"), std::string::npos) << bad.body;

  HttpAnswer a;
  {
    BlockMaker blocks(*rpc.client);
    a = http(d.port(), "POST", base + "/certificates/self", R"({"algorithm":1})", auth);
  }
  ASSERT_EQ(a.status, 201) << a.body << "\n" << d.log_tail();
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(u64_of(j.root, "algorithm"), 1u);
  auto pub = from_hex(str_of(j.root, "public_key"));
  auto priv = from_hex(str_of(j.root, "private_key"));
  ASSERT_TRUE(pub.ok() && priv.ok()) << a.body;
  ASSERT_EQ(pub->size(), 32u);
  ASSERT_EQ(priv->size(), 32u);
  // The private key is the seed of the public key.
  std::array<std::uint8_t, 32> derived{};
  std::array<std::uint8_t, 64> sk{};
  ASSERT_EQ(crypto_sign_seed_keypair(derived.data(), sk.data(), priv->data()), 0);
  EXPECT_EQ(Bytes(derived.begin(), derived.end()), *pub);
  // The private key never reaches the daemon's log.
  EXPECT_EQ(d.log_tail(1 << 20).find(str_of(j.root, "private_key").substr(2)), std::string::npos);

  // On chain: NeuronCertificates holds it for the hotkey, and the axon's address is unchanged.
  auto certs = chain::read_certificates(probe.chain(), netuid, probe.best());
  ASSERT_TRUE(certs.ok()) << certs.error().message;
  ASSERT_EQ(certs->count(me), 1u);
  EXPECT_EQ(certs->at(me).algorithm, 1);
  EXPECT_EQ(certs->at(me).public_key, *pub);
  EXPECT_EQ(stored_axon(probe, netuid, me), axon_before);

  // The daemon's read routes answer the same key once its snapshot holds that block.
  const std::string want = "{\"algorithm\":1,\"public_key\":\"" + str_of(j.root, "public_key") + "\"}";
  ASSERT_NE(caught_up(d, probe), 0u);
  EXPECT_TRUE(eventually(
      [&] { return http(d.port(), "GET", base + "/block/latest/certificates/self", "", auth).body == want; },
      15s))
      << http(d.port(), "GET", base + "/block/latest/certificates/self", "", auth).body;
  EXPECT_EQ(
      http(d.port(), "GET", base + "/block/latest/certificates/" + codec::ss58_encode(me), "", auth).body,
      want);

  EXPECT_EQ(d.terminate(), 0);
}

}  // namespace
}  // namespace pylon::e2e

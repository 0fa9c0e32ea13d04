// The v1 certificate reads on the real local chain (spec 293, whose metadata has
// SubtensorModule.NeuronCertificates): a subnet owner's hotkey publishes a TLS certificate with
// the runtime's own serve_axon_tls, and the REST server, following that subnet, answers it from
// the chain's storage at the snapshot's block; a hotkey without one is 404.
#include "chain/certificates.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "follower/snapshot.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest_test_support.hpp"
#include "v1_localnet_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;
using net::testing::finalized_block;

const std::string kOpen = "open-access-token-certs-localnet";

using RestV1CertificatesLocalnet = LocalnetRestTest;

TEST_F(RestV1CertificatesLocalnet, ACertificateServedOnChainIsAnswered) {
  auto& c = client();
  const auto& a = setup_->alice;
  auto hot = localnet_key("//CertOwnerHot");
  ASSERT_TRUE(hot.ok()) << hot.error().message;

  // A subnet owned by //Alice with //CertOwnerHot as its owner hotkey (uid 0), funded for its fees.
  auto subnet = net::testing::register_owned_subnet(*setup_, hot->keypair);
  ASSERT_TRUE(subnet.ok()) << subnet.error().message;
  const std::uint16_t netuid = *subnet;
  const std::string nu = std::to_string(netuid);

  // serve_axon_tls with the layout Pylon's own POST .../certificates/self sends.
  Bytes public_key(32);
  for (std::size_t i = 0; i < public_key.size(); ++i) public_key[i] = static_cast<std::uint8_t>(0xa0 + i);
  codec::views::AxonInfo axon;
  axon.version = 1;
  axon.ip = 134744072;  // 8.8.8.8
  axon.port = 8091;
  axon.ip_type = 4;
  axon.protocol = 4;
  auto served = net::testing::sign_and_seal(c, hot->keypair, "SubtensorModule.serve_axon_tls",
                                            chain::serve_axon_tls_args(netuid, axon, {1, public_key}));
  ASSERT_TRUE(served.ok()) << served.error().message;

  auto at = finalized_block(c);
  ASSERT_TRUE(at.ok()) << at.error().message;
  auto certs = chain::read_certificates(c, netuid, *at);
  ASSERT_TRUE(certs.ok()) << certs.error().message;
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ(certs->begin()->first, AccountId(hot->keypair.public_key));
  EXPECT_EQ(certs->begin()->second.algorithm, 1);
  EXPECT_EQ(certs->begin()->second.public_key, public_key);

  // The REST server following that subnet, the snapshot built from the chain at the same block.
  follower::SnapshotStore snapshots(2);
  auto s = publish_localnet_snapshot(snapshots, c, netuid, *at);
  ASSERT_TRUE(s.ok()) << s.error().message;
  RestOptions o = loopback_options();
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  auto server = start_localnet_rest(o, snapshots, netuid, c);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();
  const std::string auth = "Bearer " + kOpen;
  const std::string one = "{\"algorithm\":1,\"public_key\":\"" + to_hex(public_key) + "\"}";
  const std::string base = "/api/v1/subnet/" + nu + "/block/latest/certificates";
  auto all = http(port, "GET", base, "", auth);
  EXPECT_EQ(all.status, 200u) << all.body;
  EXPECT_EQ(all.body, "{\"" + hot->ss58 + "\":" + one + "}");
  auto mine = http(port, "GET", base + "/" + hot->ss58, "", auth);
  EXPECT_EQ(mine.status, 200u) << mine.body;
  EXPECT_EQ(mine.body, one);
  auto none = http(port, "GET", base + "/" + codec::ss58_encode(a.public_key), "", auth);
  EXPECT_EQ(none.status, 404u) << none.body;
  EXPECT_EQ(none.body, "{\"status_code\":404,\"detail\":\"Certificate not found or error fetching.\"}");
}

}  // namespace
}  // namespace pylon::rest::test

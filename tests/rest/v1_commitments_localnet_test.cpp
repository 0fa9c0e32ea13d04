// POST /api/v1/identity/{identity}/subnet/{netuid}/commitments on the real local chain (spec 293):
// the REST server wired as the daemon wires it (a real ChainClient, the hotkey's one Submitter,
// the identity's hotkey being that key) must
//   - answer 201 only once the extrinsic is in a block and succeeded: the bytes are then the
//     hotkey's Commitments.CommitmentOf entry on the subnet (one Data::Raw4 field, decoded with
//     the block's metadata) and what GET .../block/latest/commitments/self answers;
//   - refuse 129 bytes (past the runtime's Raw128) as a validation failure, nothing signed;
//   - with a hotkey the chain refuses (not registered on the subnet: each attempt fails in
//     dispatch), answer 502 with the chain's error after exactly PYLON_COMMITMENT_RETRY_ATTEMPTS
//     attempts (counted by the account's nonce on chain), the backoff between them honoured, and
//     504 `Request timed out` when the request's deadline comes before the attempts are spent.
#include <chrono>

#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/ss58.hpp"
#include "committer/submitter.hpp"
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
using Clock = std::chrono::steady_clock;

const std::string kToken = "commitments-identity-token-0123";
const std::string kAuth = "Bearer " + kToken;

RestOptions identity_options(std::uint16_t netuid, const keys::Keypair& hotkey) {
  RestOptions o = loopback_options();
  o.v1.identities.push_back(
      {"cw", netuid, std::make_shared<const keys::SecretString>(kToken), AccountId(hotkey.public_key)});
  return o;
}

using RestV1CommitmentsLocalnet = LocalnetRestTest;

TEST_F(RestV1CommitmentsLocalnet, PostedCommitmentIsStoredAndReadBack) {
  auto& c = client();
  const auto& alice = setup_->alice;
  auto hot = localnet_key("//CommitV1Hot");
  auto stranger = localnet_key("//CommitV1Stranger");  // not registered on the subnet
  ASSERT_TRUE(hot.ok() && stranger.ok());

  // A subnet owned by //Alice with //CommitV1Hot as its owner hotkey (uid 0), funded for its fees.
  auto subnet = net::testing::register_owned_subnet(*setup_, hot->keypair);
  ASSERT_TRUE(subnet.ok()) << subnet.error().message;
  const std::uint16_t netuid = *subnet;
  const std::string path = "/api/v1/identity/cw/subnet/" + std::to_string(netuid) + "/commitments";

  follower::SnapshotStore snapshots(2);
  auto first = publish_localnet_snapshot(snapshots, c, netuid);
  ASSERT_TRUE(first.ok()) << first.error().message;
  committer::Submitter submitter(c, hot->keypair.clone());
  auto server = start_localnet_rest(identity_options(netuid, hot->keypair), snapshots, netuid, c, &submitter);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();

  {
    net::testing::BlockMaker blocks(*localnet().rpc);
    auto a = http(port, "POST", path, R"({"commitment":"0xc0ffee42"})", kAuth);
    ASSERT_EQ(a.status, 201u) << a.body;
    EXPECT_EQ(a.body, "{\"detail\":\"Commitment set successfully.\"}");
  }
  // Past the runtime's Data (Raw128): refused before anything is signed.
  const std::string long_hex(129 * 2, 'a');
  auto a = http(port, "POST", path, "{\"commitment\":\"" + long_hex + "\"}", kAuth);
  EXPECT_EQ(a.status, 400u) << a.body;
  EXPECT_EQ(a.body,
            "{\"status_code\":400,\"detail\":\"Validation failed for POST " + path +
                "\",\"extra\":[{\"key\":\"commitment\",\"message\":\"Value error, commitment of 129 bytes "
                "does not fit the chain's commitment Data, which holds at most 128 bytes "
                "(Raw0..Raw128)\"}]}");

  // The chain holds it: CommitmentOf(netuid, hotkey), decoded with the head's metadata.
  auto head = finalized_block(c);
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto md = c.metadata(head->hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto stored = net::testing::read_storage(
      c, "Commitments", "CommitmentOf",
      {net::testing::u16_key(netuid), Bytes(hot->keypair.public_key.begin(), hot->keypair.public_key.end())},
      *head);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->has_value()) << "no CommitmentOf entry";
  const auto* entry = (*md)->pallet("Commitments")->storage_entry("CommitmentOf");
  ASSERT_NE(entry, nullptr);
  auto value = codec::decode_exact((*md)->types, entry->value, **stored);
  ASSERT_TRUE(value.ok()) << value.error().message;
  const std::string json = codec::render_json(*value);
  EXPECT_NE(json.find("\"fields\":[{\"raw4\":\"0xc0ffee42\"}]"), std::string::npos) << json;

  // The v1 read of the identity's own commitment, from a snapshot of that block.
  auto second = publish_localnet_snapshot(snapshots, c, netuid);
  ASSERT_TRUE(second.ok()) << second.error().message;
  a = http(port, "GET",
           "/api/v1/identity/cw/subnet/" + std::to_string(netuid) + "/block/latest/commitments/self", "",
           kAuth);
  EXPECT_EQ(a.status, 200u) << a.body;
  EXPECT_NE(a.body.find("\"hotkey\":\"" + hot->ss58 + "\",\"commitment\":\"0xc0ffee42\""), std::string::npos)
      << a.body;

  // A hotkey the chain refuses: funded, but not registered on the subnet, so each attempt is
  // included and fails in dispatch. Each included attempt moves the account's nonce by one, so
  // the nonce counts the attempts on chain.
  auto funded =
      net::testing::sign_and_seal(c, alice, "Balances.transfer_keep_alive",
                                  R"({"dest":{"id":")" + stranger->ss58 + R"("},"value":100000000000})");
  ASSERT_TRUE(funded.ok()) << funded.error().message;
  committer::Submitter stranger_submitter(c, stranger->keypair.clone());
  RestOptions so = identity_options(netuid, stranger->keypair);
  so.v1.commitment_retry_attempts = 3;
  so.v1.commitment_retry_delay_seconds = 0.2;
  so.v1.default_timeout_seconds = 60;
  auto refused_server = start_localnet_rest(so, snapshots, netuid, c, &stranger_submitter);
  ASSERT_TRUE(refused_server.ok()) << refused_server.error().message;
  auto nonce_before = c.account_nonce(stranger->id);
  ASSERT_TRUE(nonce_before.ok()) << nonce_before.error().message;
  {
    net::testing::BlockMaker blocks(*localnet().rpc);
    const auto started = Clock::now();
    a = http((*refused_server)->port(), "POST", path, R"({"commitment":"0x01"})", kAuth);
    const auto took = Clock::now() - started;
    EXPECT_EQ(a.status, 502u) << a.body;
    EXPECT_EQ(a.body.rfind("{\"status_code\":502,\"detail\":\"set_commitment: the chain refused it: ", 0), 0u)
        << a.body;
    // Waits of 0.2 s, then 0.4 s, between the attempts.
    EXPECT_GE(took, 600ms);
  }
  auto nonce_after = c.account_nonce(stranger->id);
  ASSERT_TRUE(nonce_after.ok()) << nonce_after.error().message;
  EXPECT_EQ(*nonce_after - *nonce_before, 3u) << "attempts signed and included";
  (*refused_server)->stop();

  // The deadline first: the first attempt fails in dispatch, and the wait before the second
  // (30 s) would end past the request's 20 s deadline: 504 at once, after that one attempt.
  so.v1.commitment_retry_attempts = 10;
  so.v1.commitment_retry_delay_seconds = 30;
  so.v1.default_timeout_seconds = 20;
  auto late_server = start_localnet_rest(so, snapshots, netuid, c, &stranger_submitter);
  ASSERT_TRUE(late_server.ok()) << late_server.error().message;
  {
    net::testing::BlockMaker blocks(*localnet().rpc);
    const auto started = Clock::now();
    a = http((*late_server)->port(), "POST", path, R"({"commitment":"0x01"})", kAuth);
    EXPECT_EQ(a.status, 504u) << a.body;
    EXPECT_EQ(a.body, "{\"status_code\":504,\"detail\":\"Request timed out\"}");
    EXPECT_LT(Clock::now() - started, 20s);
  }
  auto nonce_late = c.account_nonce(stranger->id);
  ASSERT_TRUE(nonce_late.ok()) << nonce_late.error().message;
  EXPECT_EQ(*nonce_late - *nonce_after, 1u) << "attempts signed and included";
}

}  // namespace
}  // namespace pylon::rest::test

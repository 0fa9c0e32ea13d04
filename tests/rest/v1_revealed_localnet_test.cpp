// Revealed commitments on the real local chain (spec 293), end to end:
//   - POST .../commitments/revealed answers 201 {"reveal_round": R} only once the extrinsic is in a
//     block: the hotkey's Commitments.CommitmentOf then holds one Data::TimelockEncrypted whose
//     reveal_round is R and whose bytes are a timelock ciphertext (parsed by Pylon's checked
//     decoder), R being the drand round blocks_until_reveal blocks from now;
//   - the runtime itself opens a ciphertext made by Pylon's timelock code: the stored field is
//     swapped for one encrypted to round 1000 (the one round whose drand signature is recorded,
//     ../shared/crv4/vectors.json; R's pulse does not exist yet anywhere) and that pulse is put
//     in Drand.Pulses, with dev_setStorage since chopsticks runs no drand worker. The next block's
//     reveal_timelocked_commitments moves the plaintext to RevealedCommitments, and
//     GET .../commitments/revealed/self and the open-access map serve the commitment's text.
#include <chrono>
#include <fstream>
#include <sstream>

#include "chain/storage_key.hpp"
#include "codec/decoder.hpp"
#include "codec/encoder.hpp"
#include "codec/json_render.hpp"
#include "codec/ss58.hpp"
#include "committer/submitter.hpp"
#include "common/hex.hpp"
#include "follower/snapshot.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest/v1/revealed.hpp"
#include "rest_test_support.hpp"
#include "timelock/timelock.hpp"
#include "v1_localnet_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;
using net::testing::finalized_block;

const std::string kToken = "revealed-identity-token-0123";
const std::string kAuth = "Bearer " + kToken;
const std::string kOpen = "revealed-open-access-token-01";

std::string shared_text(const std::string& rel) {
  const char* dir = std::getenv("PYLON_SHARED_DIR");
  std::ifstream in(std::string(dir ? dir : PYLON_SHARED_DIR_DEFAULT) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A storage value encoded from JSON by the codec's encoder with the type `md` gives the item.
Result<Bytes> encoded_value(const codec::Metadata& md, std::string_view pallet, std::string_view item,
                            const std::string& json) {
  const codec::Pallet* p = md.pallet(pallet);
  const codec::StorageEntry* e = p ? p->storage_entry(item) : nullptr;
  if (e == nullptr) return make_error("no " + std::string(pallet) + "." + std::string(item));
  simdjson::dom::parser parser;
  return codec::encode_json(md.types, e->value, parser.parse(json).value());
}

using RestV1RevealedLocalnet = LocalnetRestTest;

TEST_F(RestV1RevealedLocalnet, PostedThenOpenedByTheRuntimeAndServed) {
  auto& c = client();
  auto hot = localnet_key("//RevealV1Hot");
  ASSERT_TRUE(hot.ok()) << hot.error().message;
  auto subnet = net::testing::register_owned_subnet(*setup_, hot->keypair);
  ASSERT_TRUE(subnet.ok()) << subnet.error().message;
  const std::uint16_t netuid = *subnet;
  const std::string nu = std::to_string(netuid);
  const Bytes hot_key(hot->id.begin(), hot->id.end());

  follower::SnapshotStore snapshots(2);
  auto first = publish_localnet_snapshot(snapshots, c, netuid);
  ASSERT_TRUE(first.ok()) << first.error().message;
  committer::Submitter submitter(c, hot->keypair.clone());
  RestOptions o = loopback_options();
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.v1.identities.push_back({"rv", netuid, std::make_shared<const keys::SecretString>(kToken), hot->id});
  auto server = start_localnet_rest(o, snapshots, netuid, c, &submitter);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();

  // The write: 201 with the round, once in a block.
  const auto unix_before =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::uint64_t round = 0;
  {
    net::testing::BlockMaker blocks(*localnet().rpc);
    auto a = http(port, "POST", "/api/v1/identity/rv/subnet/" + nu + "/commitments/revealed",
                  R"({"commitment":"pylon reveals","blocks_until_reveal":10})", kAuth);
    ASSERT_EQ(a.status, 201u) << a.body;
    Json j(a.body);
    ASSERT_TRUE(j.ok) << a.body;
    round = j.root["reveal_round"].get_uint64().value_unsafe();
  }
  const auto expected = v1::reveal_round_after(static_cast<std::uint64_t>(unix_before), 10, 12.0);
  ASSERT_TRUE(expected);
  EXPECT_GE(round, *expected);
  EXPECT_LE(round, *expected + 60);  // the request took at most a few minutes

  // CommitmentOf(netuid, hotkey): one TimelockEncrypted field of that round, a ciphertext.
  auto head = finalized_block(c);
  ASSERT_TRUE(head.ok()) << head.error().message;
  auto md = c.metadata(head->hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  auto stored = net::testing::read_storage(c, "Commitments", "CommitmentOf",
                                           {net::testing::u16_key(netuid), hot_key}, *head);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(stored->has_value()) << "no CommitmentOf entry";
  auto value = codec::decode_exact(
      (*md)->types, (*md)->pallet("Commitments")->storage_entry("CommitmentOf")->value, **stored);
  ASSERT_TRUE(value.ok()) << value.error().message;
  const codec::Value* fields = value->field("info") ? value->field("info")->field("fields") : nullptr;
  ASSERT_NE(fields, nullptr) << codec::render_json(*value);
  ASSERT_EQ(fields->items.size(), 1u) << codec::render_json(*value);
  const codec::Value& tle = fields->items[0];
  ASSERT_EQ(tle.text, "TimelockEncrypted") << codec::render_json(*value);
  // A variant's fields are its one item (named: an object).
  ASSERT_EQ(tle.items.size(), 1u) << codec::render_json(*value);
  const codec::Value* reveal_round = tle.items[0].field("reveal_round");
  const codec::Value* encrypted = tle.items[0].field("encrypted");
  ASSERT_TRUE(reveal_round && encrypted) << codec::render_json(*value);
  EXPECT_EQ(reveal_round->uint, round);
  auto parsed = timelock::parse_ciphertext(encrypted->bytes);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;

  // The runtime opens Pylon's ciphertext: the field swapped for one to round 1000, whose drand
  // pulse (the recorded signature) is then stored.
  simdjson::dom::parser vp;
  auto vectors = vp.parse(shared_text("crv4/vectors.json"));
  std::string_view sig_hex;
  ASSERT_FALSE(vectors.error() || vectors["sig_hex"].get_string().get(sig_hex)) << "no crv4/vectors.json";
  const std::string text = "pylon reveals at round 1000";
  auto ct = timelock::encrypt(1000, v1::scale_string(text));
  ASSERT_TRUE(ct.ok()) << ct.error().message;
  const codec::Value* deposit = value->field("deposit");
  const codec::Value* block = value->field("block");
  ASSERT_TRUE(deposit && block);
  auto registration = encoded_value(**md, "Commitments", "CommitmentOf",
                                    "{\"deposit\":" + std::to_string(deposit->uint) +
                                        ",\"block\":" + std::to_string(block->uint) +
                                        ",\"info\":{\"fields\":[{\"TimelockEncrypted\":{\"encrypted\":\"" +
                                        to_hex(*ct) + "\",\"reveal_round\":1000}}]}}");
  ASSERT_TRUE(registration.ok()) << registration.error().message;
  auto pulse = encoded_value(**md, "Drand", "Pulses",
                             "{\"round\":1000,\"randomness\":\"0x" + std::string(64, '0') +
                                 "\",\"signature\":\"0x" + std::string(sig_hex) + "\"}");
  ASSERT_TRUE(pulse.ok()) << pulse.error().message;
  auto commitment_key =
      chain::storage_key(**md, "Commitments", "CommitmentOf", {net::testing::u16_key(netuid), hot_key});
  Bytes round_le(8);
  for (int i = 0; i < 8; ++i)
    round_le[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(std::uint64_t{1000} >> (8 * i));
  auto pulse_key = chain::storage_key(**md, "Drand", "Pulses", {round_le});
  ASSERT_TRUE(commitment_key.ok() && pulse_key.ok());
  const auto pair = [](const Bytes& k, const Bytes& v) {
    return "[\"" + to_hex(k) + "\",\"" + to_hex(v) + "\"]";
  };
  auto set = localnet().rpc->call(
      "dev_setStorage", "[[" + pair(*commitment_key, *registration) + "," + pair(*pulse_key, *pulse) + "]]");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_TRUE(net::testing::new_blocks(*localnet().rpc, 1).ok());
  auto after = finalized_block(c);
  ASSERT_TRUE(after.ok()) << after.error().message;
  auto revealed = net::testing::read_storage(c, "Commitments", "RevealedCommitments",
                                             {net::testing::u16_key(netuid), hot_key}, *after);
  ASSERT_TRUE(revealed.ok()) << revealed.error().message;
  if (!revealed->has_value()) {
    // Why: the commitment left in place (no pulse found, the hook did not run) or dropped (the
    // runtime could not open it).
    auto left = net::testing::read_storage(c, "Commitments", "CommitmentOf",
                                           {net::testing::u16_key(netuid), hot_key}, *after);
    auto p = net::testing::read_storage(c, "Drand", "Pulses", {round_le}, *after);
    FAIL() << "the runtime revealed nothing; CommitmentOf "
           << (left.ok() && left->has_value() ? "still holds " + to_hex(**left) : std::string("is gone"))
           << "; pulse " << (p.ok() && p->has_value() ? to_hex(**p) : std::string("absent"));
  }
  auto decoder = v1::RevealedDecoder::resolve(*md);
  ASSERT_TRUE(decoder.ok() && decoder->has_value());
  auto entries = (*decoder)->decode(**revealed);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().data, v1::scale_string(text));
  EXPECT_EQ(entries->front().block, after->number);

  // Served from a snapshot of that block, under both prefixes.
  auto second = publish_localnet_snapshot(snapshots, c, netuid);
  ASSERT_TRUE(second.ok()) << second.error().message;
  const std::string one = "{\"reveal_block_number\":" + std::to_string(after->number) + ",\"hotkey\":\"" +
                          hot->ss58 + "\",\"commitment\":\"" + text + "\"}";
  auto self = http(port, "GET",
                   "/api/v1/identity/rv/subnet/" + nu + "/block/latest/commitments/revealed/self", "", kAuth);
  EXPECT_EQ(self.status, 200u) << self.body;
  EXPECT_NE(self.body.find("\"commitments\":[" + one + "]"), std::string::npos) << self.body;
  auto all =
      http(port, "GET", "/api/v1/subnet/" + nu + "/block/latest/commitments/revealed", "", "Bearer " + kOpen);
  EXPECT_EQ(all.status, 200u) << all.body;
  EXPECT_NE(all.body.find("\"" + hot->ss58 + "\":[" + one + "]"), std::string::npos) << all.body;
  // /metrics counts the write's 201 under its route, not as "other".
  auto metrics = http(port, "GET", "/metrics", "", "");
  EXPECT_NE(metrics.body.find("pylon_http_requests_total{path=\"/api/v1/identity/{identity}/subnet/{netuid}/"
                              "commitments/revealed\",status=\"201\"} 1\n"),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace pylon::rest::test

// GET /api/v1/block/{block}/extrinsic/{index} on the real local chain (spec 293): a transfer
// signed by //Alice is submitted and sealed into a block, then read back through the route with
// the chain client behind it: the signer, the call and its arguments, the hash of the bytes
// submitted; the block's Timestamp.set inherent as unsigned with the value Timestamp.Now holds
// there; every extrinsic of the block against polkadot-js's decode of the same bytes; past the
// body and past the head, the contract's 404s.
#include <simdjson.h>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "rest_test_support.hpp"
#include "test_support.hpp"
#include "v1_localnet_support.hpp"

namespace pylon::rest::test {
namespace {

using namespace std::chrono_literals;

std::string v1_path(std::uint64_t block, std::uint64_t index) {
  return "/api/v1/block/" + std::to_string(block) + "/extrinsic/" + std::to_string(index);
}

using RestV1ExtrinsicLocalnet = LocalnetRestTest;

TEST_F(RestV1ExtrinsicLocalnet, ASubmittedTransferReadsBackThroughTheRoute) {
  auto& c = client();
  auto bob = localnet_key("//Bob");
  ASSERT_TRUE(bob.ok()) << bob.error().message;
  auto tx = net::testing::sign_call(c, setup_->alice, "Balances.transfer_keep_alive",
                                    R"({"dest":{"id":")" + bob->ss58 + R"("},"value":1234567})");
  ASSERT_TRUE(tx.ok()) << tx.error().message;
  auto out = c.submit_and_seal(tx->bytes);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->success) << out->error;
  auto header = c.header(out->block);
  ASSERT_TRUE(header.ok()) << header.error().message;
  const std::uint64_t number = header->number;

  follower::SnapshotStore snapshots(2);
  auto server = start_localnet_rest(loopback_options(), snapshots, 1, c);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::uint16_t port = (*server)->port();

  // The transfer, at the index the chain's events gave it.
  auto a = http(port, "GET", v1_path(number, out->extrinsic_index));
  ASSERT_EQ(a.status, 200u) << a.body;
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(std::uint64_t(j.root["block_number"]), number);
  EXPECT_EQ(std::uint64_t(j.root["extrinsic_index"]), out->extrinsic_index);
  EXPECT_EQ(std::string_view(j.root["extrinsic_hash"]), to_hex(tx->hash));
  EXPECT_EQ(std::uint64_t(j.root["extrinsic_length"]), tx->bytes.size() - 2);  // a 2-byte compact prefix
  EXPECT_EQ(std::string_view(j.root["address"]), codec::ss58_encode(setup_->alice.public_key));
  EXPECT_EQ(std::string_view(j.root["call"]["call_module"]), "Balances");
  EXPECT_EQ(std::string_view(j.root["call"]["call_function"]), "transfer_keep_alive");
  EXPECT_EQ(simdjson::to_string(j.root["call"]["call_args"]),
            R"([{"name":"dest","type":"AccountIdLookupOf","value":{"id":")" + bob->ss58 +
                R"("}},{"name":"value","type":"Balance","value":1234567}])");

  // The block's timestamp inherent: unsigned, the value Timestamp.Now holds at that block.
  auto now = c.timestamp(chain::BlockRef{out->block, number});
  ASSERT_TRUE(now.ok()) << now.error().message;
  auto ts = http(port, "GET", v1_path(number, 0));
  ASSERT_EQ(ts.status, 200u) << ts.body;
  Json t(ts.body);
  ASSERT_TRUE(t.ok);
  EXPECT_TRUE(t.root["address"].is_null());
  EXPECT_EQ(std::string_view(t.root["call"]["call_module"]), "Timestamp");
  EXPECT_EQ(std::string_view(t.root["call"]["call_function"]), "set");
  EXPECT_EQ(std::uint64_t(t.root["call"]["call_args"].at(0)["value"]), *now);

  // Every extrinsic of the block against polkadot-js's decode of the node's bytes.
  auto body = c.block_extrinsics(chain::BlockRef{out->block, number});
  ASSERT_TRUE(body.ok() && *body) << (body.ok() ? "no block" : body.error().message);
  if (!keys::test::oracle_path().empty() && !keys::test::shared_dir().empty()) {
    const std::string md = keys::test::shared_dir() + "/chain/localnet/spec293-metadata-v15.option.hex";
    for (std::size_t i = 0; i < (*body)->size(); ++i) {
      SCOPED_TRACE(i);
      auto r = keys::test::run_oracle({"decode-extrinsic", md, to_hex((**body)[i])});
      ASSERT_EQ(r.exit_code, 0) << r.out;
      simdjson::dom::parser op;
      simdjson::dom::element o = op.parse(r.out);
      auto ours = http(port, "GET", v1_path(number, i));
      ASSERT_EQ(ours.status, 200u) << ours.body;
      Json x(ours.body);
      ASSERT_TRUE(x.ok);
      if (bool(o["is_signed"])) {
        EXPECT_EQ(std::string_view(x.root["address"]), std::string_view(o["signer"]));
      } else {
        EXPECT_TRUE(x.root["address"].is_null());
      }
      EXPECT_EQ(std::uint64_t(o["encoded_length"]), (**body)[i].size());
      simdjson::dom::array args = x.root["call"]["call_args"];
      simdjson::dom::object want = o["args"];
      ASSERT_EQ(args.size(), want.size());
      for (auto arg : args) {
        const std::string key{std::string_view(arg["name"])};  // the oracle's keys are snake_case already
        EXPECT_EQ(simdjson::to_string(arg["value"]), simdjson::to_string(want[key])) << key;
      }
    }
  }

  // Past the body, and past the head.
  const std::size_t n = (*body)->size();
  auto past = http(port, "GET", v1_path(number, n));
  EXPECT_EQ(past.status, 404u);
  EXPECT_EQ(past.body, "{\"status_code\":404,\"detail\":\"Extrinsic " + std::to_string(number) + "-" +
                           std::to_string(n) + " not found.\"}");
  auto ahead = http(port, "GET", v1_path(number + 1000, 0));
  EXPECT_EQ(ahead.status, 404u);
  EXPECT_EQ(ahead.body,
            "{\"status_code\":404,\"detail\":\"Block " + std::to_string(number + 1000) + " not found.\"}");
}

}  // namespace
}  // namespace pylon::rest::test

// Pylon's chain client on the real local chain: reads resolved through the metadata of the block
// at hand, a runtime API answer decoded into typed rows that equal polkadot-js's decode of the
// same bytes, and signed extrinsics submitted and watched to inclusion with their outcome read
// from the block's events (success, and a module error by name).
#include <simdjson.h>

#include "chain/chain_client.hpp"
#include "chain/storage_key.hpp"
#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/views/neuron_lite.hpp"
#include "keys/derive.hpp"
#include "localnet_chain.hpp"
#include "localnet_env.hpp"
#include "test_support.hpp"

namespace pylon::chain {
namespace {

using net::testing::BlockMaker;
using net::testing::connect_localnet;
using net::testing::sign_call;

BlockRef head(ChainClient& c) {
  return *net::testing::finalized_block(c);
}

TEST(ChainClientLocalnet, ReadsThroughTheMetadataOfTheBlock) {
  PYLON_REQUIRE_LOCALNET();
  auto f = connect_localnet();
  ASSERT_NE(f, nullptr);
  auto genesis = f->chain->genesis_hash();
  ASSERT_TRUE(genesis.ok()) << genesis.error().message;
  // Genesis holds no Timestamp.Now: read at a block the runtime has built (the one dev_newBlock
  // returns; the finalized head may still be reported at genesis for a moment).
  auto built = net::testing::new_blocks(*f->rpc, 1);
  ASSERT_TRUE(built.ok()) << built.error().message;
  auto built_header = f->chain->header(*built);
  ASSERT_TRUE(built_header.ok()) << built_header.error().message;
  const BlockRef at{*built, built_header->number};
  EXPECT_GE(at.number, 1u);
  auto v = f->chain->runtime_version(at.hash);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->spec_version, 293u);
  auto md = f->chain->metadata(at.hash);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ((*md)->version, 15);  // fetched through Metadata_metadata_at_version
  auto again = f->chain->metadata(at.hash);
  EXPECT_EQ(again->get(), md->get());  // cached per spec version
  auto ts = f->chain->timestamp(at);
  ASSERT_TRUE(ts.ok()) << ts.error().message;
  EXPECT_GT(*ts, 0u);
  // A storage read with a key built from the metadata: the subnet count exists on this chain.
  auto key = storage_key(**md, "SubtensorModule", "TotalNetworks", {});
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto total = f->chain->storage(*key, at);
  ASSERT_TRUE(total.ok()) << total.error().message;
  ASSERT_TRUE(total->has_value());
  EXPECT_EQ((*total)->size(), 2u);  // u16
  EXPECT_GE((**total)[0], 2);       // netuids 0 and 1 exist in genesis
}

TEST(ChainClientLocalnet, NeuronsOfTheBlockEqualTheOracleDecode) {
  PYLON_REQUIRE_LOCALNET();
  PYLON_REQUIRE_ORACLE();
  auto f = connect_localnet();
  ASSERT_NE(f, nullptr);
  const BlockRef at = head(*f->chain);
  auto md = f->chain->metadata(at.hash);
  ASSERT_TRUE(md.ok());
  const Bytes netuid{0, 0};  // the root subnet exists in genesis
  auto raw = f->chain->state_call("NeuronInfoRuntimeApi_get_neurons_lite", netuid, at);
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  auto view = codec::views::NeuronLiteView::resolve(*md);
  ASSERT_TRUE(view.ok());
  auto rows = view->decode_all(*raw);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  // The oracle decodes the same bytes with the shared copy of this runtime's metadata.
  const std::string meta = keys::test::shared_dir() + "/chain/localnet/spec293-metadata-v15.option.hex";
  auto oracle =
      keys::test::run_oracle({"decode-api", meta, "NeuronInfoRuntimeApi_get_neurons_lite", to_hex(*raw)});
  ASSERT_EQ(oracle.exit_code, 0) << oracle.out;
  simdjson::dom::parser p;
  simdjson::dom::element d = p.parse(oracle.out);
  auto list = simdjson::dom::array(d["decoded"]);
  ASSERT_EQ(list.size(), rows->size());
  std::size_t i = 0;
  for (auto n : list) {
    const auto& r = (*rows)[i++];
    EXPECT_EQ(codec::ss58_encode(r.hotkey), std::string_view(n["hotkey"]));
    EXPECT_EQ(r.uid, uint64_t(n["uid"]));
    EXPECT_EQ(r.validator_permit, bool(n["validator_permit"]));
  }
  // And the dynamic decode renders exactly what the oracle prints.
  auto dyn = codec::decode_exact((*md)->types,
                                 (*md)->api_method("NeuronInfoRuntimeApi_get_neurons_lite")->output, *raw);
  ASSERT_TRUE(dyn.ok());
  simdjson::dom::parser p2;
  EXPECT_EQ(simdjson::to_string(p2.parse(codec::render_json(*dyn))), simdjson::to_string(d["decoded"]));
}

TEST(ChainClientLocalnet, SubmittedExtrinsicsReportSuccessOrTheModuleErrorByName) {
  PYLON_REQUIRE_LOCALNET();
  auto f = connect_localnet();
  ASSERT_NE(f, nullptr);
  auto alice = keys::key_from_uri("//Alice");
  auto bob = keys::key_from_uri("//Bob");
  ASSERT_TRUE(alice.ok() && bob.ok());
  // A transfer: ExtrinsicSuccess.
  auto transfer = sign_call(
      *f->chain, alice->keypair, "Balances.transfer_keep_alive",
      R"({"dest":{"id":")" + codec::ss58_encode(bob->keypair.public_key) + R"("},"value":1000000000})");
  ASSERT_TRUE(transfer.ok()) << transfer.error().message;
  {
    BlockMaker blocks(*f->rpc);
    auto out = f->chain->submit_and_watch(transfer->bytes, std::chrono::seconds(90), false);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->status, TxOutcome::Status::Included) << out->error;
    EXPECT_TRUE(out->success) << out->error;
  }
  // Weights from a hotkey that is not registered on subnet 1: the runtime's error, by name.
  auto weights = sign_call(*f->chain, bob->keypair, "SubtensorModule.set_weights",
                           R"({"netuid":1,"dests":[0],"weights":[65535],"version_key":0})");
  ASSERT_TRUE(weights.ok()) << weights.error().message;
  {
    BlockMaker blocks(*f->rpc);
    auto out = f->chain->submit_and_watch(weights->bytes, std::chrono::seconds(90), false);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->status, TxOutcome::Status::Included) << out->error;
    EXPECT_FALSE(out->success);
    EXPECT_EQ(out->error, "SubtensorModule.HotKeyNotRegisteredInSubNet");
  }
}

}  // namespace
}  // namespace pylon::chain

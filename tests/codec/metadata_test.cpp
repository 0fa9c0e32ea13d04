#include "codec/metadata.hpp"

#include "test_support.hpp"

namespace pylon::codec {
namespace {

struct MetadataFile {
  const char* rel;
  int version;
  std::size_t extensions;
};

const MetadataFile kFiles[] = {
    {"chain/finney-metadata-v15.option.hex", 15, 11},
    {"chain/devnet-metadata-v16.scale", 16, 12},
    {"chain/localnet/spec293-metadata-v14.hex", 14, 0},
    {"chain/localnet/spec293-metadata-v15.option.hex", 15, 0},
};

class MetadataFiles : public ::testing::TestWithParam<MetadataFile> {};

TEST_P(MetadataFiles, ParsesWholeFileWithSubtensorContent) {
  const auto& f = GetParam();
  PYLON_REQUIRE_SHARED(f.rel);
  auto md = load_metadata_file(test::shared_path(f.rel));
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ((*md)->version, f.version);
  const Pallet* st = (*md)->pallet("SubtensorModule");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->index, 7);
  ASSERT_TRUE(st->calls.has_value());
  const TypeDef& calls = (*md)->types[*st->calls];
  ASSERT_NE(calls.variant_named("set_weights"), nullptr);
  EXPECT_EQ(calls.variant_named("set_weights")->index, 0);
  ASSERT_NE(calls.variant_named("commit_weights"), nullptr);
  EXPECT_EQ(calls.variant_named("commit_weights")->index, 96);
  const Pallet* commitments = (*md)->pallet("Commitments");
  ASSERT_NE(commitments, nullptr);
  const StorageEntry* commitment_of = commitments->storage_entry("CommitmentOf");
  ASSERT_NE(commitment_of, nullptr);
  EXPECT_TRUE(commitment_of->is_map);
  EXPECT_EQ(commitment_of->hashers.size(), 2u);
  if (f.extensions) {
    EXPECT_EQ((*md)->extrinsic.extensions.size(), f.extensions);
  }
  EXPECT_FALSE((*md)->extrinsic.extensions.empty());
  EXPECT_EQ((*md)->extrinsic.extensions.front().identifier, "CheckNonZeroSender");
  ASSERT_TRUE((*md)->extrinsic.call.has_value());
  if (f.version >= 15) {
    const RuntimeApiMethod* m = (*md)->api_method("NeuronInfoRuntimeApi_get_neurons_lite");
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->inputs.size(), 1u);
    EXPECT_EQ(m->inputs[0].name, "netuid");
    EXPECT_EQ((*md)->types.display_name(m->inputs[0].type), "u16");
    EXPECT_EQ((*md)->types.display_name(m->output), "Vec<PalletSubtensorRpcInfoNeuronInfoNeuronInfoLite>");
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, MetadataFiles, ::testing::ValuesIn(kFiles));

TEST(Metadata, DevnetV16ListsSudoExtensionAtIndex8) {
  PYLON_REQUIRE_SHARED("chain/devnet-metadata-v16.scale");
  auto md = load_metadata_file(test::shared_path("chain/devnet-metadata-v16.scale"));
  ASSERT_TRUE(md.ok()) << md.error().message;
  ASSERT_GT((*md)->extrinsic.extensions.size(), 8u);
  EXPECT_EQ((*md)->extrinsic.extensions[8].identifier, "SudoTransactionExtension");
}

TEST(Metadata, RejectsBadMagicVersionAndTruncation) {
  const Bytes not_meta{'m', 'e', 't', 'x', 15};
  EXPECT_FALSE(parse_metadata(not_meta).ok());
  const Bytes v13{'m', 'e', 't', 'a', 13, 0};
  auto r = parse_metadata(v13);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("version 13"), std::string::npos);
  PYLON_REQUIRE_SHARED("chain/devnet-metadata-v16.scale");
  const std::string raw = test::read_file(test::shared_path("chain/devnet-metadata-v16.scale"));
  for (std::size_t cut : {std::size_t{6}, raw.size() / 3, raw.size() - 1}) {
    Bytes b(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(cut));
    auto t = parse_metadata(b);
    ASSERT_FALSE(t.ok()) << "cut at " << cut;
    EXPECT_NE(t.error().message.find("at byte"), std::string::npos) << t.error().message;
  }
  Bytes extra(raw.begin(), raw.end());
  extra.push_back(0);
  auto e = parse_metadata(extra);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("left after"), std::string::npos) << e.error().message;
}

TEST(Metadata, UnwrapsOptionAndOpaqueFraming) {
  const Bytes raw{'m', 'e', 't', 'a', 14};
  Bytes opaque{static_cast<std::uint8_t>(5 << 2)};
  opaque.insert(opaque.end(), raw.begin(), raw.end());
  Bytes option{1};
  option.insert(option.end(), opaque.begin(), opaque.end());
  EXPECT_EQ(*unwrap_metadata_bytes(raw), raw);
  EXPECT_EQ(*unwrap_metadata_bytes(opaque), raw);
  EXPECT_EQ(*unwrap_metadata_bytes(option), raw);
  EXPECT_FALSE(unwrap_metadata_bytes(Bytes{0}).ok());
  EXPECT_FALSE(unwrap_metadata_bytes(Bytes{1, 2, 3}).ok());
}

}  // namespace
}  // namespace pylon::codec

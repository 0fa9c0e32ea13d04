// SubnetState / SelectiveMetagraph columns and Commitments registrations, on bytes built here
// field by field (no recording holds them) and cross-checked against the dynamic decoder.
#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/scale_writer.hpp"
#include "codec/views/columns.hpp"
#include "codec/views/commitment.hpp"
#include "test_support.hpp"

namespace pylon::codec::views {
namespace {

constexpr const char* kFinney = "chain/finney-metadata-v15.option.hex";

AccountId account(std::uint8_t fill) {
  AccountId a;
  a.bytes().fill(fill);
  return a;
}

TEST(ColumnsView, SubnetStateColumns) {
  PYLON_REQUIRE_SHARED(kFinney);
  auto md = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok());
  auto view = ColumnsView::resolve_api(*md, "SubnetInfoRuntimeApi_get_subnet_state");
  ASSERT_TRUE(view.ok()) << view.error().message;
  ScaleWriter w;
  w.u8(1);                       // Some
  w.compact(7);                  // netuid
  for (int k = 0; k < 2; ++k) {  // hotkeys, coldkeys
    w.compact(2);
    w.bytes(account(static_cast<std::uint8_t>(0x10 + k)));
    w.bytes(account(static_cast<std::uint8_t>(0x20 + k)));
  }
  for (int k = 0; k < 2; ++k) {  // active, validator_permit
    w.compact(2);
    w.boolean(true);
    w.boolean(k == 0);
  }
  // pruning_score .. total_stake: 12 lists of compacts
  for (int k = 0; k < 12; ++k) {
    w.compact(2);
    w.compact(static_cast<u128>(k));
    w.compact(60000);
  }
  w.compact(1);  // emission_history: one row of two
  w.compact(2);
  w.compact(5);
  w.compact(6);
  auto cols = view->decode(w.out());
  ASSERT_TRUE(cols.ok()) << cols.error().message;
  ASSERT_TRUE(cols->has_value());
  const Columns& c = **cols;
  EXPECT_EQ(c.u64("netuid"), 7u);
  ASSERT_EQ(c.find("hotkeys")->kind, Column::Kind::Accounts);
  EXPECT_EQ(c.find("hotkeys")->accounts[1], account(0x20));
  EXPECT_EQ(c.find("validator_permit")->list, (std::vector<u128>{1, 0}));
  EXPECT_EQ(c.find("pruning_score")->kind, Column::Kind::List);
  EXPECT_EQ(c.find("pruning_score")->list[0], 0u);
  EXPECT_EQ(c.find("emission")->list[1], 60000u);
  EXPECT_EQ(c.find("emission_history")->kind, Column::Kind::Other);
  // the dynamic decoder reads the same bytes the same way
  const RuntimeApiMethod* m = (*md)->api_method("SubnetInfoRuntimeApi_get_subnet_state");
  auto dyn = decode_exact((*md)->types, m->output, w.out());
  ASSERT_TRUE(dyn.ok()) << dyn.error().message;
  EXPECT_EQ(dyn->items[0].field("netuid")->uint, 7u);
  // A value above u16 in a Compact<u16> column is refused with its place.
  {
    ScaleWriter big;
    big.u8(1);
    big.compact(7);
    for (int k = 0; k < 4; ++k) big.compact(0);  // empty hotkeys, coldkeys, active, validator_permit
    big.compact(1);
    big.compact(u128{1} << 20);  // pruning_score[0]
    auto r = view->decode(big.out());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("pruning_score"), std::string::npos) << r.error().message;
  }
  // None and garbage
  auto none = view->decode(Bytes{0});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Bytes cut = w.out();
  cut.resize(cut.size() - 3);
  auto bad = view->decode(cut);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("emission_history"), std::string::npos) << bad.error().message;
}

TEST(ColumnsView, SelectiveMetagraphAbsentAndPresentFields) {
  PYLON_REQUIRE_SHARED(kFinney);
  auto md = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok());
  auto view = ColumnsView::resolve_api(*md, "SubnetInfoRuntimeApi_get_selective_metagraph");
  ASSERT_TRUE(view.ok()) << view.error().message;
  const RuntimeApiMethod* m = (*md)->api_method("SubnetInfoRuntimeApi_get_selective_metagraph");
  const TypeDef& sm = (*md)->types[(*md)->types[m->output].variants[1].fields[0].type];
  // Select only `tempo` and `hotkeys`: every other Option is None.
  ScaleWriter w;
  w.u8(1);
  w.compact(3);  // netuid (not optional)
  for (const auto& f : sm.fields) {
    if (f.name == "netuid") continue;
    if (f.name == "tempo") {
      w.u8(1);
      w.compact(360);
    } else if (f.name == "hotkeys") {
      w.u8(1);
      w.compact(1);
      w.bytes(account(9));
    } else {
      w.u8(0);
    }
  }
  auto cols = view->decode(w.out());
  ASSERT_TRUE(cols.ok()) << cols.error().message;
  const Columns& c = **cols;
  EXPECT_EQ(c.u64("netuid"), 3u);
  EXPECT_EQ(c.u64("tempo"), 360u);
  EXPECT_EQ(c.find("hotkeys")->accounts.at(0), account(9));
  EXPECT_EQ(c.find("kappa")->kind, Column::Kind::Absent);
  EXPECT_EQ(c.find("axons")->kind, Column::Kind::Absent);
}

TEST(CommitmentView, RegistrationWithRawHashAndTimelockFields) {
  PYLON_REQUIRE_SHARED(kFinney);
  auto md = load_metadata_file(test::shared_path(kFinney));
  ASSERT_TRUE(md.ok());
  auto view = CommitmentView::resolve(*md);
  ASSERT_TRUE(view.ok()) << view.error().message;
  const TypeDef& data = [&]() -> const TypeDef& {
    for (TypeId id = 0; id < (*md)->types.types.size(); ++id)
      if ((*md)->types.display_name(id) == "PalletCommitmentsTypesData") return (*md)->types[id];
    return (*md)->types.types[0];
  }();
  ASSERT_NE(data.variant_named("Raw4"), nullptr);
  ASSERT_NE(data.variant_named("TimelockEncrypted"), nullptr);
  ScaleWriter w;
  w.fixed_le<std::uint64_t>(1000);  // deposit
  w.fixed_le<std::uint32_t>(4242);  // block
  w.compact(3);
  w.u8(data.variant_named("Raw4")->index);
  w.bytes(Bytes{'a', 'b', 'c', 'd'});
  w.u8(data.variant_named("Sha256")->index);
  w.bytes(Bytes(32, 0xab));
  w.u8(data.variant_named("TimelockEncrypted")->index);
  w.compact(3);
  w.bytes(Bytes{1, 2, 3});
  w.fixed_le<std::uint64_t>(777);
  auto c = view->decode(w.out());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->block, 4242u);
  EXPECT_EQ(c->deposit, 1000u);
  ASSERT_EQ(c->fields.size(), 3u);
  EXPECT_EQ(c->fields[0].kind, "Raw4");
  EXPECT_EQ(c->fields[0].data, (Bytes{'a', 'b', 'c', 'd'}));
  EXPECT_EQ(c->fields[1].data, Bytes(32, 0xab));
  EXPECT_EQ(c->fields[2].kind, "TimelockEncrypted");
  EXPECT_EQ(c->fields[2].data, (Bytes{1, 2, 3}));
  EXPECT_EQ(c->fields[2].reveal_round, 777u);
  EXPECT_EQ(c->concatenated().size(), 4u + 32u + 3u);
  // an unknown Data index is refused, not guessed
  Bytes bad = w.out();
  bad[13] = 0xfe;
  EXPECT_FALSE(view->decode(bad).ok());
}

}  // namespace
}  // namespace pylon::codec::views

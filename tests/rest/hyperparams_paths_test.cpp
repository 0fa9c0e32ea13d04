// The /hyperparams JSON and the shm segment's hyperparameters do not depend on which runtime API
// answered: the same values through _v2 (devnet's real struct) and through _v3 (subtensor's
// name/value list, added to the devnet metadata) render to the same bytes and fill the same
// segment record, every field landing (numbers differ per field).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>

#include "../codec/hyperparams_answers.hpp"
#include "../codec/hyperparams_v3_metadata.hpp"
#include "../codec/test_support.hpp"
#include "rest/render.hpp"
#include "shm/from_snapshot.hpp"

namespace pylon {
namespace {

constexpr const char* kDevnet = "chain/devnet-metadata-v16.scale";

TEST(HyperparamsPaths, V2AndV3GiveTheSameJsonAndSegmentFields) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto devnet = codec::load_metadata_file(test::shared_path(kDevnet));
  ASSERT_TRUE(devnet.ok()) << devnet.error().message;
  auto md = test::with_hyperparams_v3(**devnet);
  ASSERT_NE(md, nullptr);
  const auto answers = test::distinct_hyperparam_answers(*md);
  ASSERT_EQ(answers.fields, 33u);

  follower::Snapshot via_v2, via_v3;
  for (auto [snap, meta, bytes] :
       {std::tuple{&via_v2, *devnet, &answers.v2}, std::tuple{&via_v3, md, &answers.v3}}) {
    auto view = codec::views::HyperparamsView::resolve(meta);
    ASSERT_TRUE(view.ok()) << view.error().message;
    auto rec = view->decode(*bytes);
    ASSERT_TRUE(rec.ok()) << view->method() << ": " << rec.error().message;
    ASSERT_TRUE(rec->has_value());
    snap->hyperparams = std::move(**rec);
  }
  ASSERT_EQ(codec::views::HyperparamsView::resolve(md)->api(), codec::views::HyperparamsView::Api::kV3);

  const std::string json = rest::render_hyperparams(via_v2);
  EXPECT_EQ(rest::render_hyperparams(via_v3), json);
  simdjson::dom::parser p;
  simdjson::dom::object o = p.parse(json).get_object().value();
  EXPECT_EQ(o.size(), 33u);
  EXPECT_EQ(std::uint64_t(o["tempo"]), 1005u);
  EXPECT_EQ(std::uint64_t(o["max_burn"]), 5000000015u);
  EXPECT_EQ(std::int64_t(o["alpha_sigmoid_steepness"]), -4027);
  EXPECT_EQ(bool(o["commit_reveal_weights_enabled"]), true);

  auto a = shm::to_snapshot_data(via_v2);
  auto b = shm::to_snapshot_data(via_v3);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(0, std::memcmp(&a->hyperparams, &b->hyperparams, sizeof(shm::Hyperparams)));
  const shm::Hyperparams& h = b->hyperparams;
  // Field i of devnet's v2 struct holds 1000 + i (16-bit) or 5000000000 + i (64-bit).
  EXPECT_EQ(h.rho, 1000);
  EXPECT_EQ(h.tempo, 1005);
  EXPECT_EQ(h.min_difficulty, 5000000006u);
  EXPECT_EQ(h.activity_cutoff, 1011);
  EXPECT_EQ(h.min_burn, 5000000014u);
  EXPECT_EQ(h.max_validators, 1019);
  EXPECT_EQ(h.commit_reveal_period, 5000000022u);
  EXPECT_EQ(h.alpha_low, 1025);
  EXPECT_EQ(h.commit_reveal_weights_enabled, 1);
  EXPECT_EQ(h.registration_allowed, 0);
  for (std::uint64_t v : {h.max_difficulty, h.weights_version, h.weights_rate_limit, h.max_burn,
                          h.bonds_moving_avg, h.serving_rate_limit, h.adjustment_alpha, h.difficulty})
    EXPECT_GE(v, 5000000000u);
  for (std::uint16_t v :
       {h.kappa, h.immunity_period, h.min_allowed_weights, h.max_weights_limit, h.adjustment_interval,
        h.target_regs_per_interval, h.max_regs_per_block, h.alpha_high})
    EXPECT_GE(v, 1000);
}

}  // namespace
}  // namespace pylon

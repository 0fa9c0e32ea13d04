// The runtime's get_next_epoch_start_block beside the storage rule: its argument and answer typed
// by the metadata (the devnet runtime with the method as subtensor declares it added: no shared
// metadata has it), and the cross-check against epoch_by_state, with the runtime API's value
// worked as subtensor's get_next_epoch_start_block (run_coinbase.rs, 14bc6f9f9) computes it:
// LastEpochBlock + tempo, or PendingEpochAt when set and earlier.
#include "committer/epoch_api.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../codec/test_support.hpp"
#include "epoch_rows.hpp"
#include "next_epoch_metadata.hpp"

namespace pylon::committer {
namespace {

constexpr const char* kDevnet = "chain/devnet-metadata-v16.scale";

std::shared_ptr<const codec::Metadata> devnet() {
  auto md = codec::load_metadata_file(pylon::test::shared_path(kDevnet));
  EXPECT_TRUE(md.ok()) << md.error().message;
  return md.ok() ? *md : nullptr;
}

TEST(EpochApi, ArgumentAndAnswerTypedByTheMetadata) {
  PYLON_REQUIRE_SHARED(kDevnet);
  auto plain = devnet();
  ASSERT_NE(plain, nullptr);
  auto md = pylon::test::with_next_epoch_start(*plain);
  ASSERT_NE(md, nullptr);
  auto args = next_epoch_start_args(*md, 0x0107);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(*args, (Bytes{0x07, 0x01}));  // NetUid: u16, little-endian

  auto some = decode_next_epoch_start(*md, Bytes{1, 0xd2, 0x04, 0, 0, 0, 0, 0, 0});
  ASSERT_TRUE(some.ok()) << some.error().message;
  EXPECT_EQ(*some, std::optional<std::uint64_t>{1234});
  auto none = decode_next_epoch_start(*md, Bytes{0});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, std::nullopt);

  const auto kind = [&](const Bytes& b) {
    auto r = decode_next_epoch_start(*md, b);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::nullopt : r.error().kind_of<EpochApiErrc>();
  };
  EXPECT_EQ(kind(Bytes{2, 0, 0, 0, 0, 0, 0, 0, 0}), EpochApiErrc::kMalformed);  // Option tag 2
  EXPECT_EQ(kind(Bytes{1, 0xd2, 0x04}), EpochApiErrc::kMalformed);              // u64 cut short
  EXPECT_EQ(kind(Bytes{0, 0}), EpochApiErrc::kMalformed);                       // bytes after None
  EXPECT_EQ(kind(Bytes{}), EpochApiErrc::kMalformed);

  // A runtime without the method: its shape cannot be known, and epoch_at does not call it.
  auto missing = decode_next_epoch_start(*plain, Bytes{0});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().is(EpochApiErrc::kShape));
  EXPECT_TRUE(next_epoch_start_args(*plain, 1).error().is(EpochApiErrc::kShape));
}

// subtensor's get_next_epoch_start_block over the same storage values.
std::optional<std::uint64_t> runtime_api_next(const EpochState& st) {
  if (st.tempo == 0) return std::nullopt;
  const std::uint64_t auto_next = st.last_epoch_block + st.tempo;
  return st.pending_epoch_at > 0 ? std::min(auto_next, st.pending_epoch_at) : auto_next;
}

TEST(EpochApi, AgreesWithTheStorageRuleExceptWhereTheSafetyNetFires) {
  struct Row {
    EpochState st;
    std::uint64_t block;
    bool agree;
    std::uint64_t storage_end;
  };
  const Row rows[] = {
      {test::epoch_state(1000, 0, 5, 360), 1005, true, 1360},     // the regular period
      {test::epoch_state(1000, 1100, 5, 360), 1005, true, 1100},  // an owner-triggered epoch first
      {test::epoch_state(1000, 1006, 5, 360), 1005, true, 1006},  // deferred to the next block
      {test::epoch_state(1000, 0, 50400, 360), 1005, false,
       1006},  // the safety net, which the API leaves out
      {test::epoch_state(1000, 0, 50390, 360), 1005, false, 1016},  // ... ten blocks ahead
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.storage_end);
    auto span = epoch_by_state(row.st, row.block);
    ASSERT_TRUE(span.ok()) << span.error().message;
    EXPECT_EQ(span->end, row.storage_end);
    const std::uint64_t before = epoch_rule_disagreements();
    EXPECT_EQ(cross_check_next_epoch(*span, runtime_api_next(row.st), 1, row.block), row.agree);
    EXPECT_EQ(epoch_rule_disagreements() - before, row.agree ? 0u : 1u);
  }
  // None (tempo 0 by the runtime) against a running subnet: a disagreement too.
  auto span = epoch_by_state(test::epoch_state(1000, 0, 5, 360), 1005);
  ASSERT_TRUE(span.ok());
  const std::uint64_t before = epoch_rule_disagreements();
  EXPECT_FALSE(cross_check_next_epoch(*span, std::nullopt, 1, 1005));
  EXPECT_EQ(epoch_rule_disagreements() - before, 1u);
}

}  // namespace
}  // namespace pylon::committer

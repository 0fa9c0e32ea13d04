// The pieces of submission that need no chain: which node answers mean "read the nonce again",
// and how a watched outcome becomes an attempt's status.
#include "committer/submitter.hpp"

#include <gtest/gtest.h>

#include "committer/committer_impl.hpp"

namespace pylon::committer {
namespace {

TEST(Submitter, RecognisesANodeRefusingTheNonce) {
  // As the RPC client reports JSON-RPC errors: "<method>: JSON-RPC error <code>: <message>".
  EXPECT_TRUE(Submitter::is_nonce_refusal(
      "author_submitAndWatchExtrinsic: JSON-RPC error 1010: Invalid Transaction"));
  EXPECT_TRUE(Submitter::is_nonce_refusal(
      "author_submitAndWatchExtrinsic: JSON-RPC error 1014: Priority is too low: (0 vs 0)"));
  EXPECT_TRUE(Submitter::is_nonce_refusal(
      "author_submitAndWatchExtrinsic: JSON-RPC error 1: {\"invalid\":{\"stale\":null}}"));
  EXPECT_TRUE(Submitter::is_nonce_refusal("Transaction is outdated"));
  EXPECT_FALSE(Submitter::is_nonce_refusal("author_submitAndWatchExtrinsic: request timed out"));
  EXPECT_FALSE(Submitter::is_nonce_refusal("no connection to the chain"));
  EXPECT_FALSE(Submitter::is_nonce_refusal("SubtensorModule.SettingWeightsTooFast"));
}

TEST(Submitter, OutcomesBecomeAttemptStatuses) {
  chain::TxOutcome o;
  o.status = chain::TxOutcome::Status::Included;
  o.success = true;
  EXPECT_EQ(status_of(o), "included");
  o.status = chain::TxOutcome::Status::Finalized;
  EXPECT_EQ(status_of(o), "finalized");
  o.success = false;
  o.error = "SubtensorModule.NeuronNoValidatorPermit";
  EXPECT_EQ(status_of(o), "failed");
  o.status = chain::TxOutcome::Status::Dropped;
  EXPECT_EQ(status_of(o), "failed");
  o.status = chain::TxOutcome::Status::Usurped;
  EXPECT_EQ(status_of(o), "failed");
  o.status = chain::TxOutcome::Status::TimedOut;  // nobody knows: looked for on chain later
  EXPECT_EQ(status_of(o), "pending");
}

}  // namespace
}  // namespace pylon::committer

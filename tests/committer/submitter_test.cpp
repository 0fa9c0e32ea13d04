// The pieces of submission that need no chain: which node answers mean "read the nonce again",
// and how a watched outcome becomes an attempt's status.
#include "committer/submitter.hpp"

#include <gtest/gtest.h>

#include "committer/committer_impl.hpp"

namespace pylon::committer {
namespace {

// As the RPC client reports a node's JSON-RPC error: kind kNodeError, the code, the data as JSON.
Error node_error(std::int64_t code, std::string message, std::string data = {}) {
  Error e = make_error(net::RpcErrc::kNodeError, std::move(message), code);
  e.peer_data = std::move(data);
  return e;
}

TEST(Submitter, RecognisesANodeRefusingTheNonceByCodeAndData) {
  // substrate: 1010 with the InvalidTransaction's text as data; 1014 for a same-nonce replacement.
  EXPECT_TRUE(
      Submitter::is_nonce_refusal(node_error(1010, "Invalid Transaction", R"("Transaction is outdated")")));
  EXPECT_TRUE(Submitter::is_nonce_refusal(
      node_error(1010, "Invalid Transaction", R"("Transaction will be valid in the future")")));
  EXPECT_TRUE(Submitter::is_nonce_refusal(node_error(
      1014, "Priority is too low",
      R"("The transaction has too low priority to replace another transaction already in the pool.")")));
  // chopsticks: 1010 without data (the validity error only in its message): one retry.
  EXPECT_TRUE(Submitter::is_nonce_refusal(node_error(1010, R"({"invalid":{"stale":null}})")));

  // Other invalid transactions are not the nonce's: the data is compared exactly.
  EXPECT_FALSE(Submitter::is_nonce_refusal(
      node_error(1010, "Invalid Transaction", R"("Transaction has a bad signature")")));
  EXPECT_FALSE(Submitter::is_nonce_refusal(
      node_error(1010, "Invalid Transaction", R"("Transaction is outdated and more")")));
  EXPECT_FALSE(Submitter::is_nonce_refusal(node_error(1010, "Invalid Transaction", R"(not json)")));
  EXPECT_FALSE(Submitter::is_nonce_refusal(node_error(1010, "Invalid Transaction", R"({"a":1})")));
  // Another code, whatever its text says.
  EXPECT_FALSE(Submitter::is_nonce_refusal(node_error(1011, "Transaction is outdated (stale)")));
  EXPECT_FALSE(
      Submitter::is_nonce_refusal(node_error(-32602, "Invalid params", R"("Transaction is outdated")")));
  // Failures that are not the node's answer.
  EXPECT_FALSE(
      Submitter::is_nonce_refusal(make_error(net::RpcErrc::kTimeout, "JSON-RPC error 1010 stale", 1010)));
  EXPECT_FALSE(Submitter::is_nonce_refusal(make_error(net::RpcErrc::kConnectionLost, "outdated")));
  EXPECT_FALSE(Submitter::is_nonce_refusal(make_error("error 1014: Priority is too low")));
}

TEST(Submitter, OutcomesBecomeAttemptStatuses) {
  chain::TxOutcome o;
  o.status = chain::TxOutcome::Status::Included;
  o.success = true;
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kIncluded);
  o.status = chain::TxOutcome::Status::Finalized;
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kFinalized);
  o.success = false;
  o.error = "SubtensorModule.NeuronNoValidatorPermit";
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kFailed);
  o.status = chain::TxOutcome::Status::Dropped;
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kFailed);
  o.status = chain::TxOutcome::Status::Usurped;
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kFailed);
  o.status = chain::TxOutcome::Status::TimedOut;  // nobody knows: looked for on chain later
  EXPECT_EQ(status_of(o), weights::AttemptStatus::kPending);
}

}  // namespace
}  // namespace pylon::committer

namespace pylon::committer {
namespace {

// /health and /weights_status show these names; operators' alerts match on them.
TEST(CommitterPhase, KeepsTheNamesRestHasAlwaysShown) {
  EXPECT_EQ(to_string(Phase::kIdle), "idle");
  EXPECT_EQ(to_string(Phase::kWaitingWindow), "waiting_window");
  EXPECT_EQ(to_string(Phase::kCommitting), "committing");
  EXPECT_EQ(to_string(Phase::kRevealing), "revealing");
  EXPECT_EQ(to_string(Phase::kBlocked), "blocked");
}

}  // namespace
}  // namespace pylon::committer

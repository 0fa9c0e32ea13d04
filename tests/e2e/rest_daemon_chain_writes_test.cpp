// The REST API's writes to the chain on the real binary (the suite's one daemon,
// rest_daemon_support.hpp): POST /set_commitment and what /get_commitment and /get_commitments then
// serve, and PUT /set_hyperparam as the subnet owner. Each write is checked where it lands: the
// answered extrinsic in the answered block by the block's own bytes, Commitments.CommitmentOf and
// SubtensorModule.ServingRateLimit read from storage by the test, and the daemon serving the new
// value once its snapshot has caught up. Why: a 200 means nothing unless the chain holds the change.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <random>

#include "e2e_support.hpp"
#include "rest_daemon_support.hpp"

namespace pylon::e2e {
namespace {

using namespace std::chrono_literals;
using test::eventually;

// ---------------------------------------------------------------------------------------------
// Writes to the chain: /set_commitment, /get_commitment(s), /set_hyperparam

TEST_F(RestDaemonLocalnet, SetCommitmentLandsInCommitmentsStorageAndIsServed) {
  const std::uint64_t before = caught_up(*d, *probe);
  ASSERT_NE(before, 0u);
  std::mt19937 rng(std::random_device{}());
  Bytes data(6);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const std::string hex = to_hex(data);

  EXPECT_TRUE(
      is_error(http(d->port(), "POST", "/set_commitment", R"({"data_hex":"0xnothex"})"), 400, "bad_request"));
  HttpAnswer a;
  {
    BlockMaker blocks(*rpc->client);
    a = http(d->port(), "POST", "/set_commitment", R"({"data_hex":")" + hex + "\"}");
  }
  ASSERT_EQ(a.status, 200) << a.body << "\n" << d->log_tail();
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  // The answered extrinsic is in the answered block, by the block's own bytes.
  const std::string xt = str_of(j.root, "extrinsic_hash"), in = str_of(j.root, "block_hash");
  const auto hashes = rpc->extrinsic_hashes(in);
  EXPECT_NE(std::find(hashes.begin(), hashes.end(), xt), hashes.end()) << a.body;

  const AccountId me = pylon_hotkey();
  const Bytes my_key(me.begin(), me.end());
  // Commitments.CommitmentOf(netuid, hotkey): Registration { deposit, block, info: { fields } }
  // ending in fields = [Data::Raw6(data)]: compact(1), variant 7 (RawN is N + 1), the bytes.
  const chain::BlockRef head = probe->best();
  auto stored = storage_value(probe->chain(), head, "Commitments", "CommitmentOf", {u16_key(netuid), my_key});
  ASSERT_TRUE(stored.has_value()) << "no CommitmentOf for the pylon hotkey";
  Bytes tail{0x04, 0x07};
  tail.insert(tail.end(), data.begin(), data.end());
  ASSERT_GE(stored->size(), tail.size());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), stored->end() - static_cast<std::ptrdiff_t>(tail.size())))
      << "CommitmentOf is " << to_hex(*stored);

  // Served once the daemon's snapshot has caught up with the block holding it.
  const std::string want = "{\"hotkey\":\"" + shared_->me + "\",\"commitment\":\"" + hex + "\"}";
  ASSERT_TRUE(
      eventually([&] { return http(d->port(), "GET", "/get_commitment/" + shared_->me).body == want; }, 15s))
      << http(d->port(), "GET", "/get_commitment/" + shared_->me).body;
  auto all = http(d->port(), "GET", "/get_commitments");
  ASSERT_EQ(all.status, 200);
  Json jall(all.body);
  ASSERT_TRUE(jall.ok) << all.body;
  EXPECT_EQ(str_of(jall.root, shared_->me.c_str()), hex) << all.body;
  // At a block before it: whatever the chain held then (the commitment is new in this run).
  const std::string at_before = "?block=" + std::to_string(before);
  auto old = http(d->port(), "GET", "/get_commitment/" + shared_->me + at_before);
  EXPECT_NE(old.body, want);
  if (!storage_value(probe->chain(), block_ref(*rpc, before), "Commitments", "CommitmentOf",
                     {u16_key(netuid), my_key})) {
    EXPECT_TRUE(is_error(old, 404, "not_found"));
  }
  auto all_old = http(d->port(), "GET", "/get_commitments" + at_before);
  EXPECT_EQ(all_old.status, 200);
  EXPECT_EQ(all_old.body.find(hex), std::string::npos) << all_old.body;
  EXPECT_TRUE(is_error(http(d->port(), "GET", "/get_commitment/5NotAnAddress"), 400, "bad_request"));
}

TEST_F(RestDaemonLocalnet, SetHyperparamAsTheSubnetOwnerChangesStorage) {
  // The shared `pylon` wallet's own coldkey owns no subnet (and its password is not known); the
  // bootstrap's `owner` coldkey owns both subnets, so this daemon's wallet pairs it with the shared
  // hotkey. The refusal of a coldkey that owns nothing is in AuthOnTheDaemon.
  if (shared_->owner_password.empty())
    GTEST_SKIP() << "the bootstrap's owner coldkey password file was not found next to its wallets";
  const std::uint64_t head = caught_up(*d, *probe);
  ASSERT_NE(head, 0u);
  const std::vector<Bytes> key{u16_key(netuid)};
  const auto was =
      storage_uint(probe->chain(), block_ref(*rpc, head), "SubtensorModule", "ServingRateLimit", key);
  ASSERT_TRUE(was.has_value());
  const std::uint64_t want = *was + 7;

  // Refused before anything is signed: an unknown name, a value of the wrong shape.
  auto a = http(d->port(), "PUT", "/set_hyperparam", R"({"name":"no_such_knob","value":1})");
  EXPECT_TRUE(is_error(a, 400, "bad_request"));
  EXPECT_NE(a.body.find("unknown hyperparameter"), std::string::npos) << a.body;
  EXPECT_TRUE(
      is_error(http(d->port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit","value":"lots"})"),
               400, "bad_request"));
  EXPECT_TRUE(is_error(http(d->port(), "PUT", "/set_hyperparam", R"({"name":"serving_rate_limit"})"), 400,
                       "bad_request"));
  {
    BlockMaker blocks(*rpc->client);
    a = http(d->port(), "PUT", "/set_hyperparam",
             R"({"name":"serving_rate_limit","value":)" + std::to_string(want) + "}");
  }
  ASSERT_EQ(a.status, 200) << a.body << "\n" << d->log_tail();
  Json j(a.body);
  ASSERT_TRUE(j.ok);
  EXPECT_FALSE(str_of(j.root, "detail").empty());
  const auto hashes = rpc->extrinsic_hashes(str_of(j.root, "block_hash"));
  EXPECT_NE(std::find(hashes.begin(), hashes.end(), str_of(j.root, "extrinsic_hash")), hashes.end())
      << a.body;
  EXPECT_EQ(storage_uint(probe->chain(), probe->best(), "SubtensorModule", "ServingRateLimit", key), want);
  ASSERT_TRUE(eventually(
      [&] {
        Json h(http(d->port(), "GET", "/hyperparams").body);
        return h.ok && u64_of(h.root, "serving_rate_limit") == want;
      },
      15s))
      << http(d->port(), "GET", "/hyperparams").body;
}

}  // namespace
}  // namespace pylon::e2e

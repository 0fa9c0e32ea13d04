// Fuzzes the parsing of the node's subscription notifications: finalized heads (the follower),
// runtime versions (ChainClient::watch_runtime) and transaction statuses (submit_and_watch).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chain/chain_client.hpp"
#include "chain/extrinsic_status.hpp"
#include "follower/head_notification.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  using pylon::chain::ChainErrc;
  auto head = pylon::follower::parse_head_number(json);
  auto version = pylon::chain::parse_runtime_version(json);
  auto st = pylon::chain::parse_extrinsic_status(json);
  if ((!head.ok() && !head.error().is(ChainErrc::kBadAnswer)) ||
      (!version.ok() && !version.error().is(ChainErrc::kBadAnswer)) ||
      (!st.ok() && !st.error().is(ChainErrc::kBadAnswer)))
    std::abort();  // a notification not understood is the node's fault, and says so
  using Kind = pylon::chain::ExtrinsicStatus::Kind;
  if (st.ok() && (st->kind == Kind::kInBlock || st->kind == Kind::kFinalized) && !st->block)
    std::abort();  // the watch reads the outcome from that block
  return 0;
}

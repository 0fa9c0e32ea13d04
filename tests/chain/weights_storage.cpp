#include "weights_storage.hpp"

#include "codec/scale_reader.hpp"
#include "localnet_chain.hpp"

namespace pylon::net::testing {

WeightsRow chain_weights(chain::ChainClient& c, std::uint16_t netuid, std::uint16_t uid,
                         const chain::BlockRef& at) {
  auto raw = read_storage(c, "SubtensorModule", "Weights", {u16_key(netuid), u16_key(uid)}, at);
  if (!raw.ok() || !raw->has_value()) return {};
  // Vec<(u16, u16)>: the call takes compacts, storage holds plain u16s.
  codec::ScaleReader r(**raw);
  auto n = r.length(4);
  if (!n.ok()) return {};
  WeightsRow row;
  for (std::size_t i = 0; i < *n; ++i) {
    auto dest = r.fixed_le<std::uint16_t>();
    auto weight = r.fixed_le<std::uint16_t>();
    if (!dest.ok() || !weight.ok()) return {};
    row.emplace_back(static_cast<std::uint16_t>(*dest), static_cast<std::uint16_t>(*weight));
  }
  return row;
}

std::size_t chain_commit_count(chain::ChainClient& c, std::uint16_t netuid, const AccountId& hotkey,
                               const chain::BlockRef& at) {
  auto raw = read_storage(c, "SubtensorModule", "WeightCommits",
                          {u16_key(netuid), Bytes(hotkey.begin(), hotkey.end())}, at);
  if (!raw.ok() || !raw->has_value()) return 0;
  // VecDeque<(H256, u64, u64, u64)>: only its length prefix is read.
  codec::ScaleReader r(**raw);
  auto n = r.length(1);
  return n.ok() ? *n : 0;
}

}  // namespace pylon::net::testing

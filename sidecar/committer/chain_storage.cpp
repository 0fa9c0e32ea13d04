#include "committer/chain_storage.hpp"

#include "chain/storage_key.hpp"
#include "codec/decoder.hpp"
#include "committer/weights_call.hpp"
#include "extrinsic/weights_hash.hpp"

namespace pylon::committer {

namespace {

constexpr std::string_view kPallet = "SubtensorModule";

using codec::unwrap_single;

// The stored value (or the entry's default), decoded with its type.
Result<std::optional<codec::Value>> read_value(chain::ChainClient& chain, const codec::Metadata& md,
                                               std::string_view pallet, std::string_view item,
                                               const std::vector<Bytes>& keys, const chain::BlockRef& at) {
  PYLON_ASSIGN(Bytes key, chain::storage_key(md, pallet, item, keys));
  PYLON_ASSIGN(std::optional<Bytes> raw, chain.storage(key, at));
  return decode_storage_value(md, pallet, item, raw);
}

}  // namespace

Bytes netuid_key(std::uint16_t netuid) {
  return Bytes{static_cast<std::uint8_t>(netuid), static_cast<std::uint8_t>(netuid >> 8)};
}

Result<std::uint64_t> read_netuid_u64(chain::ChainClient& chain, const codec::Metadata& md,
                                      std::string_view item, std::uint16_t netuid,
                                      const chain::BlockRef& at) {
  PYLON_ASSIGN(std::optional<codec::Value> v, read_value(chain, md, kPallet, item, {netuid_key(netuid)}, at));
  return as_u64(v, kPallet, item);
}

Result<std::uint64_t> read_plain_u64(chain::ChainClient& chain, const codec::Metadata& md,
                                     std::string_view pallet, std::string_view item,
                                     const chain::BlockRef& at) {
  PYLON_ASSIGN(std::optional<codec::Value> v, read_value(chain, md, pallet, item, {}, at));
  return as_u64(v, pallet, item);
}

Result<std::uint16_t> mechanism_index(const codec::Metadata& md, std::uint16_t netuid,
                                      std::uint8_t mechanism) {
  if (!has_mechanisms(md)) {
    if (mechanism != 0)
      return make_error(
          MechanismErrc::kNoSuchMechanism,
          "mechanism " + std::to_string(mechanism) +
              " does not exist: this runtime has no mechanisms (no SubtensorModule.MechanismCountCurrent)");
    return netuid;
  }
  return extrinsic::mechanism_storage_index(netuid, mechanism);
}

Result<std::vector<WeightCommit>> read_weight_commits(chain::ChainClient& chain, std::uint16_t netuid,
                                                      const AccountId& hotkey, const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, chain.metadata(at.hash));
  const Bytes account(hotkey.begin(), hotkey.end());
  PYLON_ASSIGN(std::optional<codec::Value> v,
               read_value(chain, *md, kPallet, "WeightCommits", {netuid_key(netuid), account}, at));
  std::vector<WeightCommit> out;
  if (!v) return out;
  const codec::Value* list = &*v;
  if (list->kind == codec::Value::Kind::Option) {
    if (list->items.empty()) return out;
    list = &list->items[0];
  }
  const std::string shape_error =
      "SubtensorModule.WeightCommits entries are not (H256, u64, u64, u64) in this runtime";
  if (list->kind != codec::Value::Kind::Array) return make_error(shape_error);
  for (const codec::Value& c : list->items) {
    if (c.kind != codec::Value::Kind::Array || c.items.size() != 4) return make_error(shape_error);
    const codec::Value* h = unwrap_single(&c.items[0]);
    if (!h || h->kind != codec::Value::Kind::Bytes || h->bytes.size() != 32) return make_error(shape_error);
    for (std::size_t i = 1; i < 4; ++i)
      if (c.items[i].kind != codec::Value::Kind::UInt) return make_error(shape_error);
    WeightCommit w;
    std::copy(h->bytes.begin(), h->bytes.end(), w.hash.begin());
    w.commit_block = c.items[1].uint;
    w.first_reveal_block = c.items[2].uint;
    w.last_reveal_block = c.items[3].uint;
    out.push_back(w);
  }
  return out;
}

Result<std::vector<std::pair<std::uint16_t, std::uint16_t>>> weights_row_from(
    const std::optional<codec::Value>& v) {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> out;
  if (!v) return out;
  const std::string shape_error = "SubtensorModule.Weights is not Vec<(u16, u16)> in this runtime";
  if (v->kind != codec::Value::Kind::Array) return make_error(shape_error);
  for (const codec::Value& p : v->items) {
    if (p.kind != codec::Value::Kind::Array || p.items.size() != 2 ||
        p.items[0].kind != codec::Value::Kind::UInt || p.items[1].kind != codec::Value::Kind::UInt)
      return make_error(shape_error);
    out.emplace_back(static_cast<std::uint16_t>(p.items[0].uint),
                     static_cast<std::uint16_t>(p.items[1].uint));
  }
  return out;
}

Result<std::vector<std::pair<std::uint16_t, std::uint16_t>>> read_weights_row(chain::ChainClient& chain,
                                                                              std::uint16_t netuid,
                                                                              std::uint16_t uid,
                                                                              const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, chain.metadata(at.hash));
  PYLON_ASSIGN(std::optional<codec::Value> v,
               read_value(chain, *md, kPallet, "Weights", {netuid_key(netuid), netuid_key(uid)}, at));
  return weights_row_from(v);
}

Result<std::uint64_t> last_update_from(const std::optional<codec::Value>& v, std::uint16_t uid) {
  if (!v) return std::uint64_t{0};
  if (v->kind != codec::Value::Kind::Array)
    return make_error("SubtensorModule.LastUpdate is not Vec<u64> in this runtime");
  if (uid >= v->items.size()) return std::uint64_t{0};
  const codec::Value& x = v->items[uid];
  if (x.kind != codec::Value::Kind::UInt)
    return make_error("SubtensorModule.LastUpdate is not Vec<u64> in this runtime");
  return x.uint;
}

Result<std::uint64_t> read_last_update(chain::ChainClient& chain, std::uint16_t index, std::uint16_t uid,
                                       const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, chain.metadata(at.hash));
  PYLON_ASSIGN(std::optional<codec::Value> v,
               read_value(chain, *md, kPallet, "LastUpdate", {netuid_key(index)}, at));
  return last_update_from(v, uid);
}

}  // namespace pylon::committer

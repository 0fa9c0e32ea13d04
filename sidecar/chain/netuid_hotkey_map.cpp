#include "chain/netuid_hotkey_map.hpp"

#include <algorithm>

#include "chain/chain_client.hpp"
#include "chain/storage_key.hpp"
#include "codec/scale_writer.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::chain {

Result<std::optional<NetuidHotkeyMap>> NetuidHotkeyMap::resolve(const codec::Metadata& md,
                                                                std::string_view pallet,
                                                                std::string_view item) {
  const codec::Pallet* p = md.pallet(pallet);
  const codec::StorageEntry* e = p ? p->storage_entry(item) : nullptr;
  if (e == nullptr) return std::optional<NetuidHotkeyMap>();
  NetuidHotkeyMap m;
  m.name_ = std::string(pallet) + "." + std::string(item);
  const codec::TypeRegistry& reg = md.types;
  // Keys: (netuid: u16, hotkey: AccountId32), the hotkey hashed reversibly so each key names it.
  const codec::TypeDef& key = reg[e->key];
  if (!e->is_map || e->hashers.size() != 2 || key.kind != codec::TypeKind::Tuple || key.tuple.size() != 2)
    return m.bad_state("not a double map of (netuid, hotkey) in this runtime, but keyed by " +
                       reg.display_name(e->key));
  const auto netuid = codec::views::int_shape(reg, key.tuple[0]);  // u16, or a newtype of it (NetUid)
  if (!netuid || netuid->compact || netuid->is_signed || netuid->width != 2)
    return m.bad_state("its netuid key is " + reg.display_name(key.tuple[0]) + ", not a u16");
  if (reg[key.tuple[1]].special != codec::Special::AccountId32)
    return m.bad_state("its hotkey key is " + reg.display_name(key.tuple[1]) + ", not an AccountId32");
  const auto hash_len = concat_hash_len(e->hashers[1]);
  if (!hash_len) return m.bad_state("its hotkey hasher does not keep the hotkey in the key");
  auto item_prefix = storage_key(md, pallet, item, {});
  if (!item_prefix.ok()) return m.bad_state(item_prefix.error().message);
  m.item_prefix_ = std::move(item_prefix).value();
  m.netuid_hasher_ = e->hashers[0];
  m.hotkey_hasher_ = e->hashers[1];
  m.hotkey_hash_len_ = *hash_len;
  m.value_ = e->value;
  return std::optional<NetuidHotkeyMap>(std::move(m));
}

Bytes NetuidHotkeyMap::prefix(std::uint16_t netuid) const {
  codec::ScaleWriter k;
  k.fixed_le<std::uint16_t>(netuid);
  Bytes out = item_prefix_;
  const Bytes part = hash_key_part(netuid_hasher_, k.out());
  out.insert(out.end(), part.begin(), part.end());
  return out;
}

Bytes NetuidHotkeyMap::key(std::uint16_t netuid, const AccountId& hotkey) const {
  Bytes out = prefix(netuid);
  const Bytes part = hash_key_part(hotkey_hasher_, hotkey);
  out.insert(out.end(), part.begin(), part.end());
  return out;
}

Result<AccountId> NetuidHotkeyMap::hotkey(ByteSpan key, ByteSpan prefix) const {
  const std::size_t want = prefix.size() + hotkey_hash_len_ + 32;
  if (key.size() != want)
    return bad_state("a key has " + std::to_string(key.size()) + " bytes, expected " + std::to_string(want));
  if (!std::equal(prefix.begin(), prefix.end(), key.begin()))
    return bad_state("a key is not under the subnet's prefix");
  AccountId out;
  std::copy_n(key.begin() + static_cast<std::ptrdiff_t>(prefix.size() + hotkey_hash_len_), 32, out.begin());
  return out;
}

Error NetuidHotkeyMap::bad_state(const std::string& what) const {
  return make_error(ChainErrc::kBadState, name_ + ": " + what);
}

}  // namespace pylon::chain

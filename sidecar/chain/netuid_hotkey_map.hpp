// A storage double map keyed (netuid: u16, hotkey: AccountId32), the shape of subtensor's
// per-subnet, per-neuron items (SubtensorModule.NeuronCertificates, Commitments.CommitmentOf,
// Commitments.RevealedCommitments): resolved from the metadata of the block read, it gives the key
// prefix of one subnet's entries, the full key of one (netuid, hotkey), and the hotkey back from a
// full key read under that prefix. What the values hold is the caller's to decode (value()).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "chain/chain_client.hpp"
#include "codec/metadata.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"

namespace pylon::chain {

// Immutable after resolve, and holds no pointer into the metadata: any thread, any lifetime.
class NetuidHotkeyMap {
 public:
  // nullopt: this runtime has no `pallet`.`item`. An error (ChainErrc::kBadState, its message
  // naming "Pallet.Item"): the item is there but is not a double map of (u16, AccountId32) whose
  // hotkey hasher keeps the hotkey in the key (a *Concat or Identity hasher).
  static Result<std::optional<NetuidHotkeyMap>> resolve(const codec::Metadata& md, std::string_view pallet,
                                                        std::string_view item);

  // The item's value type, in the registry of the metadata it was resolved from.
  codec::TypeId value() const { return value_; }
  // The storage prefix of one subnet's entries: pallet, item and the hashed netuid.
  Bytes prefix(std::uint16_t netuid) const;
  // The storage key of one hotkey's entry on one subnet.
  Bytes key(std::uint16_t netuid, const AccountId& hotkey) const;
  // The hotkey of a key read under `prefix` (the prefix of one subnet). A key of another length
  // or outside the prefix (a node answering for another subnet) is kBadState: its hotkey would
  // be put on the wrong subnet.
  Result<AccountId> hotkey(ByteSpan key, ByteSpan prefix) const;

  // ChainErrc::kBadState, "Pallet.Item: " + what.
  Error bad_state(const std::string& what) const;

 private:
  std::string name_;   // "Pallet.Item"
  Bytes item_prefix_;  // twox128(pallet prefix) ++ twox128(item)
  codec::StorageHasher netuid_hasher_{};
  codec::StorageHasher hotkey_hasher_{};
  std::size_t hotkey_hash_len_ = 0;  // bytes of the hotkey hasher before the hotkey itself
  codec::TypeId value_ = 0;
};

// Every entry of `netuid` in the map a Decoder reads (CertificateDecoder, rest's RevealedDecoder:
// Decoder::resolve from a block's metadata, subnet_prefix, decode_entry giving (hotkey, value)),
// read at `at` with one paged storage_by_prefix (routed to the archive like every state read) and
// decoded with that block's metadata. Empty when the runtime has no such item; an entry that does
// not decode fails the whole read, never a partial map.
template <class Decoder, class Map>
Result<Map> read_subnet_entries(ChainClient& chain, std::uint16_t netuid, const BlockRef& at) {
  PYLON_ASSIGN(RuntimeVersion v, chain.runtime_version(at));
  PYLON_ASSIGN(auto md, chain.metadata_for(v, at));
  PYLON_ASSIGN(auto decoder, Decoder::resolve(std::move(md)));
  Map out;
  if (!decoder) return out;
  PYLON_ASSIGN(Bytes prefix, decoder->subnet_prefix(netuid));
  PYLON_ASSIGN(auto entries, chain.storage_by_prefix(prefix, at));
  for (const auto& [key, value] : entries) {
    PYLON_ASSIGN(auto one, decoder->decode_entry(key, prefix, value));
    out.insert_or_assign(one.first, std::move(one.second));
  }
  return out;
}

}  // namespace pylon::chain

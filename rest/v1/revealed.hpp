// Revealed commitments (pylon-v1.md §2, "should serve as well"): what subtensor's Commitments
// pallet stores once a timelock-encrypted commitment (Data::TimelockEncrypted{encrypted,
// reveal_round}) is opened by the drand pulse of its round: Commitments.RevealedCommitments, a
// double map (netuid, hotkey) -> Vec<(Bytes, u64)>, each entry the opened bytes and the block that
// revealed them. Everything is resolved from the metadata of the block read (the local spec 293,
// finney's spec 343 and the devnet V16 runtime all have the item, with that shape); a key or value
// that does not fit it is an error (RevealedErrc::kBadState), never a partial map.
//
// Like certificates they are not in the follower's snapshot: they change rarely and few clients
// read them, so the API reads a subnet's entries on request (one paged storage read) and keeps
// them per (netuid, block), the map's body rendered once (RevealedCache).
//
// The write side, POST .../commitments/revealed, is the bittensor SDK's set_reveal_commitment as
// the 2.x service calls it: the commitment string, SCALE-encoded (compact length + UTF-8), is
// timelock-encrypted to the drand quicknet round `blocks_until_reveal` blocks from now and stored
// with Commitments.set_commitment as Data::TimelockEncrypted{encrypted, reveal_round}.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/chain_client.hpp"
#include "chain/netuid_hotkey_map.hpp"
#include "codec/metadata.hpp"
#include "common/hex.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "common/sync.hpp"

namespace pylon::rest::v1 {

enum class RevealedErrc : std::uint8_t {
  kBadState,  // a key or value does not fit the metadata of the block read
};

struct RevealedEntry {
  Bytes data;               // the opened bytes, as stored
  std::uint64_t block = 0;  // the block that revealed them

  bool operator==(const RevealedEntry&) const = default;
};
using RevealedMap = std::map<AccountId, std::vector<RevealedEntry>>;

// Decodes RevealedCommitments keys and values with one metadata. Immutable after resolve: any
// thread.
class RevealedDecoder {
 public:
  // nullopt: the runtime has no Commitments.RevealedCommitments (nothing can have been revealed).
  // An error: the item is there but is not a (u16, AccountId32) double map with a reversible
  // hotkey hasher holding a list of (bytes, u64).
  static Result<std::optional<RevealedDecoder>> resolve(std::shared_ptr<const codec::Metadata> md);

  // The storage prefix of one subnet's entries: pallet, item and the hashed netuid.
  Result<Bytes> subnet_prefix(std::uint16_t netuid) const;
  // One storage value (the node answers absent keys with null: no Option framing).
  Result<std::vector<RevealedEntry>> decode(ByteSpan value) const;
  // One (key, value) pair read under `prefix`: the hotkey and its entries. A key outside the
  // prefix is kBadState: its hotkey would land on the wrong subnet.
  Result<std::pair<AccountId, std::vector<RevealedEntry>>> decode_entry(ByteSpan key, ByteSpan prefix,
                                                                        ByteSpan value) const;

 private:
  std::shared_ptr<const codec::Metadata> md_;
  chain::NetuidHotkeyMap map_;
};

// Every revealed commitment of `netuid` at `at` (one storage_by_prefix read, routed to the archive
// like every state read); an empty map when the runtime has no such item.
Result<RevealedMap> read_revealed(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at);

// The text a client reads for stored bytes: the SDK's decode_revealed_commitment drops the SCALE
// compact length the encryption put in front and reads the rest as UTF-8. Pylon does so when
// the bytes are exactly one SCALE string; any other bytes (a commitment encrypted by other
// software) are answered as "0x" + lowercase hex rather than guessed at. The JSON writer keeps
// the answer valid UTF-8 whatever the string holds.
std::string revealed_text(ByteSpan data);

// One subnet's revealed commitments at one block, the whole map's body rendered once.
struct BlockRevealed {
  std::uint16_t netuid = 0;
  chain::BlockRef at;
  RevealedMap commitments;
  std::shared_ptr<const std::string> map_body;  // {"block", "commitments": {hotkey: [...]}}
};
std::shared_ptr<const BlockRevealed> make_block_revealed(std::uint16_t netuid, const chain::BlockRef& at,
                                                         RevealedMap commitments);
// {"block", "commitments": [{"reveal_block_number", "hotkey", "commitment"}…]} of one hotkey;
// nullopt when the hotkey has no entry (the 2.x service's 404).
std::optional<std::string> render_revealed_of(const BlockRevealed& r, const AccountId& hotkey);

// The last few blocks' reads, newest first. Thread contract: any thread, under its own mutex,
// held only to look up or insert a pointer; two requests that miss at once both read the chain
// and the second insert wins (the same block's data).
class RevealedCache {
 public:
  static constexpr std::size_t kKept = 8;

  std::shared_ptr<const BlockRevealed> find(std::uint16_t netuid, const BlockHash& at) const;
  void keep(std::shared_ptr<const BlockRevealed> r);

 private:
  mutable Mutex mu_;
  std::list<std::shared_ptr<const BlockRevealed>> kept_ PYLON_GUARDED_BY(mu_);
};

// --- POST .../commitments/revealed

// The drand quicknet round `blocks_until_reveal` blocks of `block_seconds` after `now_unix`
// (bittensor_drand's encrypt_commitment: (now - genesis + round(blocks x block time)) / period).
// nullopt when the round would not fit a u64 or `now_unix` is before quicknet's genesis.
std::optional<std::uint64_t> reveal_round_after(std::uint64_t now_unix, std::uint64_t blocks_until_reveal,
                                                double block_seconds);
// The payload the SDK encrypts: the SCALE encoding of the string (compact length + its bytes).
Bytes scale_string(std::string_view s);
// The JSON arguments of Commitments.set_commitment storing `ciphertext` to `round` as the one
// field of the runtime's CommitmentInfo: {"netuid": n, "info": {"fields": [{"TimelockEncrypted":
// {"encrypted": "0x…", "reveal_round": r}}]}}, the variant and its two fields checked in `md`
// (CommitmentCallErrc::kNoCall when the runtime's Data has no such variant).
Result<std::string> timelocked_commitment_args(const codec::Metadata& md, std::uint16_t netuid,
                                               ByteSpan ciphertext, std::uint64_t round);

}  // namespace pylon::rest::v1

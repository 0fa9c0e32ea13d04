// Neuron TLS certificates: subtensor's SubtensorModule.NeuronCertificates, a double map
// (netuid, hotkey) -> NeuronCertificate {public_key, algorithm}, which a neuron writes with
// serve_axon_tls. Everything is resolved from the metadata of the block read: the pallet's
// storage prefix, the entry's hashers, the key and value types. A value that does not fit that
// metadata is an error (ChainErrc::kBadState), never a guess.
#pragma once

#include <map>
#include <memory>

#include "chain/chain_client.hpp"
#include "chain/netuid_hotkey_map.hpp"
#include "codec/views/neuron_lite.hpp"

namespace pylon::chain {

struct NeuronCertificate {
  std::uint8_t algorithm = 0;  // 1: Ed25519 (the only one the 2.x service generates)
  Bytes public_key;            // raw bytes (at most 64 in subtensor)

  bool operator==(const NeuronCertificate&) const = default;
};

using Certificates = std::map<AccountId, NeuronCertificate>;

// Decodes NeuronCertificates values with one metadata. Immutable after resolve: any thread.
class CertificateDecoder {
 public:
  // nullopt: this runtime has no SubtensorModule.NeuronCertificates (older runtimes), so no
  // neuron can have a certificate. An error: the entry is there but is not a (u16, AccountId32)
  // double map with a reversible hotkey hasher holding {public_key: bytes, algorithm: u8}.
  static Result<std::optional<CertificateDecoder>> resolve(std::shared_ptr<const codec::Metadata> md);

  // The storage prefix of one subnet's entries: pallet, item and the hashed netuid.
  Result<Bytes> subnet_prefix(std::uint16_t netuid) const;
  // One storage value (the node answers absent keys with null, so no Option framing).
  Result<NeuronCertificate> decode(ByteSpan value) const;
  // One (key, value) pair read under `prefix` (subnet_prefix): the hotkey and its certificate. A
  // key outside the prefix (a node answering for another subnet) is kBadState like any key that
  // does not fit: its hotkey would be put on the wrong subnet.
  Result<std::pair<AccountId, NeuronCertificate>> decode_entry(ByteSpan key, ByteSpan prefix,
                                                               ByteSpan value) const;

 private:
  std::shared_ptr<const codec::Metadata> md_;
  NetuidHotkeyMap map_;
};

// The `certificate` argument of SubtensorModule.serve_axon_tls: subtensor builds the stored
// NeuronCertificate from it as {algorithm: first byte, public_key: the rest (at most 64 bytes)}.
Bytes certificate_argument(const NeuronCertificate& c);

// serve_axon_tls's arguments, as JSON by the call's field names (extrinsic::encode_call_json
// checks them against the metadata of the block at hand): `axon`'s fields unchanged, placeholders
// 0, and `c`. An axon never served (ip_type 0, which subtensor refuses) is sent as IPv4 0.0.0.0,
// as the 2.x service does when it re-serves such a neuron's axon.
std::string serve_axon_tls_args(std::uint16_t netuid, const codec::views::AxonInfo& axon,
                                const NeuronCertificate& c);

// Every certificate of `netuid` at `at` (one paged storage_by_prefix read, routed to the archive
// like every state read). An empty map when the runtime has no NeuronCertificates.
Result<Certificates> read_certificates(ChainClient& chain, std::uint16_t netuid, const BlockRef& at);

}  // namespace pylon::chain

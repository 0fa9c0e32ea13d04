// Signed extrinsics, format version 4: the transaction extensions exactly as the metadata lists
// them (V16: those of extension version 0), the signing payload blake2-256-hashed when longer
// than 256 bytes, and the transaction hash.
#pragma once

#include <array>
#include <optional>

#include "codec/metadata.hpp"
#include "common/ids.hpp"
#include "codec/scale_reader.hpp"
#include "extrinsic/era.hpp"
#include "keys/sr25519.hpp"

namespace pylon::extrinsic {

struct Mortality {
  std::uint64_t period = 64;
  std::uint64_t block_number = 0;  // the checkpoint block
  BlockHash block_hash{};             // its hash (goes into the signed payload)
};

struct TxParams {
  BlockHash genesis_hash{};
  std::uint32_t spec_version = 0;
  std::uint32_t tx_version = 0;
  std::uint64_t nonce = 0;
  codec::u128 tip = 0;
  std::optional<Mortality> mortal;  // nullopt: immortal
};

struct SignedExtrinsic {
  Bytes bytes;  // with its compact length prefix, as author_submitExtrinsic takes it
  ExtrinsicHash hash{};  // blake2-256 of `bytes`
};

// The extension data (in the extrinsic) and implicit data (signed only), in the metadata's order.
// An extension Pylon does not know is accepted only when both its types are empty.
struct ExtensionBytes {
  Bytes extra;
  Bytes implicit;
};
Result<ExtensionBytes> encode_extensions(const codec::Metadata& md, const TxParams& p);

// What the signer signs: call ++ extra ++ implicit, hashed with blake2-256 when over 256 bytes.
Result<Bytes> signing_payload(const codec::Metadata& md, ByteSpan call, const TxParams& p);

Result<SignedExtrinsic> build_signed(const codec::Metadata& md, ByteSpan call, const keys::Keypair& signer,
                                     const TxParams& p);

}  // namespace pylon::extrinsic

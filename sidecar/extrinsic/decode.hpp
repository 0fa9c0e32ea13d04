// Extrinsics as they sit in a block body, decoded with that block's metadata: the signer (when
// signed), the call by pallet and call name, and each argument with the type name the metadata
// gives its field. The bytes come from a node, so they are untrusted: every length and index is
// checked, and bytes the metadata cannot account for are an error (fuzzed by
// tests/fuzz/fuzz_extrinsic_decode.cpp). Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/value.hpp"
#include "common/ids.hpp"

namespace pylon::extrinsic {

// What kind of failure a decode error is.
enum class DecodeErrc : std::uint8_t {
  kMalformed = 1,  // the bytes do not fit the metadata (lengths, indices, types, leftovers)
  kUnsupported,    // an extrinsic format version the metadata does not list, or a general (v5) one
};

struct DecodedArg {
  std::string name;  // the call field's name
  std::string type;  // the field's type name, as the metadata writes it (cleaned as below)
  codec::Value value;
};

struct DecodedExtrinsic {
  ExtrinsicHash hash{};      // blake2b-256 of the encoded extrinsic, compact length prefix included
  std::uint32_t length = 0;  // its byte length after the compact length prefix (the prefix's value)
  std::uint8_t version = 0;  // the format version (4 or 5), without the signed bit
  std::optional<codec::Value> address;  // the signer's address value; nullopt when unsigned
  std::string pallet;                   // "SubtensorModule"
  std::string call;                     // "set_weights"
  std::vector<DecodedArg> args;         // in the call's field order
};

// Decodes one extrinsic: its compact length prefix, then the whole encoded extrinsic (exactly the
// prefixed length). Errors: DecodeErrc.
Result<DecodedExtrinsic> decode_extrinsic(const codec::Metadata& md, ByteSpan encoded);

// The name of a call field's type as the metadata's `typeName` writes it, with the Rust noise that
// py-scale-codec (which the 2.x service decodes with) removes: "T::", "<T>", "<T as Config>::",
// "<T, I>", "VecDeque<" as "Vec<", "Vec<u8>" as "Bytes". A field with no type name gets the
// registry's name of its type ("u16", "Vec<u16>").
std::string arg_type_name(const codec::TypeRegistry& reg, const codec::Field& f);

// The SS58 text (prefix 42) of a signer's address: MultiAddress::Id / Address32 or a bare
// AccountId32; nullopt for an address with no 32-byte account (an index, raw bytes, an H160).
std::optional<std::string> address_ss58(const codec::Value& address);

}  // namespace pylon::extrinsic

// Runtime metadata V14, V15 and V16, parsed into one version-independent model.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/type_registry.hpp"
#include "common/hex.hpp"

namespace pylon::codec {

enum class StorageHasher : std::uint8_t {
  Blake2_128,
  Blake2_256,
  Blake2_128Concat,
  Twox128,
  Twox256,
  Twox64Concat,
  Identity
};

struct StorageEntry {
  std::string name;
  bool optional = false;  // modifier: Optional (absent -> None) or Default (absent -> `default_value`)
  bool is_map = false;
  std::vector<StorageHasher> hashers;  // maps only
  TypeId key = 0;                      // maps only
  TypeId value = 0;
  Bytes default_value;
};

struct Constant {
  std::string name;
  TypeId type = 0;
  Bytes value;
};

struct Pallet {
  std::string name;
  std::uint8_t index = 0;
  std::string storage_prefix;
  std::vector<StorageEntry> storage;
  std::optional<TypeId> calls, events, errors;
  std::vector<Constant> constants;

  const StorageEntry* storage_entry(std::string_view n) const;
  const Constant* constant(std::string_view n) const;
};

struct RuntimeApiParam {
  std::string name;
  TypeId type = 0;
};

struct RuntimeApiMethod {
  std::string name;
  std::vector<RuntimeApiParam> inputs;
  TypeId output = 0;
};

struct RuntimeApi {
  std::string name;
  std::vector<RuntimeApiMethod> methods;
};

struct TransactionExtension {
  std::string identifier;
  TypeId type = 0;      // data carried in the extrinsic
  TypeId implicit = 0;  // data only in the signed payload ("additional signed")
};

struct ExtrinsicInfo {
  std::vector<std::uint8_t> versions;                     // V14/V15: the one version
  std::optional<TypeId> address, call, signature, extra;  // not all present in every version
  // The extensions of extrinsic version 4 ("version 0" of the transaction extensions in V16), in order.
  std::vector<TransactionExtension> extensions;
};

class Metadata {
 public:
  std::uint8_t version = 0;  // 14, 15 or 16
  TypeRegistry types;
  std::vector<Pallet> pallets;
  ExtrinsicInfo extrinsic;
  std::vector<RuntimeApi> apis;  // empty for V14
  std::optional<TypeId> outer_call, outer_event, outer_error;

  const Pallet* pallet(std::string_view name) const;
  const Pallet* pallet_by_index(std::uint8_t index) const;
  // "NeuronInfoRuntimeApi_get_neurons_lite" as used by state_call, or ("NeuronInfoRuntimeApi",
  // "get_neurons_lite").
  const RuntimeApiMethod* api_method(std::string_view state_call_name) const;
  const RuntimeApiMethod* api_method(std::string_view api, std::string_view method) const;
};

// Parses raw metadata: "meta" magic, version byte, body. All bytes must be consumed.
Result<std::shared_ptr<const Metadata>> parse_metadata(ByteSpan raw);

// Accepts the shapes metadata arrives in: raw bytes starting with "meta", SCALE
// `Option<OpaqueMetadata>` (0x01 + compact length + raw) as Metadata_metadata_at_version returns,
// or `OpaqueMetadata` (compact length + raw); returns the raw "meta…" bytes.
Result<Bytes> unwrap_metadata_bytes(ByteSpan bytes);

// Reads a metadata file: binary, or hex text (with or without 0x) of any of the shapes above.
Result<std::shared_ptr<const Metadata>> load_metadata_file(const std::string& path);

}  // namespace pylon::codec

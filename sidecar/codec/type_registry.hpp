// The runtime's portable type registry (scale-info), as found in metadata V14-V16.
// Type ids index `types` directly; the parser checks every reference is in range.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pylon::codec {

using TypeId = std::uint32_t;

enum class Primitive : std::uint8_t {
  Bool,
  Char,
  Str,
  U8,
  U16,
  U32,
  U64,
  U128,
  U256,
  I8,
  I16,
  I32,
  I64,
  I128,
  I256
};

// Byte width of a fixed-size primitive (0 for str).
std::size_t primitive_size(Primitive p);
std::string_view primitive_name(Primitive p);

struct Field {
  std::string name;  // empty for tuple-like fields
  TypeId type = 0;
  std::string type_name;  // the Rust type as written in the source, e.g. "Compact<u64>"
};

struct Variant {
  std::string name;
  std::vector<Field> fields;
  std::uint8_t index = 0;
};

enum class TypeKind : std::uint8_t {
  Composite,
  Variant,
  Sequence,
  Array,
  Tuple,
  Primitive,
  Compact,
  BitSequence
};

// Shapes Pylon treats specially, derived once from path and structure.
enum class Special : std::uint8_t {
  None,
  AccountId32,  // sp_core::crypto::AccountId32: SS58 in JSON
  Option,       // enum None/Some(T)
  Result,       // enum Ok(T)/Err(E)
  ByteSeq,      // Vec<u8>
  ByteArray,    // [u8; N]
};

struct TypeDef {
  TypeKind kind = TypeKind::Composite;
  Special special = Special::None;
  std::vector<std::string> path;
  std::vector<std::pair<std::string, std::optional<TypeId>>> params;
  std::vector<Field> fields;      // Composite
  std::vector<Variant> variants;  // Variant
  // Variant: position in `variants` for each index byte, -1 when absent.
  std::array<std::int16_t, 256> variant_pos{};
  TypeId elem = 0;            // Sequence, Array, Compact: element; BitSequence: store type
  TypeId bit_order = 0;       // BitSequence: order type
  std::uint32_t len = 0;      // Array
  std::vector<TypeId> tuple;  // Tuple
  Primitive prim = Primitive::Bool;

  const Variant* variant_at(std::uint8_t index) const {
    const int p = variant_pos[index];
    return p < 0 ? nullptr : &variants[static_cast<std::size_t>(p)];
  }
  const Variant* variant_named(std::string_view name) const;
  const Field* field_named(std::string_view name) const;
};

class TypeRegistry {
 public:
  std::vector<TypeDef> types;

  bool has(TypeId id) const { return id < types.size(); }
  const TypeDef& operator[](TypeId id) const { return types[id]; }

  // A readable name in polkadot-js style: "u64", "Vec<PalletSubtensorRpcInfoNeuronInfoNeuronInfoLite>",
  // "Option<AccountId32>", "(u16, u64)", "[u8; 32]".
  std::string display_name(TypeId id) const;
  // Fills `special` and `variant_pos`; checks type references. Called by the metadata parser.
  Status finish();
  // Smallest number of bytes any value of the type can take (for allocation bounds).
  std::size_t min_size(TypeId id) const;

 private:
  std::vector<std::uint32_t> min_size_;  // cached; computed in finish()
};

}  // namespace pylon::codec

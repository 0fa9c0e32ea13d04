// Field shapes the typed views resolve once from the metadata, then read without looking the
// type up again: how an integer is stored (fixed width or compact), whether it is an account.
#pragma once

#include <optional>

#include "codec/scale_reader.hpp"
#include "codec/ss58.hpp"
#include "codec/type_registry.hpp"

namespace pylon::codec::views {

// An unsigned or signed integer: a primitive, a Compact<primitive>, or newtypes around either
// (e.g. AlphaCurrency(u64), Compact<NetUid>).
struct IntShape {
  bool compact = false;
  bool is_signed = false;
  std::uint8_t width = 0;  // bytes of the primitive (compact: of the type under it)
};

// nullopt when the type is not integer-shaped.
std::optional<IntShape> int_shape(const TypeRegistry& reg, TypeId id);
bool is_bool(const TypeRegistry& reg, TypeId id);
// AccountId32, or any newtype/array of exactly 32 bytes.
bool is_account(const TypeRegistry& reg, TypeId id);

// Reads an unsigned value of the shape (signed values are refused by the callers' resolve step).
inline Result<u128> read_uint(const IntShape& s, ScaleReader& r) {
  if (s.compact) {
    PYLON_ASSIGN(u128 v, r.compact());
    if (s.width < 16 && (v >> (8 * s.width)) != 0)
      return r.error("compact value exceeds its " + std::to_string(s.width * 8) + "-bit type");
    return v;
  }
  switch (s.width) {
    case 1: {
      PYLON_ASSIGN(std::uint8_t v, r.u8());
      return u128{v};
    }
    case 2: {
      PYLON_ASSIGN(std::uint16_t v, r.fixed_le<std::uint16_t>());
      return u128{v};
    }
    case 4: {
      PYLON_ASSIGN(std::uint32_t v, r.fixed_le<std::uint32_t>());
      return u128{v};
    }
    case 8: {
      PYLON_ASSIGN(std::uint64_t v, r.fixed_le<std::uint64_t>());
      return u128{v};
    }
    case 16:
      return r.u128_le();
    default:
      return r.error("unsupported integer width " + std::to_string(s.width));
  }
}

// One scalar value of a struct field: an unsigned or signed integer, or a bool.
struct Scalar {
  enum class Kind : std::uint8_t { UInt, Int, Bool } kind = Kind::UInt;
  u128 uint = 0;
  std::int64_t sint = 0;
  bool flag = false;
};

// The kind a field's type reads as, with its integer shape; nullopt when it is not a scalar
// (or a signed integer wider than 64 bits).
std::optional<std::pair<Scalar::Kind, IntShape>> scalar_shape(const TypeRegistry& reg, TypeId id);
Status read_scalar(Scalar::Kind kind, const IntShape& shape, ScaleReader& r, Scalar& out);

// `type` is a struct with named fields or an Option of one: sets `optional`, returns the struct.
Result<const TypeDef*> named_struct(const TypeRegistry& reg, TypeId type, bool& optional,
                                    const std::string& name);
// Reads the Option tag of an optional answer: false for None (which must end the bytes).
Result<bool> read_some(ScaleReader& r, const std::string& type_name);

inline Result<AccountId> read_account(ScaleReader& r) {
  PYLON_ASSIGN(ByteSpan b, r.bytes(32));
  AccountId a;
  std::memcpy(a.data(), b.data(), 32);
  return a;
}

}  // namespace pylon::codec::views

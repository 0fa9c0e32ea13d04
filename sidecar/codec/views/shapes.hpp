// Field shapes the typed views resolve once from the metadata, then read without looking the
// type up again: how an integer is stored (fixed width or compact), whether it is an account.
#pragma once

#include <optional>

#include "codec/scale_reader.hpp"
#include "codec/ss58.hpp"
#include "codec/type_registry.hpp"

namespace pylon::codec {
class Metadata;
}  // namespace pylon::codec

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

// `type` is a struct with named fields or an Option of one: sets `optional` and `name` (the type's
// display name, which the view's errors quote), returns the struct.
Result<const TypeDef*> named_struct(const TypeRegistry& reg, TypeId type, bool& optional, std::string& name);
// Reads the Option tag of an `optional` answer: false for None (which must end the bytes). True,
// reading nothing, for an answer that is not optional.
Result<bool> read_some(ScaleReader& r, bool optional, const std::string& type_name);

// The frame of a struct answer both struct views decode: the Option tag, then each of `fields` in
// order through read_field(field, reader, out) (an error is given the field's name), then nothing
// may be left.
template <class Out, class Fields, class ReadField>
Result<std::optional<Out>> decode_struct(ByteSpan bytes, bool optional, const std::string& type_name,
                                         const Fields& fields, ReadField read_field) {
  ScaleReader r(bytes);
  PYLON_ASSIGN(const bool some, read_some(r, optional, type_name));
  if (!some) return std::optional<Out>{};
  Out out;
  for (const auto& f : fields) {
    auto s = read_field(f, r, out);
    if (!s.ok()) return make_error(s.error().message + " (in " + type_name + "." + f.name + ")");
  }
  PYLON_TRY(r.expect_end(type_name));
  return std::optional<Out>{std::move(out)};
}

// The answer type of runtime API `method` ("Api_method"); an error when the runtime has no such method.
Result<TypeId> api_output(const Metadata& md, std::string_view method);

inline Result<AccountId> read_account(ScaleReader& r) {
  PYLON_ASSIGN(ByteSpan b, r.bytes(32));
  AccountId a;
  std::memcpy(a.data(), b.data(), 32);
  return a;
}

}  // namespace pylon::codec::views

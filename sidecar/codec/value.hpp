// A decoded value of any metadata type: the dynamic decoder's output and the encoder's input.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/find_by.hpp"
#include "common/hex.hpp"

namespace pylon::codec {

struct NamedValue;

struct Value {
  enum class Kind : std::uint8_t {
    Null,  // unit, (), Option::None
    Bool,
    UInt,       // u8..u64 and compacts that fit u64
    Int,        // i8..i64
    BigInt,     // u128/i128/u256/i256 (and larger compacts): decimal text in `text`
    Str,        // str / String
    Bytes,      // Vec<u8>, [u8; N]
    AccountId,  // AccountId32: 32 bytes in `bytes`
    Array,      // Vec<T>, [T; N], tuples, unnamed composites: `items`
    Object,     // named composite: `fields`
    Variant,    // enum (not Option): `text` = variant name, `items` = its fields (unnamed) or
                // `fields` (named); Result too (Ok/Err)
    Option,     // Some: items[0]
    BitSeq,     // bits as text "0b..." in `text`, lsb first
  };

  Kind kind = Kind::Null;
  bool boolean = false;
  std::uint64_t uint = 0;
  std::int64_t sint = 0;
  std::string text;
  Bytes bytes;
  std::vector<Value> items;
  std::vector<NamedValue> fields;  // named composite fields, in order
  bool basic_enum = false;         // Variant of an enum whose variants carry no data

  static Value null();
  static Value of_uint(std::uint64_t v);
  const Value* field(std::string_view name) const;
};

// A named field of a composite. (A struct rather than std::pair: pair<string, Value> cannot be
// instantiated while Value is incomplete under clang with libstdc++.)
struct NamedValue {
  std::string first;
  Value second;
};

// Defined here, where NamedValue is complete (Value's implicit members need it).
inline Value Value::null() {
  return {};
}
inline Value Value::of_uint(std::uint64_t v) {
  Value x;
  x.kind = Kind::UInt;
  x.uint = v;
  return x;
}

inline const Value* Value::field(std::string_view name) const {
  return find_value(fields, name);
}

}  // namespace pylon::codec

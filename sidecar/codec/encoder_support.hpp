// Internal to the encoder (encoder.cpp, encoder_json.cpp): path tracking for error messages and
// the integer and bit-sequence rules both the JSON and the Value side apply.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codec/bigint.hpp"
#include "codec/type_registry.hpp"
#include "codec/value.hpp"

namespace pylon::codec::encoder_detail {

// Appends a path segment for the lifetime of the guard (paths are built on the way down, so an
// error can be reported where it is found).
class Segment {
 public:
  Segment(std::string& path, std::string_view seg) : path_(path), n_(path.size()) { path_ += seg; }
  ~Segment() { path_.resize(n_); }
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

 private:
  std::string& path_;
  std::size_t n_;
};

inline std::string index_seg(std::size_t i) {
  return "[" + std::to_string(i) + "]";
}

// The primitive width under a Compact, following single-field composites (Compact<Perbill>); the
// same rule as the decoder's.
inline std::size_t compact_width(const TypeRegistry& reg, TypeId id, int guard = 0) {
  const TypeDef& t = reg[id];
  if (t.kind == TypeKind::Primitive) return primitive_size(t.prim);
  if (t.kind == TypeKind::Composite && t.fields.size() == 1 && guard < 8)
    return compact_width(reg, t.fields[0].type, guard + 1);
  if (t.kind == TypeKind::Tuple && t.tuple.empty()) return 0;
  return 16;
}

inline bool is_signed(Primitive p) {
  return p == Primitive::I8 || p == Primitive::I16 || p == Primitive::I32 || p == Primitive::I64 ||
         p == Primitive::I128 || p == Primitive::I256;
}

// "0 to 65535", "-128 to 127": the accepted range, for error messages.
inline std::string int_range(std::size_t width, bool sign) {
  if (width == 0) return "0 only";
  Bytes max(width, 0xff), min(width, 0);
  if (sign) {
    max.back() = 0x7f;
    min.back() = 0x80;
  }
  return le_to_decimal(min, sign) + " to " + le_to_decimal(max, sign);
}

inline std::uint64_t le_to_u64(const Bytes& le) {
  std::uint64_t v = 0;
  for (std::size_t i = le.size(); i-- > 0;) v = v << 8 | le[i];
  return v;
}

// Little-endian bytes of width <= 8 -> the Value kind the decoder gives for that width.
inline Value small_int_value(const Bytes& le, bool sign) {
  Value v;
  std::uint64_t u = le_to_u64(le);
  if (!sign) {
    v.kind = Value::Kind::UInt;
    v.uint = u;
    return v;
  }
  const std::size_t bits = le.size() * 8;
  if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~std::uint64_t{0} << bits;  // sign-extend
  v.kind = Value::Kind::Int;
  v.sint = static_cast<std::int64_t>(u);
  return v;
}

// Bits of a bit sequence <-> its store words, Lsb0 or Msb0 within each little-endian word (the
// decoder's layout).
struct BitLayout {
  std::size_t store = 1;
  bool msb = false;
};

inline std::optional<BitLayout> bit_layout(const TypeRegistry& reg, const TypeDef& t) {
  const std::size_t store = compact_width(reg, t.elem);
  if (store == 0 || store > 8) return std::nullopt;
  const auto& order = reg[t.bit_order].path;
  return BitLayout{store, !order.empty() && order.back() == "Msb0"};
}

inline std::size_t bit_position(const BitLayout& l, std::size_t i) {  // bit index within the byte string
  const std::size_t word = i / (l.store * 8), bit = i % (l.store * 8);
  return word * l.store * 8 + (l.msb ? l.store * 8 - 1 - bit : bit);
}

}  // namespace pylon::codec::encoder_detail

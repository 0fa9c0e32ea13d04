#include "codec/decoder.hpp"

#include "codec/bigint.hpp"

namespace pylon::codec {
namespace {

class Decoder {
 public:
  Decoder(const TypeRegistry& reg, ScaleReader& r) : reg_(reg), r_(r) {}

  // On failure returns false with `error_` set and `path_` holding the segments from the failing
  // value outwards (reversed when the message is built).
  bool value(TypeId id, Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const TypeDef& t = reg_[id];
    switch (t.kind) {
      case TypeKind::Primitive:
        return primitive(t.prim, out);
      case TypeKind::Compact:
        return compact(t, out);
      case TypeKind::Sequence:
        return sequence(t, out, depth);
      case TypeKind::Array:
        return array(t, out, depth);
      case TypeKind::Tuple:
        return tuple(t, out, depth);
      case TypeKind::Composite:
        return composite(t, out, depth);
      case TypeKind::Variant:
        return variant(t, out, depth);
      case TypeKind::BitSequence:
        return bits(t, out);
    }
    return fail("unknown type kind");
  }

  Error error() const {
    std::string where;
    for (auto it = path_.rbegin(); it != path_.rend(); ++it) where += *it;
    std::string msg = error_;
    if (!where.empty()) msg += " (in " + root_name_ + where + ")";
    return make_error(msg);
  }
  void set_root(std::string name) { root_name_ = std::move(name); }

 private:
  bool fail(std::string what) {
    error_ = r_.error(what).message;
    return false;
  }
  bool fail_from(const Error& e) {
    error_ = e.message;
    return false;
  }
  bool in(std::string seg) {  // while unwinding after a failure
    path_.push_back(std::move(seg));
    return false;
  }

  template <class T>
  bool read_fixed(T& v) {
    auto x = r_.fixed_le<T>();
    if (!x.ok()) return fail_from(x.error());
    v = *x;
    return true;
  }

  bool big(std::size_t width, bool is_signed, Value& out) {
    auto b = r_.bytes(width);
    if (!b.ok()) return fail_from(b.error());
    out.kind = Value::Kind::BigInt;
    out.text = le_to_decimal(*b, is_signed);
    return true;
  }

  bool primitive(Primitive p, Value& out) {
    switch (p) {
      case Primitive::Bool: {
        auto b = r_.boolean();
        if (!b.ok()) return fail_from(b.error());
        out.kind = Value::Kind::Bool;
        out.boolean = *b;
        return true;
      }
      case Primitive::Char: {
        std::uint32_t c;
        if (!read_fixed(c)) return false;
        if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return fail("invalid char code point");
        out.kind = Value::Kind::Str;
        append_utf8(out.text, c);
        return true;
      }
      case Primitive::Str: {
        auto s = r_.string();
        if (!s.ok()) return fail_from(s.error());
        out.kind = Value::Kind::Str;
        out.text = std::move(s).value();
        return true;
      }
      case Primitive::U8:
        return unsigned_of<std::uint8_t>(out);
      case Primitive::U16:
        return unsigned_of<std::uint16_t>(out);
      case Primitive::U32:
        return unsigned_of<std::uint32_t>(out);
      case Primitive::U64:
        return unsigned_of<std::uint64_t>(out);
      case Primitive::I8:
        return signed_of<std::int8_t>(out);
      case Primitive::I16:
        return signed_of<std::int16_t>(out);
      case Primitive::I32:
        return signed_of<std::int32_t>(out);
      case Primitive::I64:
        return signed_of<std::int64_t>(out);
      case Primitive::U128:
        return big(16, false, out);
      case Primitive::U256:
        return big(32, false, out);
      case Primitive::I128:
        return big(16, true, out);
      case Primitive::I256:
        return big(32, true, out);
    }
    return fail("unknown primitive");
  }

  template <class T>
  bool unsigned_of(Value& out) {
    T v;
    if (!read_fixed(v)) return false;
    out.kind = Value::Kind::UInt;
    out.uint = v;
    return true;
  }
  template <class T>
  bool signed_of(Value& out) {
    T v;
    if (!read_fixed(v)) return false;
    out.kind = Value::Kind::Int;
    out.sint = v;
    return true;
  }

  static void append_utf8(std::string& s, std::uint32_t c) {
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      s.push_back(static_cast<char>(0xc0 | c >> 6));
      s.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
      s.push_back(static_cast<char>(0xe0 | c >> 12));
      s.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else {
      s.push_back(static_cast<char>(0xf0 | c >> 18));
      s.push_back(static_cast<char>(0x80 | (c >> 12 & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }

  // The primitive width under a Compact, following single-field composites (Compact<Perbill>).
  std::size_t compact_width(TypeId id, int guard = 0) const {
    const TypeDef& t = reg_[id];
    if (t.kind == TypeKind::Primitive) return primitive_size(t.prim);
    if (t.kind == TypeKind::Composite && t.fields.size() == 1 && guard < 8)
      return compact_width(t.fields[0].type, guard + 1);
    if (t.kind == TypeKind::Tuple && t.tuple.empty()) return 0;
    return 16;
  }

  bool compact(const TypeDef& t, Value& out) {
    auto v = r_.compact();
    if (!v.ok()) return fail_from(v.error());
    const std::size_t width = compact_width(t.elem);
    if (width < 16 && (width == 0 ? *v != 0 : (*v >> (8 * width)) != 0))
      return fail("compact value does not fit its " + std::to_string(width * 8) + "-bit type");
    if (*v <= UINT64_MAX) {
      out.kind = Value::Kind::UInt;
      out.uint = static_cast<std::uint64_t>(*v);
    } else {
      std::uint8_t le[16];
      for (int i = 0; i < 16; ++i) le[i] = static_cast<std::uint8_t>(*v >> (8 * i));
      out.kind = Value::Kind::BigInt;
      out.text = le_to_decimal(ByteSpan(le, 16), false);
    }
    return true;
  }

  bool items(TypeId elem, std::size_t n, Value& out, int depth) {
    out.kind = Value::Kind::Array;
    out.items.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      if (!value(elem, out.items[i], depth + 1)) return in("[" + std::to_string(i) + "]");
    return true;
  }

  bool sequence(const TypeDef& t, Value& out, int depth) {
    auto n = r_.length(reg_.min_size(t.elem));
    if (!n.ok()) return fail_from(n.error());
    if (t.special == Special::ByteSeq) {
      auto b = r_.bytes(*n);
      if (!b.ok()) return fail_from(b.error());
      out.kind = Value::Kind::Bytes;
      out.bytes.assign(b->begin(), b->end());
      return true;
    }
    return items(t.elem, *n, out, depth);
  }

  bool array(const TypeDef& t, Value& out, int depth) {
    if (t.special == Special::ByteArray) {
      auto b = r_.bytes(t.len);
      if (!b.ok()) return fail_from(b.error());
      out.kind = Value::Kind::Bytes;
      out.bytes.assign(b->begin(), b->end());
      return true;
    }
    if (std::uint64_t{t.len} * reg_.min_size(t.elem) > r_.remaining())
      return fail("array of " + std::to_string(t.len) + " elements exceeds the " +
                  std::to_string(r_.remaining()) + " bytes that remain");
    return items(t.elem, t.len, out, depth);
  }

  bool tuple(const TypeDef& t, Value& out, int depth) {
    if (t.tuple.empty()) {
      out.kind = Value::Kind::Null;
      return true;
    }
    out.kind = Value::Kind::Array;
    out.items.resize(t.tuple.size());
    for (std::size_t i = 0; i < t.tuple.size(); ++i)
      if (!value(t.tuple[i], out.items[i], depth + 1)) return in("." + std::to_string(i));
    return true;
  }

  bool fields(const std::vector<Field>& fs, Value& out, int depth) {
    if (fs.empty()) {
      out.kind = Value::Kind::Null;
      return true;
    }
    if (fs[0].name.empty()) {
      if (fs.size() == 1) return value(fs[0].type, out, depth + 1);  // newtype: the inner value
      out.kind = Value::Kind::Array;
      out.items.resize(fs.size());
      for (std::size_t i = 0; i < fs.size(); ++i)
        if (!value(fs[i].type, out.items[i], depth + 1)) return in("." + std::to_string(i));
      return true;
    }
    out.kind = Value::Kind::Object;
    out.fields.resize(fs.size());
    for (std::size_t i = 0; i < fs.size(); ++i) {
      out.fields[i].first = fs[i].name;
      if (!value(fs[i].type, out.fields[i].second, depth + 1)) return in("." + fs[i].name);
    }
    return true;
  }

  bool composite(const TypeDef& t, Value& out, int depth) {
    if (t.special == Special::AccountId32) {
      auto b = r_.bytes(32);
      if (!b.ok()) return fail_from(b.error());
      out.kind = Value::Kind::AccountId;
      out.bytes.assign(b->begin(), b->end());
      return true;
    }
    return fields(t.fields, out, depth);
  }

  bool variant(const TypeDef& t, Value& out, int depth) {
    const std::size_t at = r_.offset();
    auto tag = r_.u8();
    if (!tag.ok()) return fail_from(tag.error());
    const Variant* v = t.variant_at(*tag);
    if (!v) {
      error_ = "at byte " + std::to_string(at) + ": " +
               (t.special == Special::Option ? "Option tag " + std::to_string(*tag) + " is not 0 or 1"
                                             : "no variant with index " + std::to_string(*tag) + " in " +
                                                   reg_.display_name(static_cast<TypeId>(&t - &reg_[0])));
      return false;
    }
    if (t.special == Special::Option) {
      out.kind = Value::Kind::Option;
      if (*tag == 0) return true;
      out.items.resize(1);
      if (!value(v->fields[0].type, out.items[0], depth + 1)) return in("?");
      return true;
    }
    out.kind = Value::Kind::Variant;
    out.text = v->name;
    out.basic_enum = true;
    for (const auto& other : t.variants)
      if (!other.fields.empty()) out.basic_enum = false;
    Value inner;
    if (!fields(v->fields, inner, depth)) return in("::" + v->name);
    out.items.push_back(std::move(inner));
    return true;
  }

  bool bits(const TypeDef& t, Value& out) {
    auto n = r_.compact();
    if (!n.ok()) return fail_from(n.error());
    const std::size_t store = compact_width(t.elem);
    if (store == 0 || store > 8) return fail("bit sequence store type is not u8..u64");
    if (*n > u128{r_.remaining()} * 8) return fail("bit sequence longer than the bytes that remain");
    const std::size_t nbits = static_cast<std::size_t>(*n);
    const std::size_t words = (nbits + store * 8 - 1) / (store * 8);
    auto b = r_.bytes(words * store);
    if (!b.ok()) return fail_from(b.error());
    // Order type path ends in Lsb0 or Msb0 (bitvec::order).
    const auto& order_path = reg_[t.bit_order].path;
    const bool msb = !order_path.empty() && order_path.back() == "Msb0";
    out.kind = Value::Kind::BitSeq;
    out.bytes.assign(b->begin(), b->end());
    out.text.reserve(nbits);
    for (std::size_t i = 0; i < nbits; ++i) {
      const std::size_t word = i / (store * 8), bit = i % (store * 8);
      // Within each store word (little-endian in SCALE), bit i counts from the lsb (Lsb0) or msb.
      const std::size_t bit_in_word = msb ? store * 8 - 1 - bit : bit;
      const std::uint8_t byte = (*b)[word * store + bit_in_word / 8];
      out.text.push_back((byte >> (bit_in_word % 8)) & 1 ? '1' : '0');
    }
    return true;
  }

  const TypeRegistry& reg_;
  ScaleReader& r_;
  std::string error_;
  std::vector<std::string> path_;
  std::string root_name_;
};

}  // namespace

Result<Value> decode_value(const TypeRegistry& reg, TypeId type, ScaleReader& r) {
  if (!reg.has(type)) return make_error("unknown type id " + std::to_string(type));
  Decoder d(reg, r);
  d.set_root(reg.display_name(type));
  Value v;
  if (!d.value(type, v, 0)) return d.error();
  return v;
}

Result<Value> decode_exact(const TypeRegistry& reg, TypeId type, ByteSpan bytes) {
  ScaleReader r(bytes);
  PYLON_ASSIGN(Value v, decode_value(reg, type, r));
  if (!r.at_end())
    return make_error("decoded " + std::to_string(r.offset()) + " of " + std::to_string(bytes.size()) +
                      " bytes as " + reg.display_name(type) + ": " + std::to_string(r.remaining()) +
                      " bytes left over");
  return v;
}

namespace {

// Walks a value without building it: the typed views skip fields they do not keep this way.
Status skip_at(const TypeRegistry& reg, TypeId id, ScaleReader& r, int depth) {
  if (depth > kMaxDepth) return r.error("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  const TypeDef& t = reg[id];
  switch (t.kind) {
    case TypeKind::Primitive:
      if (t.prim == Primitive::Str) {
        PYLON_TRY(r.byte_vec());
        return {};
      }
      if (t.prim == Primitive::Bool) {
        PYLON_TRY(r.boolean());
        return {};
      }
      return r.skip(primitive_size(t.prim));
    case TypeKind::Compact: {
      PYLON_TRY(r.compact());
      return {};
    }
    case TypeKind::Sequence: {
      PYLON_ASSIGN(std::size_t n, r.length(reg.min_size(t.elem)));
      const TypeDef& e = reg[t.elem];
      if (e.kind == TypeKind::Primitive && e.prim != Primitive::Str && e.prim != Primitive::Bool)
        return r.skip(n * primitive_size(e.prim));
      for (std::size_t i = 0; i < n; ++i) PYLON_TRY(skip_at(reg, t.elem, r, depth + 1));
      return {};
    }
    case TypeKind::Array: {
      const TypeDef& e = reg[t.elem];
      if (e.kind == TypeKind::Primitive && e.prim != Primitive::Str && e.prim != Primitive::Bool)
        return r.skip(std::size_t{t.len} * primitive_size(e.prim));
      if (std::uint64_t{t.len} * reg.min_size(t.elem) > r.remaining())
        return r.error("array longer than the bytes that remain");
      for (std::uint32_t i = 0; i < t.len; ++i) PYLON_TRY(skip_at(reg, t.elem, r, depth + 1));
      return {};
    }
    case TypeKind::Tuple:
      for (TypeId e : t.tuple) PYLON_TRY(skip_at(reg, e, r, depth + 1));
      return {};
    case TypeKind::Composite:
      for (const auto& f : t.fields) PYLON_TRY(skip_at(reg, f.type, r, depth + 1));
      return {};
    case TypeKind::Variant: {
      PYLON_ASSIGN(std::uint8_t tag, r.u8());
      const Variant* v = t.variant_at(tag);
      if (!v) return r.error("no variant with index " + std::to_string(tag));
      for (const auto& f : v->fields) PYLON_TRY(skip_at(reg, f.type, r, depth + 1));
      return {};
    }
    case TypeKind::BitSequence: {
      ScaleReader probe = r;
      PYLON_TRY(decode_value(reg, id, probe));  // rare: reuse the checked decoder
      return r.skip(probe.offset() - r.offset());
    }
  }
  return r.error("unknown type kind");
}

}  // namespace

Status skip_value(const TypeRegistry& reg, TypeId type, ScaleReader& r) {
  if (!reg.has(type)) return make_error("unknown type id " + std::to_string(type));
  return skip_at(reg, type, r, 0);
}

}  // namespace pylon::codec

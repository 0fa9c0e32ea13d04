// Value -> SCALE bytes, and the JSON entry points (JSON -> Value in encoder_json.cpp, then here).
#include "codec/encoder.hpp"

#include <optional>

#include "codec/decoder.hpp"
#include "codec/encoder_support.hpp"
#include "codec/json_render.hpp"

namespace pylon::codec {
namespace {

using namespace encoder_detail;

class ToScale {
 public:
  ToScale(const TypeRegistry& reg, ScaleWriter& w) : reg_(reg), w_(w) {}

  Status value(TypeId id, const Value& v, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const TypeDef& t = reg_[id];
    switch (t.kind) {
      case TypeKind::Primitive:
        return primitive(id, t.prim, v);
      case TypeKind::Compact:
        return compact(id, t, v);
      case TypeKind::Sequence:
        if (t.special == Special::ByteSeq && v.kind == Value::Kind::Bytes) {
          w_.byte_vec(v.bytes);
          return {};
        }
        if (v.kind != Value::Kind::Array) return expected(id, "an array", v);
        w_.compact(v.items.size());
        return items(t.elem, v, depth);
      case TypeKind::Array:
        if (t.special == Special::ByteArray && v.kind == Value::Kind::Bytes) {
          if (v.bytes.size() != t.len)
            return expected(id, std::to_string(t.len) + " bytes, not " + std::to_string(v.bytes.size()), v);
          w_.bytes(v.bytes);
          return {};
        }
        if (v.kind != Value::Kind::Array || v.items.size() != t.len)
          return expected(id, "an array of " + std::to_string(t.len) + " elements", v);
        return items(t.elem, v, depth);
      case TypeKind::Tuple:
        if (t.tuple.empty()) return unit(id, v);
        if (v.kind != Value::Kind::Array || v.items.size() != t.tuple.size())
          return expected(id, "an array of " + std::to_string(t.tuple.size()) + " elements", v);
        for (std::size_t i = 0; i < t.tuple.size(); ++i) {
          Segment seg(path_, index_seg(i));
          PYLON_TRY(value(t.tuple[i], v.items[i], depth + 1));
        }
        return {};
      case TypeKind::Composite:
        if (t.special == Special::AccountId32) {
          if ((v.kind != Value::Kind::AccountId && v.kind != Value::Kind::Bytes) || v.bytes.size() != 32)
            return expected(id, "32 bytes", v);
          w_.bytes(v.bytes);
          return {};
        }
        return fields(id, t.fields, v, depth);
      case TypeKind::Variant:
        if (t.special == Special::Option) {
          if (v.kind == Value::Kind::Null || (v.kind == Value::Kind::Option && v.items.empty())) {
            w_.u8(0);
            return {};
          }
          if (v.kind != Value::Kind::Option) return expected(id, "an Option", v);
          w_.u8(1);
          return value(t.variants[static_cast<std::size_t>(t.variant_pos[1])].fields[0].type, v.items[0],
                       depth + 1);
        }
        return variant(id, t, v, depth);
      case TypeKind::BitSequence:
        return bits(id, t, v);
    }
    return fail("unknown type kind");
  }

 private:
  Error fail(const std::string& what) const { return make_error(path_ + ": " + what); }
  Error expected(TypeId id, const std::string& what, const Value& v) const {
    static constexpr const char* kKinds[] = {
        "null",    "bool",  "unsigned integer", "signed integer", "big integer", "string",      "bytes",
        "account", "array", "object",           "variant",        "option",      "bit sequence"};
    return fail("expected " + reg_.display_name(id) + (what.empty() ? "" : " (" + what + ")") +
                ", got a value of kind " + kKinds[static_cast<std::size_t>(v.kind)]);
  }

  static std::optional<std::string> integer_text(const Value& v) {
    switch (v.kind) {
      case Value::Kind::UInt:
        return std::to_string(v.uint);
      case Value::Kind::Int:
        return std::to_string(v.sint);
      case Value::Kind::BigInt:
        return v.text;
      default:
        return std::nullopt;
    }
  }

  Status primitive(TypeId id, Primitive p, const Value& v) {
    switch (p) {
      case Primitive::Bool:
        if (v.kind != Value::Kind::Bool) return expected(id, "", v);
        w_.boolean(v.boolean);
        return {};
      case Primitive::Str:
        if (v.kind != Value::Kind::Str) return expected(id, "", v);
        w_.string(v.text);
        return {};
      case Primitive::Char: {
        auto cp = single_code_point(v);
        if (!cp) return expected(id, "one character", v);
        w_.fixed_le<std::uint32_t>(*cp);
        return {};
      }
      default:
        break;
    }
    const std::size_t width = primitive_size(p);
    const bool sign = is_signed(p);
    if (!sign && width <= 8 && v.kind == Value::Kind::UInt) {  // the common case without decimal text
      if (width < 8 && v.uint >> (8 * width) != 0)
        return expected(id, "an integer from " + int_range(width, sign), v);
      for (std::size_t i = 0; i < width; ++i) w_.u8(static_cast<std::uint8_t>(v.uint >> (8 * i)));
      return {};
    }
    auto text = integer_text(v);
    auto le = text ? decimal_to_le(*text, width, sign) : std::nullopt;
    if (!le)
      return expected(id, "an integer from " + int_range(width, sign) + (text ? ", not " + *text : ""), v);
    w_.bytes(*le);
    return {};
  }

  // A Str value holding exactly one UTF-8 encoded code point.
  static std::optional<std::uint32_t> single_code_point(const Value& v) {
    if (v.kind != Value::Kind::Str || v.text.empty()) return std::nullopt;
    const auto* s = reinterpret_cast<const std::uint8_t*>(v.text.data());
    const std::size_t n = v.text.size();
    const std::size_t len = s[0] < 0x80         ? 1
                            : s[0] >> 5 == 0x6  ? 2
                            : s[0] >> 4 == 0xe  ? 3
                            : s[0] >> 3 == 0x1e ? 4
                                                : 0;
    if (len == 0 || len != n) return std::nullopt;
    std::uint32_t cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
    for (std::size_t i = 1; i < len; ++i) {
      if ((s[i] & 0xc0) != 0x80) return std::nullopt;
      cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    return cp;
  }

  Status compact(TypeId id, const TypeDef& t, const Value& v) {
    const std::size_t width = compact_width(reg_, t.elem);
    const std::string range = "an integer from " + int_range(width, false);
    auto text = integer_text(v);
    auto le = text ? decimal_to_le(*text, 16, false) : std::nullopt;
    if (!le) return expected(id, range, v);
    u128 x = 0;
    for (std::size_t i = 16; i-- > 0;) x = x << 8 | (*le)[i];
    if (width < 16 && (width == 0 ? x != 0 : (x >> (8 * width)) != 0))
      return expected(id, range + ", not " + *text, v);
    w_.compact(x);
    return {};
  }

  Status items(TypeId elem, const Value& v, int depth) {
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      Segment seg(path_, index_seg(i));
      PYLON_TRY(value(elem, v.items[i], depth + 1));
    }
    return {};
  }

  Status unit(TypeId id, const Value& v) {
    const bool empty = v.kind == Value::Kind::Null || (v.kind == Value::Kind::Array && v.items.empty()) ||
                       (v.kind == Value::Kind::Object && v.fields.empty());
    return empty ? Status{} : Status{expected(id, "null", v)};
  }

  Status fields(TypeId id, const std::vector<Field>& fs, const Value& v, int depth) {
    if (fs.empty()) return unit(id, v);
    if (fs[0].name.empty()) {
      if (fs.size() == 1) return value(fs[0].type, v, depth + 1);
      if (v.kind != Value::Kind::Array || v.items.size() != fs.size())
        return expected(id, "an array of " + std::to_string(fs.size()) + " elements", v);
      for (std::size_t i = 0; i < fs.size(); ++i) {
        Segment seg(path_, index_seg(i));
        PYLON_TRY(value(fs[i].type, v.items[i], depth + 1));
      }
      return {};
    }
    if (v.kind != Value::Kind::Object) return expected(id, "an object", v);
    for (const auto& [k, x] : v.fields) {
      bool known = false;
      for (const auto& f : fs) known |= f.name == k || json_key(f.name) == k;
      if (!known) return fail("unknown field \"" + k + "\" for " + reg_.display_name(id));
    }
    for (const auto& f : fs) {
      const Value* x = v.field(f.name);
      if (!x) x = v.field(json_key(f.name));
      if (!x) return fail("missing field \"" + f.name + "\" of " + reg_.display_name(id));
      Segment seg(path_, "." + f.name);
      PYLON_TRY(value(f.type, *x, depth + 1));
    }
    return {};
  }

  Status variant(TypeId id, const TypeDef& t, const Value& v, int depth) {
    if (v.kind != Value::Kind::Variant) return expected(id, "one of its variants", v);
    const Variant* var = nullptr;
    for (const auto& x : t.variants)
      if (!var && (x.name == v.text || json_key(x.name) == v.text)) var = &x;
    if (!var)
      return fail("expected one of the variants of " + reg_.display_name(id) + ", got \"" + v.text + "\"");
    w_.u8(var->index);
    Segment seg(path_, "." + var->name);
    static const Value kNull;
    return fields(id, var->fields, v.items.empty() ? kNull : v.items[0], depth);
  }

  Status bits(TypeId id, const TypeDef& t, const Value& v) {
    auto layout = bit_layout(reg_, t);
    if (!layout) return fail("bit sequence store type of " + reg_.display_name(id) + " is not u8..u64");
    if (v.kind != Value::Kind::BitSeq) return expected(id, "a bit sequence", v);
    const std::size_t nbits = v.text.size();
    const std::size_t word_bits = layout->store * 8;
    Bytes out((nbits + word_bits - 1) / word_bits * layout->store, 0);
    for (std::size_t i = 0; i < nbits; ++i) {
      if (v.text[i] != '0' && v.text[i] != '1') return expected(id, "bits as 0/1 text", v);
      const std::size_t p = bit_position(*layout, i);
      if (v.text[i] == '1') out[p / 8] = static_cast<std::uint8_t>(out[p / 8] | 1u << (p % 8));
    }
    w_.compact(nbits);
    w_.bytes(out);
    return {};
  }

  const TypeRegistry& reg_;
  ScaleWriter& w_;
  std::string path_ = "$";
};

}  // namespace

Status encode_value_into(const TypeRegistry& reg, TypeId type, const Value& value, ScaleWriter& w) {
  if (!reg.has(type)) return make_error("unknown type id " + std::to_string(type));
  const std::size_t mark = w.out().size();
  Status s = ToScale(reg, w).value(type, value, 0);
  if (!s.ok()) w.out().resize(mark);  // nothing partial
  return s;
}

Result<Bytes> encode_value(const TypeRegistry& reg, TypeId type, const Value& value) {
  ScaleWriter w;
  PYLON_TRY(encode_value_into(reg, type, value, w));
  return w.take();
}

Status encode_json_into(const TypeRegistry& reg, TypeId type, simdjson::dom::element json, ScaleWriter& w) {
  PYLON_ASSIGN(Value v, value_from_json(reg, type, json));
  return encode_value_into(reg, type, v, w);
}

Result<Bytes> encode_json(const TypeRegistry& reg, TypeId type, simdjson::dom::element json) {
  ScaleWriter w;
  PYLON_TRY(encode_json_into(reg, type, json, w));
  return w.take();
}

}  // namespace pylon::codec

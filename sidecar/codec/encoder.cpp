#include "codec/encoder.hpp"

#include <optional>

#include "codec/bigint.hpp"
#include "codec/decoder.hpp"
#include "codec/json_render.hpp"
#include "codec/ss58.hpp"

namespace pylon::codec {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

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

// Typed views of an element whose type was checked first (simdjson's own accessors return results
// that must not outlive the statement).
template <class T>
T as(element j) {
  T v{};
  if (j.get(v) != simdjson::SUCCESS) return T{};
  return v;
}
simdjson::dom::array as_array(element j) { return as<simdjson::dom::array>(j); }
simdjson::dom::object as_object(element j) { return as<simdjson::dom::object>(j); }
std::string_view as_string(element j) { return as<std::string_view>(j); }
std::int64_t as_int64(element j) { return as<std::int64_t>(j); }
std::uint64_t as_uint64(element j) { return as<std::uint64_t>(j); }
bool as_bool(element j) { return as<bool>(j); }

std::string index_seg(std::size_t i) { return "[" + std::to_string(i) + "]"; }

// The primitive width under a Compact, following single-field composites (Compact<Perbill>); the
// same rule as the decoder's.
std::size_t compact_width(const TypeRegistry& reg, TypeId id, int guard = 0) {
  const TypeDef& t = reg[id];
  if (t.kind == TypeKind::Primitive) return primitive_size(t.prim);
  if (t.kind == TypeKind::Composite && t.fields.size() == 1 && guard < 8)
    return compact_width(reg, t.fields[0].type, guard + 1);
  if (t.kind == TypeKind::Tuple && t.tuple.empty()) return 0;
  return 16;
}

bool is_signed(Primitive p) {
  return p == Primitive::I8 || p == Primitive::I16 || p == Primitive::I32 || p == Primitive::I64 ||
         p == Primitive::I128 || p == Primitive::I256;
}

// "0 to 65535", "-128 to 127": the accepted range, for error messages.
std::string int_range(std::size_t width, bool sign) {
  if (width == 0) return "0 only";
  Bytes max(width, 0xff), min(width, 0);
  if (sign) {
    max.back() = 0x7f;
    min.back() = 0x80;
  }
  return le_to_decimal(min, sign) + " to " + le_to_decimal(max, sign);
}

std::uint64_t le_to_u64(const Bytes& le) {
  std::uint64_t v = 0;
  for (std::size_t i = le.size(); i-- > 0;) v = v << 8 | le[i];
  return v;
}

// Little-endian bytes of width <= 8 -> the Value kind the decoder gives for that width.
Value small_int_value(const Bytes& le, bool sign) {
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

std::optional<BitLayout> bit_layout(const TypeRegistry& reg, const TypeDef& t) {
  const std::size_t store = compact_width(reg, t.elem);
  if (store == 0 || store > 8) return std::nullopt;
  const auto& order = reg[t.bit_order].path;
  return BitLayout{store, !order.empty() && order.back() == "Msb0"};
}

std::size_t bit_position(const BitLayout& l, std::size_t i) {  // bit index within the byte string
  const std::size_t word = i / (l.store * 8), bit = i % (l.store * 8);
  return word * l.store * 8 + (l.msb ? l.store * 8 - 1 - bit : bit);
}

// ---------------------------------------------------------------------------------------------
// JSON -> Value

class FromJson {
 public:
  explicit FromJson(const TypeRegistry& reg) : reg_(reg) {}

  Status value(TypeId id, element j, Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const TypeDef& t = reg_[id];
    switch (t.kind) {
      case TypeKind::Primitive: return primitive(id, t.prim, j, out);
      case TypeKind::Compact: return compact(id, t, j, out);
      case TypeKind::Sequence:
        if (t.special == Special::ByteSeq) return bytes(id, j, std::nullopt, out);
        return items(id, t.elem, j, std::nullopt, out, depth);
      case TypeKind::Array:
        if (t.special == Special::ByteArray) return bytes(id, j, t.len, out);
        return items(id, t.elem, j, t.len, out, depth);
      case TypeKind::Tuple:
        if (t.tuple.empty()) return unit(id, j, out);
        return tuple(id, t.tuple, j, out, depth);
      case TypeKind::Composite:
        if (t.special == Special::AccountId32) return account(j, out);
        return fields(id, t.fields, j, out, depth);
      case TypeKind::Variant:
        if (t.special == Special::Option) {
          out.kind = Value::Kind::Option;
          if (j.is_null()) return {};
          out.items.resize(1);
          return value(t.variants[static_cast<std::size_t>(t.variant_pos[1])].fields[0].type, j, out.items[0], depth + 1);
        }
        return variant(id, t, j, out, depth);
      case TypeKind::BitSequence: return bits(id, t, j, out);
    }
    return fail("unknown type kind");
  }

 private:
  Error fail(const std::string& what) const { return make_error(path_ + ": " + what); }
  Error expected(TypeId id, const std::string& what, element j) const {
    std::string got = simdjson::minify(j);
    if (got.size() > 60) got = got.substr(0, 57) + "...";
    return fail("expected " + reg_.display_name(id) + (what.empty() ? "" : " (" + what + ")") + ", got " + got);
  }

  // Decimal text of a JSON integer: a number or a string of digits with an optional '-'.
  static std::optional<std::string> integer_text(element j) {
    switch (j.type()) {
      case element_type::INT64: return std::to_string(as_int64(j));
      case element_type::UINT64: return std::to_string(as_uint64(j));
      case element_type::STRING: {
        const std::string_view s = as_string(j);
        const std::size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
        if (s.size() == start || s.size() > 100) return std::nullopt;
        for (std::size_t i = start; i < s.size(); ++i)
          if (s[i] < '0' || s[i] > '9') return std::nullopt;
        return std::string(s);
      }
      default: return std::nullopt;
    }
  }

  Status integer(TypeId id, Primitive p, element j, Value& out) {
    const std::size_t width = primitive_size(p);
    const bool sign = is_signed(p);
    const std::string range = "an integer from " + int_range(width, sign);
    auto text = integer_text(j);
    if (!text) return expected(id, range, j);
    auto le = decimal_to_le(*text, width, sign);
    if (!le) return expected(id, range, j);
    if (width <= 8) {
      out = small_int_value(*le, sign);
    } else {
      out.kind = Value::Kind::BigInt;
      out.text = le_to_decimal(*le, sign);  // canonical text (no leading zeros)
    }
    return {};
  }

  Status primitive(TypeId id, Primitive p, element j, Value& out) {
    switch (p) {
      case Primitive::Bool:
        if (!j.is_bool()) return expected(id, "", j);
        out.kind = Value::Kind::Bool;
        out.boolean = as_bool(j);
        return {};
      case Primitive::Str:
      case Primitive::Char: {
        if (!j.is_string()) return expected(id, "", j);
        const std::string_view s = as_string(j);
        if (p == Primitive::Char) {
          std::size_t points = 0;  // simdjson validated the UTF-8: count lead bytes
          for (char c : s) points += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
          if (points != 1) return expected(id, "one character", j);
        }
        out.kind = Value::Kind::Str;
        out.text = std::string(s);
        return {};
      }
      default: return integer(id, p, j, out);
    }
  }

  Status compact(TypeId id, const TypeDef& t, element j, Value& out) {
    const std::size_t width = compact_width(reg_, t.elem);
    const std::string range = "an integer from " + int_range(width, false);
    auto text = integer_text(j);
    if (!text) return expected(id, range, j);
    auto le = decimal_to_le(*text, 16, false);
    if (!le) return expected(id, range, j);
    for (std::size_t i = width; i < 16; ++i)
      if ((*le)[i] != 0) return expected(id, range, j);
    bool high = false;
    for (std::size_t i = 8; i < 16; ++i) high |= (*le)[i] != 0;
    if (high) {
      out.kind = Value::Kind::BigInt;
      out.text = le_to_decimal(*le, false);
    } else {
      le->resize(8);
      out = small_int_value(*le, false);
    }
    return {};
  }

  Status bytes(TypeId id, element j, std::optional<std::size_t> len, Value& out) {
    const std::string what = len ? "0x-hex or text of " + std::to_string(*len) + " bytes" : "0x-hex or text";
    out.kind = Value::Kind::Bytes;
    if (j.is_string()) {
      const std::string_view s = as_string(j);
      if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        auto b = from_hex(s);
        if (!b.ok()) return expected(id, what + ": " + b.error().message, j);
        out.bytes = std::move(b).value();
      } else {
        out.bytes.assign(s.begin(), s.end());
      }
    } else if (j.is_array()) {
      for (element e : as_array(j)) {
        auto text = integer_text(e);
        auto le = text ? decimal_to_le(*text, 1, false) : std::nullopt;
        if (!le) return expected(id, what + " or an array of u8", j);
        out.bytes.push_back((*le)[0]);
      }
    } else {
      return expected(id, what, j);
    }
    if (len && out.bytes.size() != *len)
      return expected(id, what, j);
    return {};
  }

  Status items(TypeId id, TypeId elem, element j, std::optional<std::size_t> len, Value& out, int depth) {
    if (!j.is_array()) return expected(id, "an array", j);
    auto arr = as_array(j);
    if (len && arr.size() != *len)
      return expected(id, "an array of " + std::to_string(*len) + " elements, not " + std::to_string(arr.size()), j);
    out.kind = Value::Kind::Array;
    out.items.resize(arr.size());
    std::size_t i = 0;
    for (element e : arr) {
      Segment seg(path_, index_seg(i));
      PYLON_TRY(value(elem, e, out.items[i], depth + 1));
      ++i;
    }
    return {};
  }

  Status tuple(TypeId id, const std::vector<TypeId>& types, element j, Value& out, int depth) {
    if (!j.is_array() || as_array(j).size() != types.size())
      return expected(id, "an array of " + std::to_string(types.size()) + " elements", j);
    out.kind = Value::Kind::Array;
    out.items.resize(types.size());
    std::size_t i = 0;
    for (element e : as_array(j)) {
      Segment seg(path_, index_seg(i));
      PYLON_TRY(value(types[i], e, out.items[i], depth + 1));
      ++i;
    }
    return {};
  }

  Status unit(TypeId id, element j, Value& out) {
    const bool empty = j.is_null() || (j.is_array() && as_array(j).size() == 0) ||
                       (j.is_object() && as_object(j).size() == 0);
    if (!empty) return expected(id, "null", j);
    out.kind = Value::Kind::Null;
    return {};
  }

  Status account(element j, Value& out) {
    if (!j.is_string()) return fail("expected AccountId32 (SS58 address or 0x + 64 hex), got " + simdjson::minify(j).substr(0, 60));
    const std::string_view s = as_string(j);
    out.kind = Value::Kind::AccountId;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      auto b = from_hex(s);
      if (!b.ok() || b->size() != 32) return fail("expected AccountId32 as 0x + 64 hex digits, got \"" + std::string(s.substr(0, 80)) + "\"");
      out.bytes = std::move(b).value();
      return {};
    }
    auto d = ss58_decode(s);
    if (!d.ok()) return fail("expected AccountId32 (SS58 address or 0x + 64 hex): " + d.error().message);
    if (d->prefix != kBittensorSs58Prefix)
      return fail("SS58 address has network prefix " + std::to_string(d->prefix) + ", expected Bittensor's " +
                  std::to_string(kBittensorSs58Prefix));
    out.bytes.assign(d->account.begin(), d->account.end());
    return {};
  }

  static std::string field_list(const std::vector<Field>& fs) {
    std::string s;
    for (const auto& f : fs) s += (s.empty() ? "" : ", ") + json_key(f.name);
    return s;
  }

  // The fields of a composite or of one enum variant.
  Status fields(TypeId id, const std::vector<Field>& fs, element j, Value& out, int depth) {
    if (fs.empty()) return unit(id, j, out);
    if (fs[0].name.empty()) {
      if (fs.size() == 1) return value(fs[0].type, j, out, depth + 1);  // newtype: the inner value
      if (!j.is_array() || as_array(j).size() != fs.size())
        return expected(id, "an array of " + std::to_string(fs.size()) + " elements", j);
      out.kind = Value::Kind::Array;
      out.items.resize(fs.size());
      std::size_t i = 0;
      for (element e : as_array(j)) {
        Segment seg(path_, index_seg(i));
        PYLON_TRY(value(fs[i].type, e, out.items[i], depth + 1));
        ++i;
      }
      return {};
    }
    if (!j.is_object()) return expected(id, "an object with " + field_list(fs), j);
    // Place each given key on its field first, so unknown and doubled keys are refused before any
    // value is converted.
    std::vector<std::optional<std::pair<std::string_view, element>>> given(fs.size());
    for (auto [k, v] : as_object(j)) {
      std::size_t at = fs.size();
      for (std::size_t i = 0; i < fs.size() && at == fs.size(); ++i)
        if (fs[i].name == k || json_key(fs[i].name) == k) at = i;
      if (at == fs.size())
        return fail("unknown field \"" + std::string(k) + "\" for " + reg_.display_name(id) + " (fields: " + field_list(fs) + ")");
      if (given[at]) return fail("field \"" + json_key(fs[at].name) + "\" of " + reg_.display_name(id) + " given twice");
      given[at].emplace(k, v);
    }
    for (std::size_t i = 0; i < fs.size(); ++i)
      if (!given[i]) return fail("missing field \"" + json_key(fs[i].name) + "\" of " + reg_.display_name(id));
    out.kind = Value::Kind::Object;
    out.fields.resize(fs.size());
    for (std::size_t i = 0; i < fs.size(); ++i) {
      Segment seg(path_, "." + std::string(given[i]->first));
      out.fields[i].first = fs[i].name;
      PYLON_TRY(value(fs[i].type, given[i]->second, out.fields[i].second, depth + 1));
    }
    return {};
  }

  Error no_variant(TypeId id, const TypeDef& t, std::string_view name) const {
    std::string names;
    std::size_t shown = 0;
    for (const auto& v : t.variants) {
      if (shown++ == 8) {
        names += ", ...";
        break;
      }
      names += (names.empty() ? "" : ", ") + json_key(v.name);
    }
    return fail("expected one of the variants of " + reg_.display_name(id) + " (" + names + "), got \"" +
                std::string(name.substr(0, 60)) + "\"");
  }

  Status variant(TypeId id, const TypeDef& t, element j, Value& out, int depth) {
    auto find = [&](std::string_view name) -> const Variant* {
      for (const auto& v : t.variants)
        if (v.name == name || json_key(v.name) == name) return &v;
      return nullptr;
    };
    out.kind = Value::Kind::Variant;
    out.basic_enum = true;
    for (const auto& v : t.variants)
      if (!v.fields.empty()) out.basic_enum = false;
    if (j.is_string()) {  // a data-less variant by name
      const std::string_view name = as_string(j);
      const Variant* v = find(name);
      if (!v) return no_variant(id, t, name);
      if (!v->fields.empty())
        return fail("variant \"" + json_key(v->name) + "\" of " + reg_.display_name(id) + " carries data: write {\"" +
                    json_key(v->name) + "\": ...}");
      out.text = v->name;
      out.items.emplace_back();
      return {};
    }
    if (!j.is_object() || as_object(j).size() != 1)
      return expected(id, "one of its variants as {\"variant\": value}", j);
    auto [name, inner] = *as_object(j).begin();
    const Variant* v = find(name);
    if (!v) return no_variant(id, t, name);
    out.text = v->name;
    out.items.resize(1);
    Segment seg(path_, "." + std::string(name));
    return fields(id, v->fields, inner, out.items[0], depth);
  }

  Status bits(TypeId id, const TypeDef& t, element j, Value& out) {
    auto layout = bit_layout(reg_, t);
    if (!layout) return fail("bit sequence store type of " + reg_.display_name(id) + " is not u8..u64");
    const std::string what = "0x-hex of whole " + std::to_string(layout->store) + "-byte words";
    if (!j.is_string()) return expected(id, what, j);
    auto b = from_hex(as_string(j));
    if (!b.ok() || b->size() % layout->store != 0) return expected(id, what, j);
    out.kind = Value::Kind::BitSeq;
    out.bytes = std::move(b).value();
    out.text.resize(out.bytes.size() * 8);
    for (std::size_t i = 0; i < out.text.size(); ++i) {
      const std::size_t p = bit_position(*layout, i);
      out.text[i] = (out.bytes[p / 8] >> (p % 8)) & 1 ? '1' : '0';
    }
    return {};
  }

  const TypeRegistry& reg_;
  std::string path_ = "$";
};

// ---------------------------------------------------------------------------------------------
// Value -> bytes

class ToScale {
 public:
  ToScale(const TypeRegistry& reg, ScaleWriter& w) : reg_(reg), w_(w) {}

  Status value(TypeId id, const Value& v, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const TypeDef& t = reg_[id];
    switch (t.kind) {
      case TypeKind::Primitive: return primitive(id, t.prim, v);
      case TypeKind::Compact: return compact(id, t, v);
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
          if (v.bytes.size() != t.len) return expected(id, std::to_string(t.len) + " bytes, not " + std::to_string(v.bytes.size()), v);
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
          return value(t.variants[static_cast<std::size_t>(t.variant_pos[1])].fields[0].type, v.items[0], depth + 1);
        }
        return variant(id, t, v, depth);
      case TypeKind::BitSequence: return bits(id, t, v);
    }
    return fail("unknown type kind");
  }

 private:
  Error fail(const std::string& what) const { return make_error(path_ + ": " + what); }
  Error expected(TypeId id, const std::string& what, const Value& v) const {
    static constexpr const char* kKinds[] = {"null",  "bool",  "unsigned integer", "signed integer", "big integer",
                                             "string", "bytes", "account",          "array",          "object",
                                             "variant", "option", "bit sequence"};
    return fail("expected " + reg_.display_name(id) + (what.empty() ? "" : " (" + what + ")") + ", got a value of kind " +
                kKinds[static_cast<std::size_t>(v.kind)]);
  }

  static std::optional<std::string> integer_text(const Value& v) {
    switch (v.kind) {
      case Value::Kind::UInt: return std::to_string(v.uint);
      case Value::Kind::Int: return std::to_string(v.sint);
      case Value::Kind::BigInt: return v.text;
      default: return std::nullopt;
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
      default: break;
    }
    const std::size_t width = primitive_size(p);
    const bool sign = is_signed(p);
    if (!sign && width <= 8 && v.kind == Value::Kind::UInt) {  // the common case without decimal text
      if (width < 8 && v.uint >> (8 * width) != 0) return expected(id, "an integer from " + int_range(width, sign), v);
      for (std::size_t i = 0; i < width; ++i) w_.u8(static_cast<std::uint8_t>(v.uint >> (8 * i)));
      return {};
    }
    auto text = integer_text(v);
    auto le = text ? decimal_to_le(*text, width, sign) : std::nullopt;
    if (!le) return expected(id, "an integer from " + int_range(width, sign) + (text ? ", not " + *text : ""), v);
    w_.bytes(*le);
    return {};
  }

  // A Str value holding exactly one UTF-8 encoded code point.
  static std::optional<std::uint32_t> single_code_point(const Value& v) {
    if (v.kind != Value::Kind::Str || v.text.empty()) return std::nullopt;
    const auto* s = reinterpret_cast<const std::uint8_t*>(v.text.data());
    const std::size_t n = v.text.size();
    const std::size_t len = s[0] < 0x80 ? 1 : s[0] >> 5 == 0x6 ? 2 : s[0] >> 4 == 0xe ? 3 : s[0] >> 3 == 0x1e ? 4 : 0;
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
    if (width < 16 && (width == 0 ? x != 0 : (x >> (8 * width)) != 0)) return expected(id, range + ", not " + *text, v);
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
    if (!var) return fail("expected one of the variants of " + reg_.display_name(id) + ", got \"" + v.text + "\"");
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

Result<Value> value_from_json(const TypeRegistry& reg, TypeId type, simdjson::dom::element json) {
  if (!reg.has(type)) return make_error("unknown type id " + std::to_string(type));
  Value v;
  PYLON_TRY(FromJson(reg).value(type, json, v, 0));
  return v;
}

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

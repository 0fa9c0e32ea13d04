// JSON -> Value for the encoder: the shapes render_json prints, checked against the type.
#include <optional>

#include "codec/decoder.hpp"
#include "codec/encoder.hpp"
#include "codec/encoder_support.hpp"
#include "codec/json_render.hpp"
#include "codec/ss58.hpp"

namespace pylon::codec {
namespace {

using namespace encoder_detail;
using simdjson::dom::element;
using simdjson::dom::element_type;

// Typed views of an element whose type was checked first (simdjson's own accessors return results
// that must not outlive the statement).
template <class T>
T as(element j) {
  T v{};
  if (j.get(v) != simdjson::SUCCESS) return T{};
  return v;
}
simdjson::dom::array as_array(element j) {
  return as<simdjson::dom::array>(j);
}
simdjson::dom::object as_object(element j) {
  return as<simdjson::dom::object>(j);
}
std::string_view as_string(element j) {
  return as<std::string_view>(j);
}
std::int64_t as_int64(element j) {
  return as<std::int64_t>(j);
}
std::uint64_t as_uint64(element j) {
  return as<std::uint64_t>(j);
}
bool as_bool(element j) {
  return as<bool>(j);
}

class FromJson {
 public:
  explicit FromJson(const TypeRegistry& reg) : reg_(reg) {}

  Status value(TypeId id, element j, Value& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    const TypeDef& t = reg_[id];
    switch (t.kind) {
      case TypeKind::Primitive:
        return primitive(id, t.prim, j, out);
      case TypeKind::Compact:
        return compact(id, t, j, out);
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
          return value(t.variants[static_cast<std::size_t>(t.variant_pos[1])].fields[0].type, j, out.items[0],
                       depth + 1);
        }
        return variant(id, t, j, out, depth);
      case TypeKind::BitSequence:
        return bits(id, t, j, out);
    }
    return fail("unknown type kind");
  }

 private:
  Error fail(const std::string& what) const { return make_error(path_ + ": " + what); }
  Error expected(TypeId id, const std::string& what, element j) const {
    std::string got = simdjson::minify(j);
    if (got.size() > 60) got = got.substr(0, 57) + "...";
    return fail("expected " + reg_.display_name(id) + (what.empty() ? "" : " (" + what + ")") + ", got " +
                got);
  }

  // Decimal text of a JSON integer: a number or a string of digits with an optional '-'.
  static std::optional<std::string> integer_text(element j) {
    switch (j.type()) {
      case element_type::INT64:
        return std::to_string(as_int64(j));
      case element_type::UINT64:
        return std::to_string(as_uint64(j));
      case element_type::STRING: {
        const std::string_view s = as_string(j);
        const std::size_t start = !s.empty() && s[0] == '-' ? 1 : 0;
        if (s.size() == start || s.size() > 100) return std::nullopt;
        for (std::size_t i = start; i < s.size(); ++i)
          if (s[i] < '0' || s[i] > '9') return std::nullopt;
        return std::string(s);
      }
      default:
        return std::nullopt;
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
      default:
        return integer(id, p, j, out);
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
    if (len && out.bytes.size() != *len) return expected(id, what, j);
    return {};
  }

  Status items(TypeId id, TypeId elem, element j, std::optional<std::size_t> len, Value& out, int depth) {
    if (!j.is_array()) return expected(id, "an array", j);
    auto arr = as_array(j);
    if (len && arr.size() != *len)
      return expected(
          id, "an array of " + std::to_string(*len) + " elements, not " + std::to_string(arr.size()), j);
    return elements(
        arr, [&](std::size_t) { return elem; }, out, depth);
  }

  // The elements of a checked array, element i encoded as type_at(i), each under its index in
  // the error path.
  template <class TypeAt>
  Status elements(simdjson::dom::array arr, TypeAt type_at, Value& out, int depth) {
    out.kind = Value::Kind::Array;
    out.items.resize(arr.size());
    std::size_t i = 0;
    for (element e : arr) {
      Segment seg(path_, index_seg(i));
      PYLON_TRY(value(type_at(i), e, out.items[i], depth + 1));
      ++i;
    }
    return {};
  }

  Status tuple(TypeId id, const std::vector<TypeId>& types, element j, Value& out, int depth) {
    if (!j.is_array() || as_array(j).size() != types.size())
      return expected(id, "an array of " + std::to_string(types.size()) + " elements", j);
    return elements(
        as_array(j), [&](std::size_t i) { return types[i]; }, out, depth);
  }

  Status unit(TypeId id, element j, Value& out) {
    const bool empty = j.is_null() || (j.is_array() && as_array(j).size() == 0) ||
                       (j.is_object() && as_object(j).size() == 0);
    if (!empty) return expected(id, "null", j);
    out.kind = Value::Kind::Null;
    return {};
  }

  Status account(element j, Value& out) {
    if (!j.is_string())
      return fail("expected AccountId32 (SS58 address or 0x + 64 hex), got " +
                  simdjson::minify(j).substr(0, 60));
    const std::string_view s = as_string(j);
    out.kind = Value::Kind::AccountId;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      auto b = from_hex(s);
      if (!b.ok() || b->size() != 32)
        return fail("expected AccountId32 as 0x + 64 hex digits, got \"" + std::string(s.substr(0, 80)) +
                    "\"");
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
      return elements(
          as_array(j), [&](std::size_t i) { return fs[i].type; }, out, depth);
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
        return fail("unknown field \"" + std::string(k) + "\" for " + reg_.display_name(id) +
                    " (fields: " + field_list(fs) + ")");
      if (given[at])
        return fail("field \"" + json_key(fs[at].name) + "\" of " + reg_.display_name(id) + " given twice");
      given[at].emplace(k, v);
    }
    for (std::size_t i = 0; i < fs.size(); ++i)
      if (!given[i])
        return fail("missing field \"" + json_key(fs[i].name) + "\" of " + reg_.display_name(id));
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
        return fail("variant \"" + json_key(v->name) + "\" of " + reg_.display_name(id) +
                    " carries data: write {\"" + json_key(v->name) + "\": ...}");
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

}  // namespace

Result<Value> value_from_json(const TypeRegistry& reg, TypeId type, simdjson::dom::element json) {
  if (!reg.has(type)) return make_error("unknown type id " + std::to_string(type));
  Value v;
  PYLON_TRY(FromJson(reg).value(type, json, v, 0));
  return v;
}

}  // namespace pylon::codec

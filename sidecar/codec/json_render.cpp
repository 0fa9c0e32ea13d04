#include "codec/json_render.hpp"

#include "codec/ss58.hpp"

namespace pylon::codec {
namespace {

// polkadot-js prints integers wider than 52 bits as decimal strings (its toPrimitive checks the
// bit length), so 2^52 and above are strings; checked against the oracle.
constexpr std::uint64_t kMaxSafeInteger = 4503599627370495ull;  // 2^52 - 1

bool printable_ascii(const Bytes& b) {
  for (std::uint8_t c : b)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// A decimal string within the number range prints as a number.
bool small_decimal(const std::string& s) {
  if (s.empty() || s.size() > 16 || s[0] == '-') return false;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v <= kMaxSafeInteger;
}

void fields_json(const std::vector<NamedValue>& fields, JsonWriter& w) {
  w.begin_object();
  for (const auto& [k, v] : fields) {
    w.key(json_key(k));
    render_json(v, w);
  }
  w.end_object();
}

}  // namespace

std::string json_key(std::string_view name) {
  // camelCase first (polkadot-js): '_' removed, the next character upper-cased, first lower-cased.
  std::string camel;
  bool up = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '_') {
      up = !camel.empty();
      continue;
    }
    if (camel.empty() && c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
    else if (up && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 32);
    up = false;
    camel.push_back(c);
  }
  // then snake_case (the oracle's normalisation): each capital becomes '_' + lower case.
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c + 32));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void render_json(const Value& v, JsonWriter& w) {
  switch (v.kind) {
    case Value::Kind::Null:
      w.null();
      return;
    case Value::Kind::Bool:
      w.boolean(v.boolean);
      return;
    case Value::Kind::UInt:
      if (v.uint > kMaxSafeInteger)
        w.string(std::to_string(v.uint));
      else
        w.number(v.uint);
      return;
    case Value::Kind::Int: {
      const std::uint64_t mag =
          v.sint < 0 ? 0 - static_cast<std::uint64_t>(v.sint) : static_cast<std::uint64_t>(v.sint);
      if (mag > kMaxSafeInteger)
        w.string(std::to_string(v.sint));
      else
        w.number(v.sint);
      return;
    }
    case Value::Kind::BigInt:
      if (small_decimal(v.text))
        w.raw(v.text);
      else if (v.text.size() > 1 && v.text[0] == '-' && small_decimal(v.text.substr(1)))
        w.raw(v.text);
      else
        w.string(v.text);
      return;
    case Value::Kind::Str:
      w.string(v.text);
      return;
    case Value::Kind::Bytes:
      if (printable_ascii(v.bytes))
        w.string(std::string_view(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size()));
      else
        w.string(to_hex(v.bytes));
      return;
    case Value::Kind::AccountId:
      w.string(ss58_encode(v.bytes));
      return;
    case Value::Kind::Array:
      w.begin_array();
      for (const auto& x : v.items) render_json(x, w);
      w.end_array();
      return;
    case Value::Kind::Object:
      fields_json(v.fields, w);
      return;
    case Value::Kind::Option:
      if (v.items.empty())
        w.null();
      else
        render_json(v.items[0], w);
      return;
    case Value::Kind::Variant:
      if (v.basic_enum) {
        w.string(v.text);
        return;
      }
      w.begin_object();
      w.key(json_key(v.text));
      if (v.items.empty())
        w.null();
      else
        render_json(v.items[0], w);
      w.end_object();
      return;
    case Value::Kind::BitSeq:
      w.string(to_hex(v.bytes));
      return;
  }
}

std::string render_json(const Value& v) {
  JsonWriter w;
  render_json(v, w);
  return w.take();
}

}  // namespace pylon::codec

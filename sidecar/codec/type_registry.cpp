#include "codec/type_registry.hpp"

#include <algorithm>

#include "common/find_by.hpp"

namespace pylon::codec {

std::size_t primitive_size(Primitive p) {
  switch (p) {
    case Primitive::Bool:
    case Primitive::U8:
    case Primitive::I8:
      return 1;
    case Primitive::U16:
    case Primitive::I16:
      return 2;
    case Primitive::Char:
    case Primitive::U32:
    case Primitive::I32:
      return 4;
    case Primitive::U64:
    case Primitive::I64:
      return 8;
    case Primitive::U128:
    case Primitive::I128:
      return 16;
    case Primitive::U256:
    case Primitive::I256:
      return 32;
    case Primitive::Str:
      return 0;
  }
  return 0;
}

std::string_view primitive_name(Primitive p) {
  static constexpr std::string_view kNames[] = {"bool", "char", "str", "u8",  "u16", "u32",  "u64", "u128",
                                                "u256", "i8",   "i16", "i32", "i64", "i128", "i256"};
  return kNames[static_cast<std::size_t>(p)];
}

const Variant* TypeDef::variant_named(std::string_view name) const {
  return find_by(variants, name, &Variant::name);
}

const Field* TypeDef::field_named(std::string_view name) const {
  return find_by(fields, name, &Field::name);
}

namespace {

std::string pascal(std::string_view s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '_') {
      up = true;
      continue;
    }
    out.push_back(up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    up = false;
  }
  return out;
}

bool is_u8(const TypeRegistry& r, TypeId id) {
  const auto& t = r[id];
  return t.kind == TypeKind::Primitive && t.prim == Primitive::U8;
}

}  // namespace

std::string TypeRegistry::display_name(TypeId id) const {
  if (!has(id)) return "<unknown type " + std::to_string(id) + ">";
  const TypeDef& t = types[id];
  switch (t.kind) {
    case TypeKind::Primitive:
      return std::string(primitive_name(t.prim));
    case TypeKind::Compact:
      return "Compact<" + display_name(t.elem) + ">";
    case TypeKind::Sequence:
      return is_u8(*this, t.elem) ? "Bytes" : "Vec<" + display_name(t.elem) + ">";
    case TypeKind::Array:
      return "[" + display_name(t.elem) + ";" + std::to_string(t.len) + "]";
    case TypeKind::BitSequence:
      return "BitVec";
    case TypeKind::Tuple: {
      if (t.tuple.empty()) return "Null";
      std::string s = "(";
      for (std::size_t i = 0; i < t.tuple.size(); ++i) s += (i ? "," : "") + display_name(t.tuple[i]);
      return s + ")";
    }
    case TypeKind::Composite:
    case TypeKind::Variant:
      break;
  }
  if (t.special == Special::Option) return "Option<" + display_name(t.variants[1].fields[0].type) + ">";
  if (t.special == Special::Result) {
    const Variant* ok = t.variant_named("Ok");
    const Variant* err = t.variant_named("Err");
    return "Result<" + display_name(ok->fields[0].type) + ", " + display_name(err->fields[0].type) + ">";
  }
  if (t.special == Special::AccountId32) return "AccountId32";
  // polkadot-js style: PascalCase of the path with repeated neighbouring segments collapsed
  // (pallet_subtensor::rpc_info::neuron_info::NeuronInfo -> PalletSubtensorRpcInfoNeuronInfo).
  std::string name;
  std::string prev;
  for (const auto& seg : t.path) {
    std::string p = pascal(seg);
    if (p == prev) continue;
    name += p;
    prev = std::move(p);
  }
  return name.empty() ? "<anonymous type " + std::to_string(id) + ">" : name;
}

Status TypeRegistry::finish() {
  const auto check = [&](TypeId ref, std::size_t owner) -> Status {
    if (!has(ref))
      return make_error("type " + std::to_string(owner) + " refers to type " + std::to_string(ref) +
                        ", beyond the " + std::to_string(types.size()) + " types of the registry");
    return {};
  };
  for (std::size_t i = 0; i < types.size(); ++i) {
    TypeDef& t = types[i];
    t.variant_pos.fill(-1);
    switch (t.kind) {
      case TypeKind::Composite:
        for (const auto& f : t.fields) PYLON_TRY(check(f.type, i));
        break;
      case TypeKind::Variant: {
        for (std::size_t v = 0; v < t.variants.size(); ++v) {
          if (t.variant_pos[t.variants[v].index] >= 0)
            return make_error("type " + std::to_string(i) + " has two variants with index " +
                              std::to_string(t.variants[v].index));
          t.variant_pos[t.variants[v].index] = static_cast<std::int16_t>(v);
          for (const auto& f : t.variants[v].fields) PYLON_TRY(check(f.type, i));
        }
        break;
      }
      case TypeKind::Sequence:
      case TypeKind::Array:
      case TypeKind::Compact:
        PYLON_TRY(check(t.elem, i));
        break;
      case TypeKind::BitSequence:
        PYLON_TRY(check(t.elem, i));
        PYLON_TRY(check(t.bit_order, i));
        break;
      case TypeKind::Tuple:
        for (TypeId e : t.tuple) PYLON_TRY(check(e, i));
        break;
      case TypeKind::Primitive:
        break;
    }
  }
  for (auto& t : types) {
    const bool path_is = !t.path.empty();
    if (t.kind == TypeKind::Variant && path_is && t.path.size() == 1 && t.path[0] == "Option" &&
        t.variants.size() == 2 && t.variant_at(0) && t.variant_at(0)->fields.empty() && t.variant_at(1) &&
        t.variant_at(1)->fields.size() == 1) {
      t.special = Special::Option;
    } else if (t.kind == TypeKind::Variant && path_is && t.path.size() == 1 && t.path[0] == "Result" &&
               t.variant_named("Ok") && t.variant_named("Err") && t.variant_named("Ok")->fields.size() == 1 &&
               t.variant_named("Err")->fields.size() == 1) {
      t.special = Special::Result;
    } else if (t.kind == TypeKind::Composite && !t.path.empty() && t.path.back() == "AccountId32" &&
               t.fields.size() == 1 && types[t.fields[0].type].kind == TypeKind::Array &&
               types[t.fields[0].type].len == 32 && is_u8(*this, types[t.fields[0].type].elem)) {
      t.special = Special::AccountId32;
    } else if (t.kind == TypeKind::Sequence && is_u8(*this, t.elem)) {
      t.special = Special::ByteSeq;
    } else if (t.kind == TypeKind::Array && is_u8(*this, t.elem)) {
      t.special = Special::ByteArray;
    }
  }
  // Minimum encoded sizes, iterated towards a fixpoint. Every pass keeps each value a lower bound of
  // the true minimum, so stopping early (a malformed self-containing type never settles) stays safe.
  min_size_.assign(types.size(), 0);
  bool changed = true;
  for (int pass = 0; changed && pass < 32; ++pass) {
    changed = false;
    for (std::size_t i = 0; i < types.size(); ++i) {
      const TypeDef& t = types[i];
      std::uint64_t m = 0;
      switch (t.kind) {
        case TypeKind::Primitive:
          m = primitive_size(t.prim);
          break;
        case TypeKind::Compact:
          m = 1;
          break;
        case TypeKind::Sequence:
          m = 1;
          break;
        case TypeKind::BitSequence:
          m = 1;
          break;
        case TypeKind::Array:
          m = std::uint64_t{t.len} * min_size_[t.elem];
          break;
        case TypeKind::Tuple:
          for (TypeId e : t.tuple) m += min_size_[e];
          break;
        case TypeKind::Composite:
          for (const auto& f : t.fields) m += min_size_[f.type];
          break;
        case TypeKind::Variant: {
          std::uint64_t best = UINT32_MAX;
          for (const auto& v : t.variants) {
            std::uint64_t s = 1;
            for (const auto& f : v.fields) s += min_size_[f.type];
            best = std::min(best, s);
          }
          m = t.variants.empty() ? 1 : best;
          break;
        }
      }
      m = std::min<std::uint64_t>(m, UINT32_MAX);
      if (m > min_size_[i]) {
        min_size_[i] = static_cast<std::uint32_t>(m);
        changed = true;
      }
    }
  }
  return {};
}

std::size_t TypeRegistry::min_size(TypeId id) const {
  return id < min_size_.size() ? min_size_[id] : 0;
}

}  // namespace pylon::codec

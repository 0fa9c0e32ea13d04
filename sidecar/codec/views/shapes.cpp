#include "codec/views/shapes.hpp"

#include "codec/metadata.hpp"

namespace pylon::codec::views {
namespace {

// Follows single-field composites (Rust newtypes) to what they wrap.
TypeId unwrap_newtypes(const TypeRegistry& reg, TypeId id) {
  for (int i = 0; i < 8; ++i) {
    const TypeDef& t = reg[id];
    if (t.kind != TypeKind::Composite || t.fields.size() != 1 || t.special == Special::AccountId32) break;
    id = t.fields[0].type;
  }
  return id;
}

std::optional<IntShape> prim_shape(Primitive p) {
  switch (p) {
    case Primitive::U8:
    case Primitive::U16:
    case Primitive::U32:
    case Primitive::U64:
    case Primitive::U128:
      return IntShape{false, false, static_cast<std::uint8_t>(primitive_size(p))};
    case Primitive::I8:
    case Primitive::I16:
    case Primitive::I32:
    case Primitive::I64:
    case Primitive::I128:
      return IntShape{false, true, static_cast<std::uint8_t>(primitive_size(p))};
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<IntShape> int_shape(const TypeRegistry& reg, TypeId id) {
  const TypeDef& t = reg[unwrap_newtypes(reg, id)];
  if (t.kind == TypeKind::Primitive) return prim_shape(t.prim);
  if (t.kind == TypeKind::Compact) {
    const TypeDef& inner = reg[unwrap_newtypes(reg, t.elem)];
    if (inner.kind != TypeKind::Primitive) return std::nullopt;
    auto s = prim_shape(inner.prim);
    if (!s || s->is_signed) return std::nullopt;
    s->compact = true;
    return s;
  }
  return std::nullopt;
}

bool is_bool(const TypeRegistry& reg, TypeId id) {
  const TypeDef& t = reg[unwrap_newtypes(reg, id)];
  return t.kind == TypeKind::Primitive && t.prim == Primitive::Bool;
}

bool is_account(const TypeRegistry& reg, TypeId id) {
  const TypeDef& t = reg[id];
  if (t.special == Special::AccountId32) return true;
  const TypeDef& u = reg[unwrap_newtypes(reg, id)];
  return u.special == Special::AccountId32 || (u.special == Special::ByteArray && u.len == 32);
}

std::optional<std::pair<Scalar::Kind, IntShape>> scalar_shape(const TypeRegistry& reg, TypeId id) {
  if (is_bool(reg, id)) return std::pair{Scalar::Kind::Bool, IntShape{}};
  auto s = int_shape(reg, id);
  if (!s || (s->is_signed && s->width > 8)) return std::nullopt;
  return std::pair{s->is_signed ? Scalar::Kind::Int : Scalar::Kind::UInt, *s};
}

Status read_scalar(Scalar::Kind kind, const IntShape& shape, ScaleReader& r, Scalar& out) {
  out.kind = kind;
  if (kind == Scalar::Kind::Bool) {
    PYLON_ASSIGN(out.flag, r.boolean());
  } else if (kind == Scalar::Kind::Int) {
    PYLON_ASSIGN(ByteSpan b, r.bytes(shape.width));
    std::uint64_t raw = 0;
    for (std::size_t i = shape.width; i-- > 0;) raw = raw << 8 | b[i];
    const unsigned shift = 64 - 8 * shape.width;
    out.sint = static_cast<std::int64_t>(raw << shift) >> shift;  // sign-extend
  } else {
    PYLON_ASSIGN(out.uint, read_uint(shape, r));
  }
  return {};
}

Result<const TypeDef*> named_struct(const TypeRegistry& reg, TypeId type, bool& optional, std::string& name) {
  name = reg.display_name(type);
  optional = reg[type].special == Special::Option;
  if (optional) type = reg[type].variants[1].fields[0].type;
  const TypeDef& t = reg[type];
  if (t.kind != TypeKind::Composite || t.fields.empty() || t.fields[0].name.empty())
    return make_error(name + " is not a struct with named fields");
  return &t;
}

Result<bool> read_some(ScaleReader& r, bool optional, const std::string& type_name) {
  if (!optional) return true;
  PYLON_ASSIGN(std::uint8_t tag, r.u8());
  if (tag > 1)
    return make_error("at byte 0: Option tag " + std::to_string(tag) + " is not 0 or 1 (" + type_name + ")");
  if (tag == 0 && !r.at_end()) return r.error("bytes left after None");
  return tag == 1;
}

Result<TypeId> api_output(const Metadata& md, std::string_view method) {
  const RuntimeApiMethod* m = md.api_method(method);
  if (!m) return make_error("the runtime has no " + std::string(method));
  return m->output;
}

}  // namespace pylon::codec::views

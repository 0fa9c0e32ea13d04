#include "codec/views/shapes.hpp"

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
    case Primitive::U8: case Primitive::U16: case Primitive::U32: case Primitive::U64: case Primitive::U128:
      return IntShape{false, false, static_cast<std::uint8_t>(primitive_size(p))};
    case Primitive::I8: case Primitive::I16: case Primitive::I32: case Primitive::I64: case Primitive::I128:
      return IntShape{false, true, static_cast<std::uint8_t>(primitive_size(p))};
    default: return std::nullopt;
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

}  // namespace pylon::codec::views

#include "codec/views/columns.hpp"

#include "codec/decoder.hpp"

namespace pylon::codec::views {

const Column* Columns::find(std::string_view name) const {
  for (const auto& [k, c] : columns)
    if (k == name) return &c;
  return nullptr;
}

std::optional<std::uint64_t> Columns::u64(std::string_view name) const {
  const Column* c = find(name);
  if (!c || c->kind != Column::Kind::Scalar) return std::nullopt;
  if (c->scalar.kind == Scalar::Kind::Bool) return c->scalar.flag ? 1 : 0;
  if (c->scalar.kind == Scalar::Kind::UInt && c->scalar.uint <= UINT64_MAX)
    return static_cast<std::uint64_t>(c->scalar.uint);
  return std::nullopt;
}

Result<ColumnsView> ColumnsView::resolve_type(std::shared_ptr<const Metadata> md, TypeId type) {
  const TypeRegistry& reg = md->types;
  ColumnsView v;
  v.type_name_ = reg.display_name(type);
  PYLON_ASSIGN(const TypeDef* t, named_struct(reg, type, v.optional_, v.type_name_));
  for (const auto& f : t->fields) {
    Field out{f.name, f.type, false, Column::Kind::Other, {}};
    if (reg[out.type].special == Special::Option) {
      out.optional = true;
      out.type = reg[out.type].variants[1].fields[0].type;
    }
    const TypeDef& ft = reg[out.type];
    if (is_bool(reg, out.type)) {
      out.kind = Column::Kind::Scalar;
      out.shape.width = 0;
    } else if (auto s = int_shape(reg, out.type); s && !(s->is_signed && s->width > 8)) {
      out.kind = Column::Kind::Scalar;
      out.shape = *s;
    } else if (ft.kind == TypeKind::Sequence && is_account(reg, ft.elem)) {
      out.kind = Column::Kind::Accounts;
    } else if (ft.kind == TypeKind::Sequence && is_bool(reg, ft.elem)) {
      out.kind = Column::Kind::List;
      out.shape.width = 0;
    } else if (ft.kind == TypeKind::Sequence && int_shape(reg, ft.elem) &&
               !int_shape(reg, ft.elem)->is_signed) {
      out.kind = Column::Kind::List;
      out.shape = *int_shape(reg, ft.elem);
    }
    v.fields_.push_back(std::move(out));
  }
  v.md_ = std::move(md);
  return v;
}

Result<ColumnsView> ColumnsView::resolve_api(std::shared_ptr<const Metadata> md, std::string_view method) {
  const RuntimeApiMethod* m = md->api_method(method);
  if (!m) return make_error("the runtime has no " + std::string(method));
  const TypeId out = m->output;
  return resolve_type(std::move(md), out);
}

Status ColumnsView::read_field(const Field& f, ScaleReader& r, Column& out) const {
  if (f.optional) {
    PYLON_ASSIGN(std::uint8_t tag, r.u8());
    if (tag > 1) return r.error("Option tag " + std::to_string(tag) + " is not 0 or 1");
    if (tag == 0) {
      out.kind = Column::Kind::Absent;
      return {};
    }
  }
  out.kind = f.kind;
  switch (f.kind) {
    case Column::Kind::Scalar: {
      const auto kind = f.shape.width == 0  ? Scalar::Kind::Bool
                        : f.shape.is_signed ? Scalar::Kind::Int
                                            : Scalar::Kind::UInt;
      return read_scalar(kind, f.shape, r, out.scalar);
    }
    case Column::Kind::List: {
      PYLON_ASSIGN(std::size_t n, r.length(f.shape.width == 0 ? 1 : (f.shape.compact ? 1 : f.shape.width)));
      out.list.resize(n);
      for (auto& x : out.list) {
        if (f.shape.width == 0) {
          PYLON_ASSIGN(bool b, r.boolean());
          x = b ? 1 : 0;
        } else {
          PYLON_ASSIGN(x, read_uint(f.shape, r));
        }
      }
      return {};
    }
    case Column::Kind::Accounts: {
      PYLON_ASSIGN(std::size_t n, r.length(32));
      out.accounts.resize(n);
      for (auto& a : out.accounts) {
        PYLON_ASSIGN(a, read_account(r));
      }
      return {};
    }
    case Column::Kind::Other: {
      PYLON_ASSIGN(out.other, decode_value(md_->types, f.type, r));
      return {};
    }
    case Column::Kind::Absent:
      return {};
  }
  return {};
}

Result<std::optional<Columns>> ColumnsView::decode(ByteSpan bytes) const {
  ScaleReader r(bytes);
  if (optional_) {
    PYLON_ASSIGN(bool some, read_some(r, type_name_));
    if (!some) return std::optional<Columns>{};
  }
  Columns out;
  out.columns.resize(fields_.size());
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    out.columns[i].first = fields_[i].name;
    auto s = read_field(fields_[i], r, out.columns[i].second);
    if (!s.ok()) return make_error(s.error().message + " (in " + type_name_ + "." + fields_[i].name + ")");
  }
  if (!r.at_end()) return r.error(std::to_string(r.remaining()) + " bytes left after " + type_name_);
  return std::optional<Columns>{std::move(out)};
}

}  // namespace pylon::codec::views

#include "codec/views/columns.hpp"

#include <algorithm>

#include "codec/decoder.hpp"
#include "common/find_by.hpp"

namespace pylon::codec::views {

const Column* Columns::find(std::string_view name) const {
  return find_value(columns, name);
}

std::optional<std::uint64_t> Columns::u64(std::string_view name) const {
  const Column* c = find(name);
  if (!c || c->kind != Column::Kind::Scalar) return std::nullopt;
  if (c->scalar.kind == Scalar::Kind::Bool) return c->scalar.flag ? 1 : 0;
  if (c->scalar.kind == Scalar::Kind::UInt && c->scalar.uint <= UINT64_MAX)
    return static_cast<std::uint64_t>(c->scalar.uint);
  return std::nullopt;
}

std::optional<ColumnsView::FieldInfo> ColumnsView::field(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].name == name) return FieldInfo{i, fields_[i].kind, fields_[i].shape};
  return std::nullopt;
}

Result<ColumnsView> ColumnsView::resolve_type(std::shared_ptr<const Metadata> md, TypeId type) {
  const TypeRegistry& reg = md->types;
  ColumnsView v;
  PYLON_ASSIGN(const TypeDef* t, named_struct(reg, type, v.optional_, v.type_name_));
  for (const auto& f : t->fields) {
    Field out{f.name, f.type, false, Column::Kind::Other, {}, std::nullopt};
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
    } else if (ft.kind == TypeKind::Sequence && reg[ft.elem].kind == TypeKind::Sequence) {
      if (auto e = int_shape(reg, reg[ft.elem].elem); e && !e->is_signed) out.rows_of = *e;
    }
    v.fields_.push_back(std::move(out));
  }
  v.md_ = std::move(md);
  return v;
}

Result<ColumnsView> ColumnsView::resolve_api(std::shared_ptr<const Metadata> md, std::string_view method) {
  PYLON_ASSIGN(const TypeId out, api_output(*md, method));
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

Status ColumnsView::skip_field(const Field& f, ScaleReader& r) const {
  if (f.optional) {
    PYLON_ASSIGN(std::uint8_t tag, r.u8());
    if (tag > 1) return r.error("Option tag " + std::to_string(tag) + " is not 0 or 1");
    if (tag == 0) return {};
  }
  switch (f.kind) {
    case Column::Kind::Scalar: {
      Column unused;
      return read_field(Field{f.name, f.type, false, f.kind, f.shape, std::nullopt}, r, unused);
    }
    case Column::Kind::List: {  // each element checked as read_field checks it (bools, widths)
      PYLON_ASSIGN(std::size_t n, r.length(f.shape.width == 0 ? 1 : (f.shape.compact ? 1 : f.shape.width)));
      for (std::size_t i = 0; i < n; ++i) {
        if (f.shape.width == 0) {
          PYLON_TRY(r.boolean());
        } else {
          PYLON_TRY(read_uint(f.shape, r));
        }
      }
      return {};
    }
    case Column::Kind::Accounts: {
      PYLON_ASSIGN(std::size_t n, r.length(32));
      return r.skip(32 * n);
    }
    case Column::Kind::Other: {
      if (f.rows_of) {  // rows of integers, each read and width-checked, none kept
        PYLON_ASSIGN(std::size_t rows, r.length(1));
        for (std::size_t i = 0; i < rows; ++i) {
          PYLON_ASSIGN(std::size_t n,
                       r.length(f.rows_of->compact ? 1 : std::max<std::size_t>(1, f.rows_of->width)));
          for (std::size_t k = 0; k < n; ++k) PYLON_TRY(read_uint(*f.rows_of, r));
        }
        return {};
      }
      return skip_value(md_->types, f.type, r);  // the type walk checks the bytes, builds nothing
    }
    case Column::Kind::Absent:
      return {};
  }
  return {};
}

Result<std::optional<Columns>> ColumnsView::decode(ByteSpan bytes,
                                                   std::span<const std::string_view> only) const {
  return decode_struct<Columns>(bytes, optional_, type_name_, fields_,
                                [this, only](const Field& f, ScaleReader& r, Columns& out) -> Status {
                                  if (std::find(only.begin(), only.end(), f.name) == only.end())
                                    return skip_field(f, r);
                                  return read_field(f, r, out.columns.emplace_back(f.name, Column{}).second);
                                });
}

Result<std::optional<Columns>> ColumnsView::decode(ByteSpan bytes) const {
  return decode_struct<Columns>(bytes, optional_, type_name_, fields_,
                                [this](const Field& f, ScaleReader& r, Columns& out) {
                                  return read_field(f, r, out.columns.emplace_back(f.name, Column{}).second);
                                });
}

}  // namespace pylon::codec::views

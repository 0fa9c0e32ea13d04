#include "codec/views/record.hpp"

#include "common/find_by.hpp"

namespace pylon::codec::views {

const Scalar* Record::find(std::string_view name) const {
  return find_value(fields, name);
}

std::optional<std::uint64_t> Record::u64(std::string_view name) const {
  const Scalar* s = find(name);
  if (!s) return std::nullopt;
  if (s->kind == Scalar::Kind::UInt && s->uint <= UINT64_MAX) return static_cast<std::uint64_t>(s->uint);
  if (s->kind == Scalar::Kind::Int && s->sint >= 0) return static_cast<std::uint64_t>(s->sint);
  return std::nullopt;
}

std::optional<bool> Record::flag(std::string_view name) const {
  const Scalar* s = find(name);
  if (!s || s->kind != Scalar::Kind::Bool) return std::nullopt;
  return s->flag;
}

Result<RecordView> RecordView::resolve_type(std::shared_ptr<const Metadata> md, TypeId type) {
  const TypeRegistry& reg = md->types;
  RecordView v;
  PYLON_ASSIGN(const TypeDef* t, named_struct(reg, type, v.optional_, v.type_name_));
  for (const auto& f : t->fields) {
    auto shape = scalar_shape(reg, f.type);
    if (!shape)
      return make_error(v.type_name_ + "." + f.name + " (" + reg.display_name(f.type) + ") is not a scalar");
    v.fields_.push_back(Field{f.name, shape->first, shape->second});
  }
  v.md_ = std::move(md);
  return v;
}

Result<RecordView> RecordView::resolve_api(std::shared_ptr<const Metadata> md, std::string_view method) {
  PYLON_ASSIGN(const TypeId out, api_output(*md, method));
  return resolve_type(std::move(md), out);
}

Result<std::optional<Record>> RecordView::decode(ByteSpan bytes) const {
  return decode_struct<Record>(bytes, optional_, type_name_, fields_,
                               [](const Field& f, ScaleReader& r, Record& rec) -> Status {
                                 Scalar s;
                                 PYLON_TRY(read_scalar(f.kind, f.shape, r, s));
                                 rec.fields.emplace_back(f.name, s);
                                 return {};
                               });
}

}  // namespace pylon::codec::views

#include "codec/views/record.hpp"

namespace pylon::codec::views {

const Scalar* Record::find(std::string_view name) const {
  for (const auto& [k, v] : fields)
    if (k == name) return &v;
  return nullptr;
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
  v.type_name_ = reg.display_name(type);
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
  const RuntimeApiMethod* m = md->api_method(method);
  if (!m) return make_error("the runtime has no " + std::string(method));
  const TypeId out = m->output;
  return resolve_type(std::move(md), out);
}

Result<std::optional<Record>> RecordView::decode(ByteSpan bytes) const {
  ScaleReader r(bytes);
  if (optional_) {
    PYLON_ASSIGN(bool some, read_some(r, type_name_));
    if (!some) return std::optional<Record>{};
  }
  Record rec;
  rec.fields.reserve(fields_.size());
  for (const auto& f : fields_) {
    Scalar s;
    auto st = read_scalar(f.kind, f.shape, r, s);
    if (!st.ok()) return make_error(st.error().message + " (in " + type_name_ + "." + f.name + ")");
    rec.fields.emplace_back(f.name, s);
  }
  if (!r.at_end()) return r.error(std::to_string(r.remaining()) + " bytes left after " + type_name_);
  return std::optional<Record>{std::move(rec)};
}

std::string hyperparams_method(const Metadata& md) {
  if (md.api_method("SubnetInfoRuntimeApi_get_subnet_hyperparams_v2"))
    return "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2";
  if (md.api_method("SubnetInfoRuntimeApi_get_subnet_hyperparams"))
    return "SubnetInfoRuntimeApi_get_subnet_hyperparams";
  return {};
}

}  // namespace pylon::codec::views

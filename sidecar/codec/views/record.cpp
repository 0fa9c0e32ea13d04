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
  if (reg[type].special == Special::Option) {
    v.optional_ = true;
    type = reg[type].variants[1].fields[0].type;
  }
  const TypeDef& t = reg[type];
  if (t.kind != TypeKind::Composite || t.fields.empty() || t.fields[0].name.empty())
    return make_error(v.type_name_ + " is not a struct with named fields");
  for (const auto& f : t.fields) {
    Field out{f.name, Scalar::Kind::UInt, {}};
    if (is_bool(reg, f.type)) {
      out.kind = Scalar::Kind::Bool;
    } else if (auto s = int_shape(reg, f.type)) {
      out.shape = *s;
      out.kind = s->is_signed ? Scalar::Kind::Int : Scalar::Kind::UInt;
      if (s->is_signed && s->width > 8) return make_error(v.type_name_ + "." + f.name + " is a signed integer wider than 64 bits");
    } else {
      return make_error(v.type_name_ + "." + f.name + " (" + reg.display_name(f.type) + ") is not a scalar");
    }
    v.fields_.push_back(std::move(out));
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
    PYLON_ASSIGN(std::uint8_t tag, r.u8());
    if (tag > 1) return make_error("at byte 0: Option tag " + std::to_string(tag) + " is not 0 or 1 (" + type_name_ + ")");
    if (tag == 0) {
      if (!r.at_end()) return r.error("bytes left after None");
      return std::optional<Record>{};
    }
  }
  Record rec;
  rec.fields.reserve(fields_.size());
  for (const auto& f : fields_) {
    Scalar s;
    s.kind = f.kind;
    if (f.kind == Scalar::Kind::Bool) {
      auto b = r.boolean();
      if (!b.ok()) return make_error(b.error().message + " (in " + type_name_ + "." + f.name + ")");
      s.flag = *b;
    } else if (f.kind == Scalar::Kind::Int) {
      auto b = r.bytes(f.shape.width);
      if (!b.ok()) return make_error(b.error().message + " (in " + type_name_ + "." + f.name + ")");
      std::uint64_t raw = 0;
      for (std::size_t i = f.shape.width; i-- > 0;) raw = raw << 8 | (*b)[i];
      const unsigned shift = 64 - 8 * f.shape.width;
      s.sint = static_cast<std::int64_t>(raw << shift) >> shift;  // sign-extend
    } else {
      auto u = read_uint(f.shape, r);
      if (!u.ok()) return make_error(u.error().message + " (in " + type_name_ + "." + f.name + ")");
      s.uint = *u;
    }
    rec.fields.emplace_back(f.name, s);
  }
  if (!r.at_end()) return r.error(std::to_string(r.remaining()) + " bytes left after " + type_name_);
  return std::optional<Record>{std::move(rec)};
}

std::string hyperparams_method(const Metadata& md) {
  if (md.api_method("SubnetInfoRuntimeApi_get_subnet_hyperparams_v2")) return "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2";
  if (md.api_method("SubnetInfoRuntimeApi_get_subnet_hyperparams")) return "SubnetInfoRuntimeApi_get_subnet_hyperparams";
  return {};
}

}  // namespace pylon::codec::views

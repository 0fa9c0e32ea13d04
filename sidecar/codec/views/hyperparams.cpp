#include "codec/views/hyperparams.hpp"

#include <unordered_set>

namespace pylon::codec::views {
namespace {

Error shape_error(std::string text) {
  return make_error(HyperparamsErrc::kShape, std::move(text));
}

// Names the v3 list uses are the v2 struct's field names: lowercase ASCII identifiers.
bool is_identifier(ByteSpan b) {
  if (b.empty() || b.size() > 64) return false;
  for (std::uint8_t c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string_view kind_name(Scalar::Kind k) {
  switch (k) {
    case Scalar::Kind::Bool:
      return "bool";
    case Scalar::Kind::Int:
      return "signed integer";
    case Scalar::Kind::UInt:
      return "unsigned integer";
  }
  return "?";
}

}  // namespace

Result<HyperparamListView> HyperparamListView::resolve(std::shared_ptr<const Metadata> md, TypeId type) {
  const TypeRegistry& reg = md->types;
  HyperparamListView v;
  v.type_name_ = reg.display_name(type);
  v.optional_ = reg[type].special == Special::Option;
  TypeId list = v.optional_ ? reg[type].variant_at(1)->fields[0].type : type;
  if (reg[list].kind != TypeKind::Sequence) return shape_error(v.type_name_ + " is not a list");
  const TypeDef& entry = reg[reg[list].elem];
  const Field* name = entry.field_named("name");
  const Field* value = entry.field_named("value");
  if (entry.kind != TypeKind::Composite || entry.fields.size() != 2 || !name || !value)
    return shape_error(v.type_name_ + ": the entry is not a struct {name, value}");
  if (reg[name->type].special != Special::ByteSeq)
    return shape_error(v.type_name_ + ": the entry's name is " + reg.display_name(name->type) +
                       ", not Vec<u8>");
  const TypeDef& tagged = reg[value->type];
  if (tagged.kind != TypeKind::Variant)
    return shape_error(v.type_name_ + ": the entry's value is " + reg.display_name(value->type) +
                       ", not an enum");
  v.name_first_ = &entry.fields[0] == name;
  v.value_of_tag_.fill(-1);
  for (const Variant& var : tagged.variants) {
    ValueKind k;
    k.name = var.name;
    if (var.fields.size() == 1) {
      if (auto s = scalar_shape(reg, var.fields[0].type)) {
        k.scalar = true;
        k.kind = s->first;
        k.shape = s->second;
      }
    }
    v.value_of_tag_[var.index] = static_cast<std::int16_t>(v.values_.size());
    v.values_.push_back(std::move(k));
  }
  // The v2 struct of the same runtime, when it has one, says what each shared name holds.
  if (const RuntimeApiMethod* m = md->api_method(kHyperparamsV2Method)) {
    bool opt = false;
    std::string v2_name;
    auto s = named_struct(reg, m->output, opt, v2_name);
    if (!s.ok()) return with_context("the v2 struct beside v3", std::move(s).error());
    for (const auto& f : (*s)->fields)
      if (auto shape = scalar_shape(reg, f.type))
        v.v2_.push_back(Expected{f.name, shape->first, shape->second});
  }
  v.md_ = std::move(md);
  return v;
}

Status HyperparamListView::check_against_v2(const std::string& name, const Scalar& value) const {
  const Expected* e = nullptr;
  for (const auto& x : v2_)
    if (x.name == name) e = &x;
  if (!e) return {};  // a name v2 does not have: a later addition, kept as the chain gives it
  if (e->kind != value.kind)
    return make_error(HyperparamsErrc::kMismatch,
                      "\"" + name + "\" is a " + std::string(kind_name(value.kind)) +
                          " where the runtime's v2 field is a " + std::string(kind_name(e->kind)));
  const unsigned bits = 8u * e->shape.width;
  const bool too_wide = value.kind == Scalar::Kind::UInt
                            ? bits < 128 && (value.uint >> bits) != 0
                            : value.kind == Scalar::Kind::Int && bits < 64 &&
                                  (value.sint < -(std::int64_t{1} << (bits - 1)) ||
                                   value.sint >= (std::int64_t{1} << (bits - 1)));
  if (too_wide)
    return make_error(HyperparamsErrc::kMismatch, "\"" + name + "\" does not fit the runtime's v2 field of " +
                                                      std::to_string(bits) + " bits");
  return {};
}

Result<std::optional<Record>> HyperparamListView::decode(ByteSpan bytes) const {
  const auto malformed = [&](const Error& e) {
    return make_error(HyperparamsErrc::kMalformed, e.message + " (in " + type_name_ + ")");
  };
  ScaleReader r(bytes);
  auto some = read_some(r, optional_, type_name_);
  if (!some.ok()) return malformed(some.error());
  if (!*some) return std::optional<Record>{};
  // Each entry takes at least 2 bytes (an empty name's length and a tag).
  auto count = r.length(2);
  if (!count.ok()) return malformed(count.error());
  Record rec;
  rec.fields.reserve(*count);
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < *count; ++i) {
    std::string name;
    Scalar value;
    for (int part = 0; part < 2; ++part) {
      if ((part == 0) == name_first_) {
        auto b = r.byte_vec();
        if (!b.ok()) return malformed(b.error());
        if (!is_identifier(*b))
          return make_error(HyperparamsErrc::kBadName,
                            "entry " + std::to_string(i) + " has a name that is not an identifier");
        name.assign(b->begin(), b->end());
      } else {
        auto tag = r.u8();
        if (!tag.ok()) return malformed(tag.error());
        const int at = value_of_tag_[*tag];
        if (at < 0)
          return make_error(HyperparamsErrc::kUnknownValue, "entry " + std::to_string(i) + ": value tag " +
                                                                std::to_string(*tag) +
                                                                " is not a variant of " + type_name_);
        const ValueKind& k = values_[static_cast<std::size_t>(at)];
        if (!k.scalar)
          return make_error(HyperparamsErrc::kUnknownValue,
                            "entry " + std::to_string(i) + ": value " + k.name + " holds no single scalar");
        auto s = read_scalar(k.kind, k.shape, r, value);
        if (!s.ok()) return malformed(s.error());
      }
    }
    if (!seen.insert(name).second)
      return make_error(HyperparamsErrc::kBadName, "\"" + name + "\" is given twice");
    PYLON_TRY(check_against_v2(name, value));
    rec.fields.emplace_back(std::move(name), value);
  }
  auto end = r.expect_end(type_name_);
  if (!end.ok()) return malformed(end.error());
  return std::optional<Record>{std::move(rec)};
}

std::string hyperparams_method(const Metadata& md) {
  for (const char* m : {kHyperparamsV3Method, kHyperparamsV2Method, kHyperparamsV1Method})
    if (md.api_method(m)) return m;
  return {};
}

Result<HyperparamsView> HyperparamsView::resolve(std::shared_ptr<const Metadata> md) {
  HyperparamsView v;
  v.method_ = hyperparams_method(*md);
  if (v.method_.empty())
    return make_error(HyperparamsErrc::kNoApi, "the runtime offers no hyperparameters API");
  if (v.method_ == kHyperparamsV3Method) {
    v.api_ = Api::kV3;
    const TypeId out = md->api_method(v.method_)->output;
    PYLON_ASSIGN(auto list, HyperparamListView::resolve(std::move(md), out));
    v.list_ = std::move(list);
    return v;
  }
  v.api_ = v.method_ == kHyperparamsV2Method ? Api::kV2 : Api::kV1;
  auto rec = RecordView::resolve_api(std::move(md), v.method_);
  if (!rec.ok()) return make_error(HyperparamsErrc::kShape, rec.error().message);
  v.record_ = std::move(rec).value();
  return v;
}

Result<std::optional<Record>> HyperparamsView::decode(ByteSpan bytes) const {
  if (list_) return list_->decode(bytes);
  auto r = record_->decode(bytes);
  if (!r.ok()) return make_error(HyperparamsErrc::kMalformed, r.error().message);
  return r;
}

}  // namespace pylon::codec::views

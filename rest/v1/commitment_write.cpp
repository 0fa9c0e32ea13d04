#include "rest/v1/commitment_write.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "extrinsic/call.hpp"

namespace pylon::rest::v1 {
namespace {

using codec::TypeDef;
using codec::TypeId;
using codec::TypeKind;

Error no_call(const std::string& why) {
  return make_error(
      CommitmentCallErrc::kNoCall,
      "this runtime's Commitments.set_commitment does not take (netuid, info{fields: [Data]}): " + why);
}

// Through single-field wrappers (BoundedVec<T, S> is a composite of one Vec<T>) to what they hold.
TypeId unwrapped(const codec::TypeRegistry& types, TypeId id) {
  for (int depth = 0; depth < 8 && types.has(id); ++depth) {
    const TypeDef& t = types[id];
    if (t.kind != TypeKind::Composite || t.fields.size() != 1) break;
    id = t.fields[0].type;
  }
  return id;
}

// N when `v` is Data's RawN: named Raw<digits>, one field of [u8; N].
std::optional<std::uint32_t> raw_length(const codec::TypeRegistry& types, const codec::Variant& v) {
  const std::string_view name = v.name;
  if (!name.starts_with("Raw") || name.size() == 3 || v.fields.size() != 1) return std::nullopt;
  std::uint32_t n = 0;
  const auto r = std::from_chars(name.data() + 3, name.data() + name.size(), n);
  if (r.ec != std::errc() || r.ptr != name.data() + name.size()) return std::nullopt;
  const TypeId f = v.fields[0].type;
  if (!types.has(f)) return std::nullopt;
  const TypeDef& a = types[f];
  if (a.kind != TypeKind::Array || a.len != n || !types.has(a.elem)) return std::nullopt;
  const TypeDef& e = types[a.elem];
  if (e.kind != TypeKind::Primitive || e.prim != codec::Primitive::U8) return std::nullopt;
  return n;
}

}  // namespace

Result<const codec::TypeDef*> commitment_data_type(const codec::Metadata& md) {
  auto ref = extrinsic::find_call(md, "Commitments.set_commitment");
  if (!ref.ok()) return make_error(CommitmentCallErrc::kNoCall, ref.error().message);
  const codec::TypeRegistry& types = md.types;
  const codec::Field* info = nullptr;
  for (const auto& f : ref->call->fields)
    if (f.name == "info") info = &f;
  if (info == nullptr || !types.has(info->type)) return no_call("no info argument");
  const TypeDef& info_t = types[info->type];
  const codec::Field* fields = info_t.field_named("fields");
  if (info_t.kind != TypeKind::Composite || fields == nullptr || !types.has(fields->type))
    return no_call("info has no fields");
  const TypeId seq = unwrapped(types, fields->type);
  if (!types.has(seq) || types[seq].kind != TypeKind::Sequence || !types.has(types[seq].elem))
    return no_call("info.fields is not a list");
  const TypeDef& data_t = types[types[seq].elem];
  if (data_t.kind != TypeKind::Variant) return no_call("a field is not an enum");
  return &data_t;
}

Result<std::string> set_commitment_args(const codec::Metadata& md, std::uint16_t netuid, ByteSpan data) {
  PYLON_ASSIGN(const TypeDef* data_type, commitment_data_type(md));
  const TypeDef& data_t = *data_type;
  const codec::TypeRegistry& types = md.types;
  const codec::Variant* raw = nullptr;
  std::uint32_t longest = 0;
  bool any = false;
  for (const auto& v : data_t.variants) {
    const auto n = raw_length(types, v);
    if (!n) continue;
    any = true;
    longest = std::max(longest, *n);
    if (*n == data.size()) raw = &v;
  }
  if (!any) return no_call("its Data has no Raw variants");
  if (raw == nullptr)
    return make_error(CommitmentCallErrc::kTooLong,
                      "commitment of " + std::to_string(data.size()) +
                          " bytes does not fit the chain's commitment Data, which holds at most " +
                          std::to_string(longest) + " bytes (Raw0..Raw" + std::to_string(longest) + ")");
  std::string args =
      "{\"netuid\":" + std::to_string(netuid) + ",\"info\":{\"fields\":[{\"" + raw->name + "\":\"";
  append_hex(args, data);
  args += "\"}]}}";
  return args;
}

std::chrono::milliseconds commitment_backoff(double delay_seconds, std::uint32_t failures) {
  const double factor =
      failures <= 1 ? 1.0 : std::min(10.0, std::pow(2.0, static_cast<double>(failures - 1)));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(delay_seconds * factor * 1000.0)));
}

}  // namespace pylon::rest::v1

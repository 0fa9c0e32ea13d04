#include "codec/views/mechanisms.hpp"

#include <algorithm>
#include <array>

#include "codec/encoder.hpp"
#include "codec/storage_value.hpp"

namespace pylon::codec::views {

namespace {

constexpr std::string_view kPallet = "SubtensorModule";

Error shape_error(std::string text) {
  return make_error(MechagraphErrc::kShape, std::string(MechagraphView::kMethod) + ": " + std::move(text));
}

}  // namespace

bool has_mechanisms(const Metadata& md) {
  return has_storage_item(md, kPallet, "MechanismCountCurrent");
}

Result<Mechanisms> decode_mechanisms(const Metadata& md, const std::optional<Bytes>& count_raw,
                                     const std::optional<Bytes>& split_raw) {
  Mechanisms m;
  if (!has_mechanisms(md)) return m;
  PYLON_ASSIGN(std::optional<Value> count,
               decode_storage_value(md, kPallet, "MechanismCountCurrent", count_raw));
  PYLON_ASSIGN(std::uint64_t n, as_u64(count, kPallet, "MechanismCountCurrent"));
  if (n == 0 || n > UINT8_MAX)
    return make_error("SubtensorModule.MechanismCountCurrent is " + std::to_string(n) +
                      " (a subnet has 1 to 255 mechanisms)");
  m.count = static_cast<std::uint8_t>(n);
  if (!has_storage_item(md, kPallet, "MechanismEmissionSplit")) return m;
  PYLON_ASSIGN(std::optional<Value> split,
               decode_storage_value(md, kPallet, "MechanismEmissionSplit", split_raw));
  const Value* list = split ? &*split : nullptr;
  if (list && list->kind == Value::Kind::Option) list = list->items.empty() ? nullptr : &list->items[0];
  if (!list) return m;
  const std::string shape = "SubtensorModule.MechanismEmissionSplit is not Vec<u16> in this runtime";
  if (list->kind != Value::Kind::Array) return make_error(shape);
  for (const Value& x : list->items) {
    if (x.kind != Value::Kind::UInt || x.uint > UINT16_MAX) return make_error(shape);
    m.emission_split.push_back(static_cast<std::uint16_t>(x.uint));
  }
  return m;
}

Result<std::optional<MechagraphView>> MechagraphView::resolve(std::shared_ptr<const Metadata> md) {
  const RuntimeApiMethod* m = md->api_method(kMethod);
  if (!m) return std::optional<MechagraphView>{};
  if (m->inputs.size() != 3)
    return shape_error("takes " + std::to_string(m->inputs.size()) +
                       " arguments, not 3 (netuid, mecid, metagraph_indexes)");
  MechagraphView v;
  for (const auto& in : m->inputs) v.inputs_.push_back(in.type);
  auto columns = ColumnsView::resolve_type(md, m->output);
  if (!columns.ok()) return shape_error(columns.error().message);
  v.columns_ = std::move(columns).value();
  // Each per-mechanism field must be a list of unsigned integers narrow enough for its column.
  constexpr std::array<std::pair<std::string_view, std::uint8_t>, 2> kFields{
      {{kIncentives, 2}, {kLastUpdate, 8}}};
  for (const auto& [name, width] : kFields) {
    auto f = v.columns_.field(name);
    if (!f) return shape_error(v.columns_.type_name() + " has no field \"" + std::string(name) + "\"");
    if (f->kind != Column::Kind::List || f->shape.width == 0 || f->shape.width > width || f->shape.is_signed)
      return shape_error("field \"" + std::string(name) + "\" of " + v.columns_.type_name() +
                         " is not a list of unsigned integers of at most " + std::to_string(width * 8) +
                         " bits");
    if (f->index > UINT16_MAX)
      return shape_error("field \"" + std::string(name) + "\" sits past index 65535");
    v.selected_.push_back(static_cast<std::uint16_t>(f->index));
  }
  std::sort(v.selected_.begin(), v.selected_.end());
  v.md_ = std::move(md);
  return std::optional<MechagraphView>(std::move(v));
}

Result<Bytes> MechagraphView::args(std::uint16_t netuid, std::uint8_t mecid) const {
  Value indexes;
  indexes.kind = Value::Kind::Array;
  for (std::uint16_t i : selected_) indexes.items.push_back(Value::of_uint(i));
  const std::array<Value, 3> values{Value::of_uint(netuid), Value::of_uint(mecid), std::move(indexes)};
  constexpr std::array<std::string_view, 3> kNames{"netuid", "mecid", "metagraph_indexes"};
  ScaleWriter w;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto s = encode_value_into(md_->types, inputs_[i], values[i], w);
    if (!s.ok())
      return make_error(MechagraphErrc::kShape, std::string(kMethod) + "'s argument " +
                                                    std::string(kNames[i]) +
                                                    " does not take it: " + s.error().message);
  }
  return w.take();
}

Result<MechanismColumns> MechagraphView::decode(ByteSpan answer, std::uint16_t netuid, std::uint8_t mecid,
                                                std::size_t neurons) const {
  const std::string where =
      std::string(kMethod) + "(" + std::to_string(netuid) + ", " + std::to_string(mecid) + ")";
  auto malformed = [&](const std::string& text) {
    return make_error(MechagraphErrc::kMalformed, where + ": " + text);
  };
  constexpr std::array<std::string_view, 3> kOnly{"netuid", kIncentives, kLastUpdate};
  auto decoded = columns_.decode(answer, kOnly);
  if (!decoded.ok()) return malformed(decoded.error().message);
  if (!*decoded) return malformed("answered None: the subnet does not exist");
  const Columns& c = **decoded;
  const auto answered_netuid = c.u64("netuid");
  if (answered_netuid != netuid)
    return malformed("answered for netuid " +
                     (answered_netuid ? std::to_string(*answered_netuid) : "(none)"));
  MechanismColumns out;
  auto column = [&](std::string_view name, auto& into) -> Status {
    const Column* col = c.find(name);
    if (!col || col->kind != Column::Kind::List)
      return malformed("field \"" + std::string(name) + "\" was selected but not answered");
    if (col->list.size() > neurons)
      return malformed("field \"" + std::string(name) + "\" has " + std::to_string(col->list.size()) +
                       " entries, the subnet " + std::to_string(neurons) + " neurons");
    into.reserve(col->list.size());
    // The widths were checked against the metadata at resolve and each value against its width
    // while reading, so every value fits its column.
    for (u128 x : col->list)
      into.push_back(static_cast<typename std::decay_t<decltype(into)>::value_type>(x));
    return {};
  };
  PYLON_TRY(column(kIncentives, out.incentives));
  PYLON_TRY(column(kLastUpdate, out.last_update));
  return out;
}

}  // namespace pylon::codec::views

#include "chain/events.hpp"

#include "codec/decoder.hpp"
#include "codec/value.hpp"

namespace pylon::chain {

using codec::Value;

std::string dispatch_error_name(const codec::Metadata& md, const Value& e) {
  if (e.kind != Value::Kind::Variant) return "unknown dispatch error";
  if (e.text != "Module" || e.items.empty()) {
    std::string name = e.text;
    // Token(FundsUnavailable), Arithmetic(Overflow), ...: add the inner variant's name.
    if (!e.items.empty() && e.items[0].kind == Value::Kind::Variant) name += "." + e.items[0].text;
    return name;
  }
  const Value& m = e.items[0];
  const Value* index = m.field("index");
  const Value* error = m.field("error");
  if (!index || !error || index->kind != Value::Kind::UInt) return "Module(unreadable)";
  const codec::Pallet* p = md.pallet_by_index(static_cast<std::uint8_t>(index->uint));
  const std::uint8_t code = error->kind == Value::Kind::Bytes && !error->bytes.empty() ? error->bytes[0]
                            : error->kind == Value::Kind::UInt ? static_cast<std::uint8_t>(error->uint)
                                                               : 0;
  if (!p) return "Module(pallet " + std::to_string(index->uint) + ", error " + std::to_string(code) + ")";
  if (p->errors) {
    if (const codec::Variant* v = md.types[*p->errors].variant_at(code)) return p->name + "." + v->name;
  }
  return p->name + ".error" + std::to_string(code);
}

DispatchError dispatch_error_of(const codec::Metadata& md, const Value& e) {
  DispatchError out;
  if (e.kind != Value::Kind::Variant) return out;
  if (e.text != "Module" || e.items.empty()) {
    out.name = e.text;
    return out;
  }
  const Value* index = e.items[0].field("index");
  const Value* error = e.items[0].field("error");
  if (!index || !error || index->kind != Value::Kind::UInt) return out;
  const codec::Pallet* p = md.pallet_by_index(static_cast<std::uint8_t>(index->uint));
  if (!p) return out;
  out.pallet = p->name;
  const std::uint8_t code = error->kind == Value::Kind::Bytes && !error->bytes.empty() ? error->bytes[0]
                            : error->kind == Value::Kind::UInt ? static_cast<std::uint8_t>(error->uint)
                                                               : 0;
  if (p->errors) {
    if (const codec::Variant* v = md.types[*p->errors].variant_at(code)) out.name = v->name;
  }
  return out;
}

Result<ExtrinsicResult> extrinsic_result(const codec::Metadata& md, ByteSpan events, std::uint32_t index) {
  const codec::Pallet* system = md.pallet("System");
  const codec::StorageEntry* entry = system ? system->storage_entry("Events") : nullptr;
  if (!entry) return make_error("the runtime has no System.Events");
  PYLON_ASSIGN(Value list, codec::decode_exact(md.types, entry->value, events));
  if (list.kind != Value::Kind::Array) return make_error("System.Events is not a list");
  ExtrinsicResult out;
  for (auto& rec : list.items) {
    const Value* phase = rec.field("phase");
    const Value* event = rec.field("event");
    if (!phase || !event || phase->kind != Value::Kind::Variant || phase->text != "ApplyExtrinsic") continue;
    if (phase->items.empty() || phase->items[0].kind != Value::Kind::UInt || phase->items[0].uint != index)
      continue;
    if (event->kind != Value::Kind::Variant || event->items.empty()) continue;
    const Value& inner = event->items[0];
    if (inner.kind != Value::Kind::Variant) continue;
    out.events.push_back(
        ExtrinsicEvent{event->text, inner.text, inner.items.empty() ? Value{} : inner.items[0]});
    if (event->text != "System") continue;
    if (inner.text == "ExtrinsicSuccess") {
      out.success = true;
      return out;
    }
    if (inner.text == "ExtrinsicFailed") {
      const Value* err = inner.items.empty() ? nullptr : inner.items[0].field("dispatch_error");
      out.error = err ? dispatch_error_name(md, *err) : "ExtrinsicFailed";
      if (err) out.dispatch_error = dispatch_error_of(md, *err);
      return out;
    }
  }
  return make_error("no ExtrinsicSuccess/ExtrinsicFailed event for extrinsic " + std::to_string(index));
}

}  // namespace pylon::chain

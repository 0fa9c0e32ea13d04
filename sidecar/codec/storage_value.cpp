#include "codec/storage_value.hpp"

#include "codec/decoder.hpp"

namespace pylon::codec {

namespace {

Result<const StorageEntry*> entry(const Metadata& md, std::string_view pallet, std::string_view item) {
  const Pallet* p = md.pallet(pallet);
  const StorageEntry* e = p ? p->storage_entry(item) : nullptr;
  if (!e)
    return make_error("storage item " + std::string(pallet) + "." + std::string(item) +
                      " is not in this runtime");
  return e;
}

}  // namespace

bool has_storage_item(const Metadata& md, std::string_view pallet, std::string_view item) {
  const Pallet* p = md.pallet(pallet);
  return p && p->storage_entry(item) != nullptr;
}

const Value* unwrap_single(const Value* v) {
  while (v && (v->kind == Value::Kind::Array || v->kind == Value::Kind::Object)) {
    if (v->kind == Value::Kind::Array && v->items.size() == 1)
      v = &v->items[0];
    else if (v->kind == Value::Kind::Object && v->fields.size() == 1)
      v = &v->fields[0].second;
    else
      break;
  }
  return v;
}

Result<std::optional<Value>> decode_storage_value(const Metadata& md, std::string_view pallet,
                                                  std::string_view item, const std::optional<Bytes>& raw) {
  PYLON_ASSIGN(const StorageEntry* e, entry(md, pallet, item));
  if (!raw && e->optional) return std::optional<Value>{};
  auto v = decode_exact(md.types, e->value, raw ? *raw : e->default_value);
  // The decoder's kind is kept: an answer that does not fit is told from a failed read.
  if (!v.ok()) return with_context(std::string(pallet) + "." + std::string(item), v.error());
  return std::optional<Value>(std::move(v).value());
}

Result<std::uint64_t> as_u64(const std::optional<Value>& v, std::string_view pallet, std::string_view item) {
  if (!v) return std::uint64_t{0};
  const Value* x = unwrap_single(&*v);
  if (x->kind == Value::Kind::Option) x = x->items.empty() ? nullptr : unwrap_single(&x->items[0]);
  if (!x) return std::uint64_t{0};
  if (x->kind != Value::Kind::UInt)
    return make_error(std::string(pallet) + "." + std::string(item) +
                      " is not an unsigned integer in this runtime");
  return x->uint;
}

}  // namespace pylon::codec

#include "codec/views/commitment.hpp"

#include "codec/decoder.hpp"

namespace pylon::codec::views {

Bytes Commitment::concatenated() const {
  Bytes out;
  for (const auto& f : fields) out.insert(out.end(), f.data.begin(), f.data.end());
  return out;
}

Result<CommitmentView> CommitmentView::resolve(std::shared_ptr<const Metadata> md) {
  const Pallet* p = md->pallet("Commitments");
  if (!p) return make_error("the runtime has no Commitments pallet");
  const StorageEntry* e = p->storage_entry("CommitmentOf");
  if (!e) return make_error("the runtime has no Commitments.CommitmentOf");
  const TypeDef& t = md->types[e->value];
  if (t.kind != TypeKind::Composite || !t.field_named("block") || !t.field_named("info") ||
      !t.field_named("deposit"))
    return make_error("Commitments.CommitmentOf holds " + md->types.display_name(e->value) +
                      ", not a registration with deposit, block and info");
  CommitmentView v;
  v.registration_ = e->value;
  v.md_ = std::move(md);
  return v;
}

namespace {

// Collects the bytes of a Data variant's payload (byte arrays, bounded byte vectors) and any
// integer beside them (the timelock's reveal round).
void collect(const Value& v, CommitmentField& out) {
  switch (v.kind) {
    case Value::Kind::Bytes:
      out.data.insert(out.data.end(), v.bytes.begin(), v.bytes.end());
      break;
    case Value::Kind::UInt:
      out.reveal_round = v.uint;
      break;
    case Value::Kind::Object:
      for (const auto& [k, x] : v.fields) collect(x, out);
      break;
    case Value::Kind::Array:
      for (const auto& x : v.items) collect(x, out);
      break;
    default:
      break;
  }
}

}  // namespace

Result<Commitment> CommitmentView::decode(ByteSpan bytes) const {
  PYLON_ASSIGN(Value v, decode_exact(md_->types, registration_, bytes));
  Commitment c;
  const Value* deposit = v.field("deposit");
  const Value* block = v.field("block");
  const Value* info = v.field("info");
  if (!deposit || !block || !info || block->kind != Value::Kind::UInt)
    return make_error("commitment registration lacks deposit/block/info");
  c.deposit = deposit->kind == Value::Kind::UInt ? u128{deposit->uint} : 0;
  c.block = block->uint;
  // info: CommitmentInfo { fields: BoundedVec<Data> } — a newtype around the Vec decodes as the Vec.
  const Value* list =
      info->kind == Value::Kind::Object && !info->fields.empty() ? &info->fields[0].second : info;
  if (list->kind != Value::Kind::Array) return make_error("commitment info holds no list of fields");
  for (const auto& d : list->items) {
    if (d.kind != Value::Kind::Variant) return make_error("commitment field is not a Data variant");
    CommitmentField f;
    f.kind = d.text;
    if (!d.items.empty()) collect(d.items[0], f);
    c.fields.push_back(std::move(f));
  }
  return c;
}

}  // namespace pylon::codec::views

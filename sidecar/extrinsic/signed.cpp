#include "extrinsic/signed.hpp"

#include <algorithm>

#include "codec/scale_writer.hpp"
#include "keys/hash.hpp"

namespace pylon::extrinsic {
namespace {

using codec::Special;
using codec::TypeDef;
using codec::TypeId;
using codec::TypeKind;
using codec::TypeRegistry;

// True when every value of the type encodes to no bytes at all: unit structs, (), and nestings.
bool is_empty_type(const TypeRegistry& reg, TypeId id, int depth = 0) {
  if (depth > 16) return false;
  const TypeDef& t = reg[id];
  if (t.kind == TypeKind::Composite) {
    for (const auto& f : t.fields)
      if (!is_empty_type(reg, f.type, depth + 1)) return false;
    return true;
  }
  if (t.kind == TypeKind::Tuple) {
    for (TypeId e : t.tuple)
      if (!is_empty_type(reg, e, depth + 1)) return false;
    return true;
  }
  if (t.kind == TypeKind::Array) return t.len == 0 || is_empty_type(reg, t.elem, depth + 1);
  return false;
}

// Follows single-field composites to the type they wrap (CheckNonce(Compact<u32>) -> Compact<u32>).
TypeId unwrap(const TypeRegistry& reg, TypeId id) {
  for (int i = 0; i < 8; ++i) {
    const TypeDef& t = reg[id];
    if (t.kind != TypeKind::Composite || t.fields.size() != 1) break;
    id = t.fields[0].type;
  }
  return id;
}

bool is_prim(const TypeRegistry& reg, TypeId id, codec::Primitive p) {
  const TypeDef& t = reg[unwrap(reg, id)];
  return t.kind == TypeKind::Primitive && t.prim == p;
}

bool is_compact_of(const TypeRegistry& reg, TypeId id, codec::Primitive p) {
  const TypeDef& t = reg[unwrap(reg, id)];
  return t.kind == TypeKind::Compact && is_prim(reg, t.elem, p);
}

bool is_hash32(const TypeRegistry& reg, TypeId id) {
  const TypeDef& t = reg[unwrap(reg, id)];
  return t.special == Special::ByteArray && t.len == 32;
}

Error shape_error(const std::string& ext, const std::string& what, const TypeRegistry& reg, TypeId id) {
  return make_error("transaction extension " + ext + ": expected " + what + ", the metadata has " +
                    reg.display_name(id));
}

}  // namespace

Result<ExtensionBytes> encode_extensions(const codec::Metadata& md, const TxParams& p) {
  const TypeRegistry& reg = md.types;
  codec::ScaleWriter extra, implicit;
  const Era era = p.mortal ? Era::mortal_at(p.mortal->period, p.mortal->block_number) : Era::immortal();
  for (const auto& ext : md.extrinsic.extensions) {
    const std::string& id = ext.identifier;
    const bool no_extra = is_empty_type(reg, ext.type);
    const bool no_implicit = is_empty_type(reg, ext.implicit);
    if (id == "CheckSpecVersion" || id == "CheckTxVersion") {
      if (!no_extra) return shape_error(id, "no extension data", reg, ext.type);
      if (!is_prim(reg, ext.implicit, codec::Primitive::U32))
        return shape_error(id, "u32", reg, ext.implicit);
      implicit.fixed_le<std::uint32_t>(id == "CheckSpecVersion" ? p.spec_version : p.tx_version);
    } else if (id == "CheckGenesis") {
      if (!no_extra) return shape_error(id, "no extension data", reg, ext.type);
      if (!is_hash32(reg, ext.implicit)) return shape_error(id, "a 32-byte hash", reg, ext.implicit);
      implicit.bytes(p.genesis_hash);
    } else if (id == "CheckMortality" || id == "CheckEra") {
      const TypeDef& era_t = reg[unwrap(reg, ext.type)];
      if (era_t.kind != TypeKind::Variant || !era_t.variant_at(0) || era_t.variant_at(0)->name != "Immortal")
        return shape_error(id, "an Era enum", reg, ext.type);
      if (!is_hash32(reg, ext.implicit)) return shape_error(id, "a 32-byte hash", reg, ext.implicit);
      extra.bytes(era.encode());
      implicit.bytes(p.mortal ? p.mortal->block_hash : p.genesis_hash);
    } else if (id == "CheckNonce") {
      if (!no_implicit) return shape_error(id, "no implicit data", reg, ext.implicit);
      if (is_compact_of(reg, ext.type, codec::Primitive::U32) ||
          is_compact_of(reg, ext.type, codec::Primitive::U64)) {
        if (is_compact_of(reg, ext.type, codec::Primitive::U32) && p.nonce > UINT32_MAX)
          return make_error("nonce " + std::to_string(p.nonce) + " does not fit the runtime's u32 index");
        extra.compact(p.nonce);
      } else {
        return shape_error(id, "Compact<u32>", reg, ext.type);
      }
    } else if (id == "ChargeTransactionPayment" || id == "ChargeAssetTxPayment") {
      if (!no_implicit) return shape_error(id, "no implicit data", reg, ext.implicit);
      if (!is_compact_of(reg, ext.type, codec::Primitive::U128) &&
          !is_compact_of(reg, ext.type, codec::Primitive::U64))
        return shape_error(id, "Compact<u128> tip", reg, ext.type);
      extra.compact(p.tip);
    } else if (id == "CheckMetadataHash") {
      // Mode::Disabled (0x00) in the extrinsic and None in the signed payload: no metadata hash.
      const TypeDef& mode = reg[unwrap(reg, ext.type)];
      if (mode.kind != TypeKind::Variant || !mode.variant_at(0) || mode.variant_at(0)->name != "Disabled")
        return shape_error(id, "a Mode enum with Disabled", reg, ext.type);
      if (reg[ext.implicit].special != Special::Option)
        return shape_error(id, "Option<[u8; 32]>", reg, ext.implicit);
      extra.u8(0);
      implicit.u8(0);
    } else if (no_extra && no_implicit) {
      // A no-op extension (CheckNonZeroSender, CheckWeight, SubtensorTransactionExtension, ...,
      // or one added by a later runtime): nothing to encode, and weight commits keep working.
    } else {
      return make_error("transaction extension " + id + " carries data (" + reg.display_name(ext.type) +
                        " / " + reg.display_name(ext.implicit) + ") that Pylon does not know how to fill");
    }
  }
  return ExtensionBytes{extra.take(), implicit.take()};
}

namespace {

// call ++ extra ++ implicit, replaced by its blake2-256 when longer than 256 bytes.
Bytes payload_of(ByteSpan call, const ExtensionBytes& ext) {
  Bytes payload(call.begin(), call.end());
  payload.insert(payload.end(), ext.extra.begin(), ext.extra.end());
  payload.insert(payload.end(), ext.implicit.begin(), ext.implicit.end());
  if (payload.size() > 256) {
    const auto h = keys::blake2b_256(payload);
    payload.assign(h.begin(), h.end());
  }
  return payload;
}

}  // namespace

Result<Bytes> signing_payload(const codec::Metadata& md, ByteSpan call, const TxParams& p) {
  PYLON_ASSIGN(ExtensionBytes ext, encode_extensions(md, p));
  return payload_of(call, ext);
}

Result<SignedExtrinsic> build_signed(const codec::Metadata& md, ByteSpan call, const keys::Keypair& signer,
                                     const TxParams& p) {
  const TypeRegistry& reg = md.types;
  if (!md.extrinsic.address || !md.extrinsic.signature)
    return make_error("the metadata does not name the extrinsic's address and signature types");
  const bool supports_v4 =
      std::find(md.extrinsic.versions.begin(), md.extrinsic.versions.end(), 4) != md.extrinsic.versions.end();
  if (!supports_v4) return make_error("the runtime does not accept extrinsic format version 4");
  // MultiAddress::Id(AccountId32) and MultiSignature::Sr25519([u8; 64]), indices from the metadata.
  const TypeDef& addr = reg[*md.extrinsic.address];
  const codec::Variant* id_variant = addr.kind == TypeKind::Variant ? addr.variant_named("Id") : nullptr;
  const bool plain_account = addr.special == Special::AccountId32;
  if (!id_variant && !plain_account)
    return make_error("extrinsic address type " + reg.display_name(*md.extrinsic.address) +
                      " has no Id variant");
  const TypeDef& sig = reg[*md.extrinsic.signature];
  const codec::Variant* sr = sig.kind == TypeKind::Variant ? sig.variant_named("Sr25519") : nullptr;
  if (!sr)
    return make_error("extrinsic signature type " + reg.display_name(*md.extrinsic.signature) +
                      " has no Sr25519 variant");

  PYLON_ASSIGN(ExtensionBytes ext, encode_extensions(md, p));
  const keys::Signature signature = keys::sign(signer, payload_of(call, ext));

  codec::ScaleWriter body;
  body.u8(0x80 | 4);  // signed, format version 4
  if (id_variant) body.u8(id_variant->index);
  body.bytes(signer.public_key);
  body.u8(sr->index);
  body.bytes(signature);
  body.bytes(ext.extra);
  body.bytes(call);
  codec::ScaleWriter out;
  out.byte_vec(body.out());
  SignedExtrinsic x;
  x.bytes = out.take();
  x.hash = ExtrinsicHash(keys::blake2b_256(x.bytes));
  return x;
}

}  // namespace pylon::extrinsic

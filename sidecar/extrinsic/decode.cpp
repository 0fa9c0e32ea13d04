#include "extrinsic/decode.hpp"

#include <algorithm>

#include "codec/decoder.hpp"
#include "codec/scale_reader.hpp"
#include "codec/ss58.hpp"
#include "keys/hash.hpp"

namespace pylon::extrinsic {

namespace {

constexpr std::uint8_t kSignedBit = 0x80;
constexpr std::uint8_t kGeneralBit = 0x40;  // format 5: a "general" transaction (extensions, no signature)
constexpr std::uint8_t kVersionMask = 0x3f;

Error malformed(const Error& e) {
  return make_error(DecodeErrc::kMalformed, e.message);
}

Error malformed(std::string text) {
  return make_error(DecodeErrc::kMalformed, std::move(text));
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// Decodes one value of `type` at the reader, with the context of what it is in the error.
Result<codec::Value> read_value(const codec::TypeRegistry& reg, codec::TypeId type, codec::ScaleReader& r,
                                std::string_view what) {
  auto v = codec::decode_value(reg, type, r);
  if (!v.ok()) return malformed(with_context(what, v.error()));
  return std::move(*v);
}

}  // namespace

std::string arg_type_name(const codec::TypeRegistry& reg, const codec::Field& f) {
  if (f.type_name.empty()) return reg.display_name(f.type);
  std::string s = f.type_name;
  // Longest forms first: "<T as Config>::" would otherwise lose only its "T::"-free parts.
  for (std::string_view noise : {"<T as Config<I>>::", "<T as Config>::", "<T as Trait<I>>::",
                                 "<T as Trait>::", "<T, I>", "<T>", "T::"})
    replace_all(s, noise, "");
  replace_all(s, "VecDeque<", "Vec<");
  std::erase(s, '\n');
  if (s == "Vec<u8>") return "Bytes";
  if (s == "()") return "Null";
  return s;
}

std::optional<std::string> address_ss58(const codec::Value& address) {
  using Kind = codec::Value::Kind;
  if (address.kind == Kind::AccountId && address.bytes.size() == 32) return codec::ss58_encode(address.bytes);
  if (address.kind != Kind::Variant || address.items.size() != 1) return std::nullopt;
  const codec::Value& inner = address.items[0];
  if (address.text == "Id" && inner.kind == Kind::AccountId && inner.bytes.size() == 32)
    return codec::ss58_encode(inner.bytes);
  if (address.text == "Address32" && inner.kind == Kind::Bytes && inner.bytes.size() == 32)
    return codec::ss58_encode(inner.bytes);
  return std::nullopt;
}

Result<DecodedExtrinsic> decode_extrinsic(const codec::Metadata& md, ByteSpan encoded) {
  const codec::TypeRegistry& reg = md.types;
  codec::ScaleReader r(encoded);
  DecodedExtrinsic x;
  auto length = r.compact();
  if (!length.ok()) return malformed(with_context("extrinsic length", length.error()));
  if (*length != r.remaining())
    return malformed("the extrinsic's length prefix says " +
                     std::to_string(static_cast<std::uint64_t>(*length)) + " bytes, " +
                     std::to_string(r.remaining()) + " follow it");
  x.length = static_cast<std::uint32_t>(*length);  // equal to remaining(), which fits the span
  const auto hash = keys::blake2b_256(encoded);
  std::copy(hash.begin(), hash.end(), x.hash.bytes().begin());

  auto head = r.u8();
  if (!head.ok()) return malformed(with_context("extrinsic version", head.error()));
  x.version = *head & kVersionMask;
  if (std::find(md.extrinsic.versions.begin(), md.extrinsic.versions.end(), x.version) ==
      md.extrinsic.versions.end())
    return make_error(DecodeErrc::kUnsupported, "extrinsic format version " + std::to_string(x.version) +
                                                    " is not one this runtime lists");
  // Format 5 has bare extrinsics (laid out as 4's unsigned ones) and general ones; it has no signed
  // bit, and general transactions carry extensions of a version Pylon does not resolve.
  if (*head & kGeneralBit || (x.version != 4 && *head & kSignedBit))
    return make_error(DecodeErrc::kUnsupported,
                      "extrinsic format byte " + to_hex(ByteSpan(&*head, 1)) +
                          " (a general or version-5 signed transaction) is not decoded");

  if (*head & kSignedBit) {
    if (!md.extrinsic.address || !md.extrinsic.signature)
      return make_error(DecodeErrc::kUnsupported, "the metadata names no address or signature type");
    PYLON_ASSIGN(x.address, read_value(reg, *md.extrinsic.address, r, "signer address"));
    if (auto s = codec::skip_value(reg, *md.extrinsic.signature, r); !s.ok())
      return malformed(with_context("signature", s.error()));
    for (const auto& e : md.extrinsic.extensions)
      if (auto s = codec::skip_value(reg, e.type, r); !s.ok())
        return malformed(with_context("transaction extension " + e.identifier, s.error()));
  }

  const std::optional<codec::TypeId> call_type = md.outer_call ? md.outer_call : md.extrinsic.call;
  if (!call_type || !reg.has(*call_type) || reg[*call_type].kind != codec::TypeKind::Variant)
    return malformed("the metadata names no call enum");
  auto pallet_index = r.u8();
  if (!pallet_index.ok()) return malformed(with_context("call's pallet index", pallet_index.error()));
  const codec::Variant* pallet = reg[*call_type].variant_at(*pallet_index);
  if (!pallet || pallet->fields.size() != 1)
    return malformed("no pallet with calls at index " + std::to_string(*pallet_index));
  const codec::TypeId pallet_calls = pallet->fields[0].type;
  if (reg[pallet_calls].kind != codec::TypeKind::Variant)
    return malformed("pallet " + pallet->name + "'s calls are not an enum");
  auto call_index = r.u8();
  if (!call_index.ok()) return malformed(with_context("call index", call_index.error()));
  const codec::Variant* call = reg[pallet_calls].variant_at(*call_index);
  if (!call)
    return malformed("pallet " + pallet->name + " has no call at index " + std::to_string(*call_index));
  x.pallet = pallet->name;
  x.call = call->name;
  for (const codec::Field& f : call->fields) {
    DecodedArg a;
    a.name = f.name;
    a.type = arg_type_name(reg, f);
    PYLON_ASSIGN(a.value, read_value(reg, f.type, r, x.pallet + "." + x.call + " argument " + f.name));
    x.args.push_back(std::move(a));
  }
  if (auto s = r.expect_end("the call"); !s.ok()) return malformed(s.error());
  return x;
}

}  // namespace pylon::extrinsic

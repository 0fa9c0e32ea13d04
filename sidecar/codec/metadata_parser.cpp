// Parser of runtime metadata V14, V15 and V16 (frame-metadata's SCALE layout) into codec::Metadata.
#include <cstring>
#include <fstream>
#include <sstream>

#include "codec/metadata.hpp"
#include "codec/scale_reader.hpp"

namespace pylon::codec {
namespace {

class Parser {
 public:
  explicit Parser(ByteSpan body, std::uint8_t version) : r_(body), v_(version) {}

  Result<std::shared_ptr<const Metadata>> run() {
    auto md = std::make_shared<Metadata>();
    md->version = v_;
    PYLON_TRY(registry(md->types));
    PYLON_TRY(vec(
        md->pallets, [&](Pallet& p) { return pallet(p); }, "pallets"));
    PYLON_TRY(extrinsic(md->extrinsic));
    if (v_ <= 15) {
      PYLON_ASSIGN([[maybe_unused]] TypeId runtime_ty, type_ref());
    }
    if (v_ >= 15) {
      PYLON_TRY(vec(
          md->apis, [&](RuntimeApi& a) { return api(a); }, "runtime apis"));
      PYLON_ASSIGN(md->outer_call, type_ref());
      PYLON_ASSIGN(md->outer_event, type_ref());
      PYLON_ASSIGN(md->outer_error, type_ref());
      PYLON_TRY(custom());
    }
    PYLON_TRY(r_.expect_end("the metadata"));
    PYLON_TRY(md->types.finish());
    PYLON_TRY(check_refs(*md));
    return std::shared_ptr<const Metadata>(std::move(md));
  }

 private:
  template <class T, class F>
  Status vec(std::vector<T>& out, F&& each, const char* what) {
    auto n = r_.length(1);
    if (!n.ok()) return make_error(std::string(what) + ": " + n.error().message);
    out.resize(*n);
    for (auto& x : out) {
      auto s = each(x);
      if (!s.ok()) return make_error(std::string(what) + ": " + s.error().message);
    }
    return {};
  }

  Result<TypeId> type_ref() {
    PYLON_ASSIGN(u128 v, r_.compact());
    if (v > 0xffffffffu) return r_.error("type id does not fit u32");
    return static_cast<TypeId>(v);
  }
  Result<std::string> str() { return r_.string(); }
  Status strings() {  // docs: Vec<String>, skipped
    PYLON_ASSIGN(std::size_t n, r_.length(1));
    for (std::size_t i = 0; i < n; ++i) PYLON_TRY(r_.byte_vec());
    return {};
  }
  Result<std::optional<std::string>> opt_str() {
    PYLON_ASSIGN(bool some, option_tag());
    if (!some) return std::optional<std::string>{};
    PYLON_ASSIGN(std::string s, str());
    return std::optional<std::string>{std::move(s)};
  }
  Result<bool> option_tag() {
    PYLON_ASSIGN(std::uint8_t t, r_.u8());
    if (t > 1) return r_.error("Option tag " + std::to_string(t) + " is not 0 or 1");
    return t == 1;
  }

  Status registry(TypeRegistry& reg) {
    PYLON_ASSIGN(std::size_t n, r_.length(4));
    reg.types.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      PYLON_ASSIGN(TypeId id, type_ref());
      if (id != i)
        return r_.error("type registry entry " + std::to_string(i) + " has id " + std::to_string(id));
      auto s = type_def(reg.types[i]);
      if (!s.ok()) return make_error("type " + std::to_string(i) + ": " + s.error().message);
    }
    return {};
  }

  Status field(Field& f) {
    PYLON_ASSIGN(auto name, opt_str());
    f.name = name.value_or("");
    PYLON_ASSIGN(f.type, type_ref());
    PYLON_ASSIGN(auto tn, opt_str());
    f.type_name = tn.value_or("");
    return strings();
  }

  Status type_def(TypeDef& t) {
    PYLON_ASSIGN(std::size_t np, r_.length(1));
    t.path.resize(np);
    for (auto& s : t.path) {
      PYLON_ASSIGN(s, str());
    }
    PYLON_ASSIGN(std::size_t nparams, r_.length(2));
    t.params.resize(nparams);
    for (auto& [name, ty] : t.params) {
      PYLON_ASSIGN(name, str());
      PYLON_ASSIGN(bool some, option_tag());
      if (some) {
        PYLON_ASSIGN(ty, type_ref());
      }
    }
    PYLON_ASSIGN(std::uint8_t kind, r_.u8());
    if (kind > 7) return r_.error("unknown type definition kind " + std::to_string(kind));
    t.kind = static_cast<TypeKind>(kind);  // TypeKind follows scale-info's TypeDef order
    if (t.kind == TypeKind::Composite) {
      PYLON_TRY(vec(
          t.fields, [&](Field& f) { return field(f); }, "fields"));
    } else if (t.kind == TypeKind::Variant) {
      PYLON_TRY(vec(
          t.variants,
          [&](Variant& v) -> Status {
            PYLON_ASSIGN(v.name, str());
            PYLON_TRY(vec(
                v.fields, [&](Field& f) { return field(f); }, "variant fields"));
            PYLON_ASSIGN(v.index, r_.u8());
            return strings();
          },
          "variants"));
    } else if (t.kind == TypeKind::Sequence || t.kind == TypeKind::Compact) {
      PYLON_ASSIGN(t.elem, type_ref());
    } else if (t.kind == TypeKind::Array) {
      PYLON_ASSIGN(t.len, r_.fixed_le<std::uint32_t>());
      PYLON_ASSIGN(t.elem, type_ref());
    } else if (t.kind == TypeKind::Tuple) {
      PYLON_ASSIGN(std::size_t n, r_.length(1));
      t.tuple.resize(n);
      for (auto& e : t.tuple) {
        PYLON_ASSIGN(e, type_ref());
      }
    } else if (t.kind == TypeKind::Primitive) {
      PYLON_ASSIGN(std::uint8_t p, r_.u8());
      if (p > static_cast<std::uint8_t>(Primitive::I256))
        return r_.error("unknown primitive " + std::to_string(p));
      t.prim = static_cast<Primitive>(p);
    } else {  // BitSequence
      PYLON_ASSIGN(t.elem, type_ref());
      PYLON_ASSIGN(t.bit_order, type_ref());
    }
    return strings();
  }

  // V16 deprecation markers: ItemDeprecationInfo { NotDeprecated, DeprecatedWithoutNote,
  // Deprecated { note, since: Option<String> } }.
  Status item_deprecation() {
    PYLON_ASSIGN(std::uint8_t tag, r_.u8());
    if (tag == 0 || tag == 1) return {};
    if (tag != 2) return r_.error("deprecation info tag " + std::to_string(tag));
    PYLON_TRY(str());
    PYLON_TRY(opt_str());
    return {};
  }
  // EnumDeprecationInfo(BTreeMap<u8, VariantDeprecationInfo>); VariantDeprecationInfo is
  // { DeprecatedWithoutNote = 1, Deprecated { note, since } = 2 }.
  Status enum_deprecation() {
    PYLON_ASSIGN(std::size_t n, r_.length(2));
    for (std::size_t i = 0; i < n; ++i) {
      PYLON_TRY(r_.u8());
      PYLON_ASSIGN(std::uint8_t tag, r_.u8());
      if (tag == 2) {
        PYLON_TRY(str());
        PYLON_TRY(opt_str());
      } else if (tag != 1 && tag != 0) {
        return r_.error("variant deprecation tag " + std::to_string(tag));
      }
    }
    return {};
  }

  Result<std::optional<TypeId>> opt_type_with_deprecation() {
    PYLON_ASSIGN(bool some, option_tag());
    if (!some) return std::optional<TypeId>{};
    PYLON_ASSIGN(TypeId t, type_ref());
    if (v_ >= 16) PYLON_TRY(enum_deprecation());
    return std::optional<TypeId>{t};
  }

  Status storage_entry(StorageEntry& e) {
    PYLON_ASSIGN(e.name, str());
    PYLON_ASSIGN(std::uint8_t modifier, r_.u8());
    if (modifier > 1) return r_.error("storage modifier " + std::to_string(modifier));
    e.optional = modifier == 0;
    PYLON_ASSIGN(std::uint8_t kind, r_.u8());
    if (kind == 0) {
      PYLON_ASSIGN(e.value, type_ref());
    } else if (kind == 1) {
      e.is_map = true;
      PYLON_ASSIGN(std::size_t nh, r_.length(1));
      e.hashers.resize(nh);
      for (auto& h : e.hashers) {
        PYLON_ASSIGN(std::uint8_t hv, r_.u8());
        if (hv > 6) return r_.error("storage hasher " + std::to_string(hv));
        h = static_cast<StorageHasher>(hv);
      }
      PYLON_ASSIGN(e.key, type_ref());
      PYLON_ASSIGN(e.value, type_ref());
    } else {
      return r_.error("storage entry type " + std::to_string(kind));
    }
    PYLON_ASSIGN(ByteSpan def, r_.byte_vec());
    e.default_value.assign(def.begin(), def.end());
    PYLON_TRY(strings());
    if (v_ >= 16) PYLON_TRY(item_deprecation());
    return {};
  }

  Status pallet(Pallet& p) {
    PYLON_ASSIGN(p.name, str());
    PYLON_ASSIGN(bool has_storage, option_tag());
    if (has_storage) {
      PYLON_ASSIGN(p.storage_prefix, str());
      PYLON_TRY(vec(
          p.storage, [&](StorageEntry& e) { return storage_entry(e); }, "storage"));
    }
    PYLON_ASSIGN(p.calls, opt_type_with_deprecation());
    PYLON_ASSIGN(p.events, opt_type_with_deprecation());
    PYLON_TRY(vec(
        p.constants,
        [&](Constant& c) -> Status {
          PYLON_ASSIGN(c.name, str());
          PYLON_ASSIGN(c.type, type_ref());
          PYLON_ASSIGN(ByteSpan v, r_.byte_vec());
          c.value.assign(v.begin(), v.end());
          PYLON_TRY(strings());
          if (v_ >= 16) PYLON_TRY(item_deprecation());
          return {};
        },
        "constants"));
    PYLON_ASSIGN(p.errors, opt_type_with_deprecation());
    if (v_ >= 16) {
      PYLON_ASSIGN(std::size_t nassoc, r_.length(3));
      for (std::size_t i = 0; i < nassoc; ++i) {  // associated types: name, ty, docs
        PYLON_TRY(str());
        PYLON_TRY(type_ref());
        PYLON_TRY(strings());
      }
      PYLON_ASSIGN(std::size_t nview, r_.length(36));
      for (std::size_t i = 0; i < nview;
           ++i) {  // view functions: id, name, inputs, output, docs, deprecation
        PYLON_TRY(r_.bytes(32));
        PYLON_TRY(str());
        PYLON_TRY(params());
        PYLON_TRY(type_ref());
        PYLON_TRY(strings());
        PYLON_TRY(item_deprecation());
      }
    }
    PYLON_ASSIGN(p.index, r_.u8());
    if (v_ >= 15) PYLON_TRY(strings());
    if (v_ >= 16) PYLON_TRY(item_deprecation());
    return {};
  }

  Result<std::vector<RuntimeApiParam>> params() {
    std::vector<RuntimeApiParam> out;
    PYLON_TRY(vec(
        out,
        [&](RuntimeApiParam& p) -> Status {
          PYLON_ASSIGN(p.name, str());
          PYLON_ASSIGN(p.type, type_ref());
          return {};
        },
        "parameters"));
    return out;
  }

  Status extension(TransactionExtension& e) {
    PYLON_ASSIGN(e.identifier, str());
    PYLON_ASSIGN(e.type, type_ref());
    PYLON_ASSIGN(e.implicit, type_ref());
    return {};
  }

  Status extrinsic(ExtrinsicInfo& x) {
    if (v_ == 14) {
      PYLON_ASSIGN(TypeId ty, type_ref());
      x.call = ty;  // V14 names the extrinsic type; its params name the call (resolved below)
      PYLON_ASSIGN(std::uint8_t ver, r_.u8());
      x.versions = {ver};
      return vec(
          x.extensions, [&](TransactionExtension& e) { return extension(e); }, "signed extensions");
    }
    if (v_ == 15) {
      PYLON_ASSIGN(std::uint8_t ver, r_.u8());
      x.versions = {ver};
      PYLON_ASSIGN(x.address, type_ref());
      PYLON_ASSIGN(x.call, type_ref());
      PYLON_ASSIGN(x.signature, type_ref());
      PYLON_ASSIGN(x.extra, type_ref());
      return vec(
          x.extensions, [&](TransactionExtension& e) { return extension(e); }, "signed extensions");
    }
    PYLON_ASSIGN(ByteSpan versions, r_.byte_vec());
    x.versions.assign(versions.begin(), versions.end());
    PYLON_ASSIGN(x.address, type_ref());
    PYLON_ASSIGN(x.call, type_ref());
    PYLON_ASSIGN(x.signature, type_ref());
    // transaction_extensions_by_version: BTreeMap<u8, Vec<Compact<u32>>>
    std::map<std::uint8_t, std::vector<std::uint32_t>> by_version;
    PYLON_ASSIGN(std::size_t nver, r_.length(2));
    for (std::size_t i = 0; i < nver; ++i) {
      PYLON_ASSIGN(std::uint8_t ver, r_.u8());
      PYLON_ASSIGN(std::size_t n, r_.length(1));
      auto& list = by_version[ver];
      for (std::size_t k = 0; k < n; ++k) {
        PYLON_ASSIGN(u128 idx, r_.compact());
        if (idx > 0xffffffffu) return r_.error("extension index too large");
        list.push_back(static_cast<std::uint32_t>(idx));
      }
    }
    std::vector<TransactionExtension> all;
    PYLON_TRY(vec(
        all, [&](TransactionExtension& e) { return extension(e); }, "transaction extensions"));
    // Extrinsic format version 4 uses the extensions listed under transaction extension version 0.
    auto it = by_version.find(0);
    if (it == by_version.end())
      return make_error("V16 metadata lists no transaction extensions for version 0");
    for (std::uint32_t idx : it->second) {
      if (idx >= all.size())
        return make_error("transaction extension index " + std::to_string(idx) + " out of range");
      x.extensions.push_back(all[idx]);
    }
    return {};
  }

  Status api(RuntimeApi& a) {
    PYLON_ASSIGN(a.name, str());
    PYLON_TRY(vec(
        a.methods,
        [&](RuntimeApiMethod& m) -> Status {
          PYLON_ASSIGN(m.name, str());
          PYLON_ASSIGN(m.inputs, params());
          PYLON_ASSIGN(m.output, type_ref());
          PYLON_TRY(strings());
          if (v_ >= 16) PYLON_TRY(item_deprecation());
          return {};
        },
        "methods"));
    PYLON_TRY(strings());
    if (v_ >= 16) {
      PYLON_TRY(r_.compact());  // api version
      PYLON_TRY(item_deprecation());
    }
    return {};
  }

  Status custom() {
    PYLON_ASSIGN(std::size_t n, r_.length(3));
    for (std::size_t i = 0; i < n; ++i) {
      PYLON_TRY(str());
      PYLON_TRY(type_ref());
      PYLON_TRY(r_.byte_vec());
    }
    return {};
  }

  Status check_refs(Metadata& md) {
    const auto& reg = md.types;
    auto bad = [&](TypeId t, const std::string& where) -> Status {
      if (!reg.has(t)) return make_error(where + " refers to unknown type " + std::to_string(t));
      return {};
    };
    for (const auto& p : md.pallets) {
      for (const auto& e : p.storage) {
        PYLON_TRY(bad(e.value, p.name + "." + e.name));
        if (e.is_map) PYLON_TRY(bad(e.key, p.name + "." + e.name));
      }
      for (auto t : {p.calls, p.events, p.errors})
        if (t) PYLON_TRY(bad(*t, p.name));
      for (const auto& c : p.constants) PYLON_TRY(bad(c.type, p.name + "." + c.name));
    }
    for (const auto& a : md.apis)
      for (const auto& m : a.methods) {
        PYLON_TRY(bad(m.output, a.name + "_" + m.name));
        for (const auto& in : m.inputs) PYLON_TRY(bad(in.type, a.name + "_" + m.name));
      }
    for (const auto& e : md.extrinsic.extensions) {
      PYLON_TRY(bad(e.type, e.identifier));
      PYLON_TRY(bad(e.implicit, e.identifier));
    }
    for (auto t : {md.extrinsic.address, md.extrinsic.call, md.extrinsic.signature, md.extrinsic.extra,
                   md.outer_call, md.outer_event, md.outer_error})
      if (t) PYLON_TRY(bad(*t, "extrinsic/outer enums"));
    if (md.version == 14) {
      // V14 gives the UncheckedExtrinsic type; its type params name Address, Call, Signature, Extra.
      const TypeDef& x = reg[*md.extrinsic.call];
      md.extrinsic.call.reset();
      for (const auto& [name, ty] : x.params) {
        if (!ty || !reg.has(*ty)) continue;
        if (name == "Address") md.extrinsic.address = ty;
        if (name == "Call") md.extrinsic.call = ty;
        if (name == "Signature") md.extrinsic.signature = ty;
        if (name == "Extra") md.extrinsic.extra = ty;
      }
      if (md.extrinsic.call) md.outer_call = md.extrinsic.call;
    }
    return {};
  }

  ScaleReader r_;
  std::uint8_t v_;
};

}  // namespace

Result<std::shared_ptr<const Metadata>> parse_metadata(ByteSpan raw) {
  if (raw.size() < 5 || std::memcmp(raw.data(), "meta", 4) != 0)
    return make_error("metadata does not start with the \"meta\" magic");
  const std::uint8_t version = raw[4];
  if (version < 14 || version > 16)
    return make_error("metadata version " + std::to_string(version) +
                      " is not supported (V14, V15, V16 are)");
  auto r = Parser(raw.subspan(5), version).run();
  if (!r.ok())
    return make_error("metadata V" + std::to_string(version) + ": " + r.error().message +
                      " (offsets after the 5-byte prefix)");
  return r;
}

Result<Bytes> unwrap_metadata_bytes(ByteSpan bytes) {
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "meta", 4) == 0)
    return Bytes(bytes.begin(), bytes.end());
  ScaleReader r(bytes);
  if (!bytes.empty() && bytes[0] == 0x00)
    return make_error("metadata is None (the runtime does not offer that version)");
  if (!bytes.empty() && bytes[0] == 0x01) {
    // Option<OpaqueMetadata>, unless the byte is the start of a bare compact length of raw metadata.
    ScaleReader probe(bytes.subspan(1));
    auto len = probe.length(1);
    if (len.ok() && *len == probe.remaining() && probe.remaining() >= 4 &&
        std::memcmp(probe.cursor(), "meta", 4) == 0)
      return Bytes(probe.cursor(), probe.cursor() + probe.remaining());
  }
  auto len = r.length(1);
  if (len.ok() && *len == r.remaining() && r.remaining() >= 4 && std::memcmp(r.cursor(), "meta", 4) == 0)
    return Bytes(r.cursor(), r.cursor() + r.remaining());
  return make_error("bytes are neither raw metadata, OpaqueMetadata nor Option<OpaqueMetadata>");
}

Result<std::shared_ptr<const Metadata>> load_metadata_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot open metadata file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Bytes bytes;
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view trimmed(text.data() + b, e - b);
  if (trimmed.starts_with("0x") || (trimmed.size() >= 8 && trimmed.substr(0, 8) == "6d657461")) {
    auto h = from_hex(trimmed);
    if (!h.ok()) return make_error(path + ": " + h.error().message);
    bytes = std::move(h).value();
  } else {
    bytes.assign(text.begin(), text.end());
  }
  auto raw = unwrap_metadata_bytes(bytes);
  if (!raw.ok()) return make_error(path + ": " + raw.error().message);
  auto md = parse_metadata(*raw);
  if (!md.ok()) return make_error(path + ": " + md.error().message);
  return md;
}

}  // namespace pylon::codec

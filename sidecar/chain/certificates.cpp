#include "chain/certificates.hpp"

#include <algorithm>

#include "chain/storage_key.hpp"
#include "codec/decoder.hpp"
#include "codec/scale_writer.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"

namespace pylon::chain {
namespace {

constexpr std::string_view kPallet = "SubtensorModule";
constexpr std::string_view kItem = "NeuronCertificates";

// Through single-field wrappers (subtensor's NetUid(u16) in newer runtimes) to the type itself.
const codec::TypeDef& unwrapped(const codec::TypeRegistry& reg, codec::TypeId id) {
  for (int guard = 0; guard < 8; ++guard) {
    const codec::TypeDef& t = reg[id];
    if (t.kind != codec::TypeKind::Composite || t.fields.size() != 1 || t.special != codec::Special::None)
      return t;
    id = t.fields[0].type;
  }
  return reg[id];
}

// Bytes a hasher puts before the key itself; nullopt when the key cannot be read back.
std::optional<std::size_t> concat_hash_len(codec::StorageHasher h) {
  switch (h) {
    case codec::StorageHasher::Blake2_128Concat:
      return 16;
    case codec::StorageHasher::Twox64Concat:
      return 8;
    case codec::StorageHasher::Identity:
      return 0;
    default:
      return std::nullopt;
  }
}

Error bad_state(std::string what) {
  return make_error(ChainErrc::kBadState, std::string(kPallet) + "." + std::string(kItem) + ": " + what);
}

}  // namespace

Result<std::optional<CertificateDecoder>> CertificateDecoder::resolve(
    std::shared_ptr<const codec::Metadata> md) {
  const codec::Pallet* p = md->pallet(kPallet);
  const codec::StorageEntry* e = p ? p->storage_entry(kItem) : nullptr;
  if (e == nullptr) return std::optional<CertificateDecoder>();
  const codec::TypeRegistry& reg = md->types;
  // Keys: (netuid: u16, hotkey: AccountId32), the hotkey hashed reversibly so each key names it.
  const codec::TypeDef& key = reg[e->key];
  if (!e->is_map || e->hashers.size() != 2 || key.kind != codec::TypeKind::Tuple || key.tuple.size() != 2)
    return bad_state("not a double map of (netuid, hotkey) in this runtime, but keyed by " +
                     reg.display_name(e->key));
  const codec::TypeDef& netuid = unwrapped(reg, key.tuple[0]);
  if (netuid.kind != codec::TypeKind::Primitive || netuid.prim != codec::Primitive::U16)
    return bad_state("its netuid key is " + reg.display_name(key.tuple[0]) + ", not a u16");
  if (reg[key.tuple[1]].special != codec::Special::AccountId32)
    return bad_state("its hotkey key is " + reg.display_name(key.tuple[1]) + ", not an AccountId32");
  const auto hash_len = concat_hash_len(e->hashers[1]);
  if (!hash_len) return bad_state("its hotkey hasher does not keep the hotkey in the key");
  // Value: NeuronCertificate {public_key: BoundedVec<u8, 64>, algorithm: u8}.
  const codec::TypeDef& value = reg[e->value];
  const codec::Field* pk =
      value.kind == codec::TypeKind::Composite ? value.field_named("public_key") : nullptr;
  const codec::Field* alg =
      value.kind == codec::TypeKind::Composite ? value.field_named("algorithm") : nullptr;
  if (pk == nullptr || alg == nullptr)
    return bad_state("holds " + reg.display_name(e->value) +
                     ", not a certificate with public_key and algorithm");
  const codec::TypeDef& alg_t = unwrapped(reg, alg->type);
  if (alg_t.kind != codec::TypeKind::Primitive || alg_t.prim != codec::Primitive::U8)
    return bad_state("its algorithm is " + reg.display_name(alg->type) + ", not a u8");
  CertificateDecoder d;
  d.entry_ = e;
  d.hotkey_hash_len_ = *hash_len;
  d.md_ = std::move(md);
  return std::optional<CertificateDecoder>(std::move(d));
}

Result<Bytes> CertificateDecoder::subnet_prefix(std::uint16_t netuid) const {
  codec::ScaleWriter k;
  k.fixed_le<std::uint16_t>(netuid);
  return storage_key(*md_, kPallet, kItem, {k.out()});
}

Result<NeuronCertificate> CertificateDecoder::decode(ByteSpan value) const {
  auto v = codec::decode_exact(md_->types, entry_->value, value);
  if (!v.ok()) return bad_state("a value does not decode: " + v.error().message);
  const codec::Value* pk = v->field("public_key");
  const codec::Value* alg = v->field("algorithm");
  // resolve() checked the fields' presence; their decoded shapes are checked here all the same.
  if (pk == nullptr || pk->kind != codec::Value::Kind::Bytes || alg == nullptr ||
      alg->kind != codec::Value::Kind::UInt || alg->uint > 0xff)
    return bad_state("a value is not {public_key: bytes, algorithm: u8}");
  return NeuronCertificate{static_cast<std::uint8_t>(alg->uint), pk->bytes};
}

Result<std::pair<AccountId, NeuronCertificate>> CertificateDecoder::decode_entry(ByteSpan key,
                                                                                 ByteSpan prefix,
                                                                                 ByteSpan value) const {
  const std::size_t want = prefix.size() + hotkey_hash_len_ + 32;
  if (key.size() != want)
    return bad_state("a key has " + std::to_string(key.size()) + " bytes, expected " + std::to_string(want));
  if (!std::equal(prefix.begin(), prefix.end(), key.begin()))
    return bad_state("a key is not under the subnet's prefix");
  std::pair<AccountId, NeuronCertificate> out;
  std::copy_n(key.begin() + static_cast<std::ptrdiff_t>(prefix.size() + hotkey_hash_len_), 32,
              out.first.begin());
  auto c = decode(value);
  if (!c.ok()) return with_context("the certificate of " + codec::ss58_encode(out.first), c.error());
  out.second = std::move(c).value();
  return out;
}

Bytes certificate_argument(const NeuronCertificate& c) {
  Bytes out(1 + c.public_key.size());
  out[0] = c.algorithm;
  std::copy(c.public_key.begin(), c.public_key.end(), out.begin() + 1);
  return out;
}

std::string serve_axon_tls_args(std::uint16_t netuid, const codec::views::AxonInfo& axon,
                                const NeuronCertificate& c) {
  const bool served = axon.ip_type == 4 || axon.ip_type == 6;
  // ip is a u128: decimal text (JSON numbers stop at 64 bits).
  std::string ip;
  for (codec::u128 v = served ? axon.ip : 0;; v /= 10) {
    ip.insert(ip.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    if (v < 10) break;
  }
  return "{\"netuid\":" + std::to_string(netuid) + ",\"version\":" + std::to_string(axon.version) +
         ",\"ip\":\"" + ip + "\",\"port\":" + std::to_string(axon.port) +
         ",\"ip_type\":" + std::to_string(served ? axon.ip_type : 4) +
         ",\"protocol\":" + std::to_string(axon.protocol) +
         ",\"placeholder1\":0,\"placeholder2\":0,\"certificate\":\"" + to_hex(certificate_argument(c)) +
         "\"}";
}

Result<Certificates> read_certificates(ChainClient& chain, std::uint16_t netuid, const BlockRef& at) {
  PYLON_ASSIGN(RuntimeVersion v, chain.runtime_version(at));
  PYLON_ASSIGN(auto md, chain.metadata_for(v, at));
  PYLON_ASSIGN(auto decoder, CertificateDecoder::resolve(std::move(md)));
  Certificates out;
  if (!decoder) return out;
  PYLON_ASSIGN(Bytes prefix, decoder->subnet_prefix(netuid));
  PYLON_ASSIGN(auto entries, chain.storage_by_prefix(prefix, at));
  for (const auto& [key, value] : entries) {
    PYLON_ASSIGN(auto one, decoder->decode_entry(key, prefix, value));
    out.insert_or_assign(one.first, std::move(one.second));
  }
  return out;
}

}  // namespace pylon::chain

#include "chain/certificates.hpp"

#include <algorithm>

#include "codec/decoder.hpp"
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

}  // namespace

Result<std::optional<CertificateDecoder>> CertificateDecoder::resolve(
    std::shared_ptr<const codec::Metadata> md) {
  // Keys: (netuid: u16, hotkey: AccountId32), the hotkey hashed reversibly so each key names it.
  PYLON_ASSIGN(auto map, NetuidHotkeyMap::resolve(*md, kPallet, kItem));
  if (!map) return std::optional<CertificateDecoder>();
  const codec::TypeRegistry& reg = md->types;
  // Value: NeuronCertificate {public_key: BoundedVec<u8, 64>, algorithm: u8}.
  const codec::TypeDef& value = reg[map->value()];
  const codec::Field* pk =
      value.kind == codec::TypeKind::Composite ? value.field_named("public_key") : nullptr;
  const codec::Field* alg =
      value.kind == codec::TypeKind::Composite ? value.field_named("algorithm") : nullptr;
  if (pk == nullptr || alg == nullptr)
    return map->bad_state("holds " + reg.display_name(map->value()) +
                          ", not a certificate with public_key and algorithm");
  const codec::TypeDef& alg_t = unwrapped(reg, alg->type);
  if (alg_t.kind != codec::TypeKind::Primitive || alg_t.prim != codec::Primitive::U8)
    return map->bad_state("its algorithm is " + reg.display_name(alg->type) + ", not a u8");
  CertificateDecoder d;
  d.map_ = std::move(*map);
  d.md_ = std::move(md);
  return std::optional<CertificateDecoder>(std::move(d));
}

Result<Bytes> CertificateDecoder::subnet_prefix(std::uint16_t netuid) const {
  return map_.prefix(netuid);
}

Result<NeuronCertificate> CertificateDecoder::decode(ByteSpan value) const {
  auto v = codec::decode_exact(md_->types, map_.value(), value);
  if (!v.ok()) return map_.bad_state("a value does not decode: " + v.error().message);
  const codec::Value* pk = v->field("public_key");
  const codec::Value* alg = v->field("algorithm");
  // resolve() checked the fields' presence; their decoded shapes are checked here all the same.
  if (pk == nullptr || pk->kind != codec::Value::Kind::Bytes || alg == nullptr ||
      alg->kind != codec::Value::Kind::UInt || alg->uint > 0xff)
    return map_.bad_state("a value is not {public_key: bytes, algorithm: u8}");
  return NeuronCertificate{static_cast<std::uint8_t>(alg->uint), pk->bytes};
}

Result<std::pair<AccountId, NeuronCertificate>> CertificateDecoder::decode_entry(ByteSpan key,
                                                                                 ByteSpan prefix,
                                                                                 ByteSpan value) const {
  std::pair<AccountId, NeuronCertificate> out;
  PYLON_ASSIGN(out.first, map_.hotkey(key, prefix));
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
  return read_subnet_entries<CertificateDecoder, Certificates>(chain, netuid, at);
}

}  // namespace pylon::chain

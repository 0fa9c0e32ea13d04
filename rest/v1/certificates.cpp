#include "rest/v1/certificates.hpp"

#include <sodium.h>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"

namespace pylon::rest::v1 {
namespace {

void write_certificate(JsonWriter& w, const chain::NeuronCertificate& c) {
  w.begin_object();
  w.key("algorithm");
  w.number(static_cast<std::uint64_t>(c.algorithm));
  w.key("public_key");
  w.string(to_hex(c.public_key));
  w.end_object();
}

}  // namespace

std::string render_certificate(const chain::NeuronCertificate& c) {
  JsonWriter w;
  write_certificate(w, c);
  return w.take();
}

Response certificate_keypair_response(const chain::NeuronCertificate& c,
                                      const keys::SecretBytes& private_key) {
  static constexpr std::string_view kAlgorithm = "{\"algorithm\":", kPublic = ",\"public_key\":\"0x",
                                    kPrivate = "\",\"private_key\":\"0x", kEnd = "\"}";
  const std::string algorithm = std::to_string(c.algorithm);
  // Zeroed before it is freed: the body is the private key's only copy outside SecretBytes.
  std::shared_ptr<std::string> body(new std::string, [](std::string* s) {
    sodium_memzero(s->data(), s->size());
    delete s;
  });
  body->reserve(kAlgorithm.size() + algorithm.size() + kPublic.size() + 2 * c.public_key.size() +
                kPrivate.size() + 2 * private_key.size() + kEnd.size());
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto hex = [&](std::span<const std::uint8_t> bytes) {
    for (std::uint8_t b : bytes) {
      body->push_back(kDigits[b >> 4]);
      body->push_back(kDigits[b & 15]);
    }
  };
  body->append(kAlgorithm).append(algorithm).append(kPublic);
  hex(c.public_key);
  body->append(kPrivate);
  hex(private_key.span());
  body->append(kEnd);
  return shared_response(201, std::move(body));
}

std::shared_ptr<const BlockCertificates> make_block_certificates(std::uint16_t netuid, const BlockHash& at,
                                                                 chain::Certificates certificates) {
  auto out = std::make_shared<BlockCertificates>();
  out->netuid = netuid;
  out->block_hash = at;
  JsonWriter w;
  w.begin_object();
  for (const auto& [hotkey, c] : certificates) {
    w.key(codec::ss58_encode(hotkey));
    write_certificate(w, c);
  }
  w.end_object();
  out->map_body = std::make_shared<const std::string>(w.take());
  out->certificates = std::move(certificates);
  return out;
}

std::shared_ptr<const BlockCertificates> CertificateCache::find(std::uint16_t netuid,
                                                                const BlockHash& at) const {
  Lock lock(mu_);
  for (const auto& c : kept_)
    if (c->netuid == netuid && c->block_hash == at) return c;
  return nullptr;
}

void CertificateCache::keep(std::shared_ptr<const BlockCertificates> c) {
  Lock lock(mu_);
  kept_.remove_if([&](const auto& k) { return k->netuid == c->netuid && k->block_hash == c->block_hash; });
  kept_.push_front(std::move(c));
  while (kept_.size() > kKept) kept_.pop_back();
}

}  // namespace pylon::rest::v1

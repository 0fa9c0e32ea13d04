// The v1 certificate reads (pylon-v1.md §2): GET .../block/latest/certificates[/{hotkey}|/self].
// Certificates are not part of the follower's snapshot: they change only when a neuron calls
// serve_axon_tls and few clients ask for them, so they are read from the chain on request (one
// paged storage read of the subnet's NeuronCertificates at the latest snapshot's block) and kept
// per (netuid, block): every later request at that block, whole map or one hotkey, is answered
// from memory, with the map's body rendered once.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "chain/certificates.hpp"
#include "common/sync.hpp"
#include "keys/secret_bytes.hpp"
#include "rest/http_types.hpp"

namespace pylon::rest::v1 {

// One subnet's certificates at one block, with the bare map body rendered once.
struct BlockCertificates {
  std::uint16_t netuid = 0;
  BlockHash block_hash{};
  chain::Certificates certificates;
  std::shared_ptr<const std::string> map_body;  // {hotkey: {"algorithm", "public_key"}}, {} when none
};

// {"algorithm": int, "public_key": "0x…"}.
std::string render_certificate(const chain::NeuronCertificate& c);
// 201 {"algorithm", "public_key", "private_key"} of a certificate just served. The body is built
// at its final size (no reallocation leaves copies of the key behind) and zeroed when the last
// holder lets go of it, i.e. once the connection has written it.
Response certificate_keypair_response(const chain::NeuronCertificate& c,
                                      const keys::SecretBytes& private_key);
std::shared_ptr<const BlockCertificates> make_block_certificates(std::uint16_t netuid, const BlockHash& at,
                                                                 chain::Certificates certificates);

// The last few blocks' reads, newest first. Thread contract: any thread, under its own mutex,
// held only to look up or insert a pointer. Two requests that miss at once both read the chain
// and the second insert wins; both answers are the same block's data.
class CertificateCache {
 public:
  static constexpr std::size_t kKept = 8;  // (netuid, block) pairs: a few subnets over a block or two

  std::shared_ptr<const BlockCertificates> find(std::uint16_t netuid, const BlockHash& at) const;
  void keep(std::shared_ptr<const BlockCertificates> c);

 private:
  mutable Mutex mu_;
  std::list<std::shared_ptr<const BlockCertificates>> kept_ PYLON_GUARDED_BY(mu_);
};

}  // namespace pylon::rest::v1

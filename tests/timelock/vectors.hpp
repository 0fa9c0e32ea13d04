// ../shared/crv4/vectors.json (round 1000 of drand quicknet, its real signature, and a ciphertext
// built with fixed randomness that arkworks' tld decrypts), read once for the timelock tests.
#pragma once

#include <simdjson.h>

#include <string>

#include "common/hex.hpp"
#include "test_support.hpp"

namespace pylon::timelock::test {

struct Vectors {
  bool loaded = false;
  std::uint64_t round = 0;
  Bytes sig, pk, identity, qid, pairing_digest, plaintext, sigma, esk, nonce, ciphertext;
};

inline const Vectors& vectors() {
  static const Vectors v = [] {
    Vectors out;
    const std::string dir = keys::test::shared_dir();
    if (dir.empty()) return out;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.load(dir + "/crv4/vectors.json").get(doc)) return out;
    auto hex = [&](const char* key) {
      std::string_view s;
      if (doc[key].get_string().get(s)) return Bytes{};
      auto b = from_hex(s);
      return b.ok() ? *b : Bytes{};
    };
    std::uint64_t round = 0;
    if (doc["round"].get_uint64().get(round)) return out;
    out.round = round;
    out.sig = hex("sig_hex");
    out.pk = hex("pk_hex");
    out.identity = hex("identity_sha256_round_be");
    out.qid = hex("qid_g1_compressed");
    out.pairing_digest = hex("sha256_ark_bytes_e_G1gen_G2gen");
    out.plaintext = hex("plaintext_scale_hex");
    out.sigma = hex("sigma_hex");
    out.esk = hex("esk_hex");
    out.nonce = hex("nonce_hex");
    out.ciphertext = hex("ciphertext_hex");
    out.loaded = out.sig.size() == 48 && out.ciphertext.size() == 295;
    return out;
  }();
  return v;
}

}  // namespace pylon::timelock::test

#define PYLON_REQUIRE_VECTORS()                                                                     \
  do {                                                                                              \
    if (!::pylon::timelock::test::vectors().loaded)                                                 \
      GTEST_SKIP() << "../shared/crv4/vectors.json not found or incomplete (set PYLON_SHARED_DIR)"; \
  } while (0)

// Parsing Pylon's REST answers for pylon::Client (simdjson DOM). The answers are untrusted bytes
// (any server may sit at rest_url): every field is type-checked and range-checked, and an answer
// that does not fit gives Errc::corrupt naming the field, never a crash or a partial result.
// tests/fuzz/fuzz_client_rest.cpp fuzzes these functions.
//
// Units: /metagraph prints stake and emission in TAO (rao / 1e9) and the six fractions as
// x / 65535; they are turned back into the segment's integers by rounding, as the Python package.
//
// Thread contract: free functions; a RestParser is used by one thread at a time.
#pragma once

#include <arpa/inet.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "pylon/client/detail/ss58.hpp"
#include "pylon/client/snapshot.hpp"
#include "pylon/shm/result.hpp"

namespace pylon::client_detail {

using shm::Errc;
using shm::make_shm_error;
using shm::ShmError;
using shm::ShmStatus;

inline ShmError corrupt(const char* what, const char* field) noexcept {
  return make_shm_error(Errc::corrupt, "%s: %s is missing or out of range", what, field);
}

inline bool hex_digit(char c, std::uint8_t& out) noexcept {
  if (c >= '0' && c <= '9') return out = static_cast<std::uint8_t>(c - '0'), true;
  if (c >= 'a' && c <= 'f') return out = static_cast<std::uint8_t>(c - 'a' + 10), true;
  if (c >= 'A' && c <= 'F') return out = static_cast<std::uint8_t>(c - 'A' + 10), true;
  return false;
}

// "0x"-prefixed (optional) hex into bytes; false on odd length or a non-hex digit.
inline bool parse_hex(std::string_view text, std::vector<std::uint8_t>& out) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() % 2) return false;
  out.clear();
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    std::uint8_t hi = 0, lo = 0;
    if (!hex_digit(text[i], hi) || !hex_digit(text[i + 1], lo)) return false;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return true;
}

class RestParser {
 public:
  // GET /metagraph: block, block_hash and the neurons into `out` (hyperparams and commitments
  // are left alone).
  ShmStatus metagraph(std::string_view body, ClientSnapshot& out) {
    static constexpr const char* kWhat = "/metagraph";
    simdjson::dom::object root;
    if (parse(body).get_object().get(root)) {
      return make_shm_error(Errc::corrupt, "%s: the answer is not a JSON object", kWhat);
    }
    if (root["block"].get_uint64().get(out.block)) return corrupt(kWhat, "block");
    std::string_view hash;
    std::vector<std::uint8_t> bytes;
    if (root["block_hash"].get_string().get(hash) || !parse_hex(hash, bytes) || bytes.size() != 32) {
      return corrupt(kWhat, "block_hash");
    }
    std::memcpy(out.block_hash_bytes.data(), bytes.data(), 32);
    simdjson::dom::object neurons;
    if (root["neurons"].get_object().get(neurons)) return corrupt(kWhat, "neurons");
    const std::size_t n = neurons.size();
    if (n > shm::kMaxNeurons) return corrupt(kWhat, "the neuron count");
    out.neurons.assign(n, shm::NeuronRecord{});
    std::vector<bool> seen(n, false);
    for (auto [key, value] : neurons) {
      simdjson::dom::object o;
      if (value.get_object().get(o)) return corrupt(kWhat, "a neuron");
      std::uint64_t uid = 0;
      if (o["uid"].get_uint64().get(uid) || uid >= n || seen[uid])
        return corrupt(kWhat, "a neuron's uid (not 0..n-1)");
      seen[uid] = true;
      shm::NeuronRecord& r = out.neurons[uid];
      r.uid = static_cast<std::uint16_t>(uid);
      if (ShmStatus s = neuron(o, key, r); !s) return s;
    }
    return {};
  }

  // GET /hyperparams: the fields the segment's Hyperparams record holds (others are ignored).
  ShmStatus hyperparams(std::string_view body, shm::Hyperparams& h) {
    static constexpr const char* kWhat = "/hyperparams";
    simdjson::dom::object root;
    if (parse(body).get_object().get(root)) {
      return make_shm_error(Errc::corrupt, "%s: the answer is not a JSON object", kWhat);
    }
    h = shm::Hyperparams{};
    struct U64 {
      const char* name;
      std::uint64_t* field;
    };
    const U64 u64s[] = {{"min_difficulty", &h.min_difficulty},
                        {"max_difficulty", &h.max_difficulty},
                        {"weights_version", &h.weights_version},
                        {"weights_rate_limit", &h.weights_rate_limit},
                        {"min_burn", &h.min_burn},
                        {"max_burn", &h.max_burn},
                        {"bonds_moving_avg", &h.bonds_moving_avg},
                        {"serving_rate_limit", &h.serving_rate_limit},
                        {"adjustment_alpha", &h.adjustment_alpha},
                        {"difficulty", &h.difficulty},
                        {"commit_reveal_period", &h.commit_reveal_period}};
    struct U16 {
      const char* name;
      std::uint16_t* field;
    };
    const U16 u16s[] = {{"rho", &h.rho},
                        {"kappa", &h.kappa},
                        {"immunity_period", &h.immunity_period},
                        {"min_allowed_weights", &h.min_allowed_weights},
                        {"max_weights_limit", &h.max_weights_limit},
                        {"tempo", &h.tempo},
                        {"adjustment_interval", &h.adjustment_interval},
                        {"activity_cutoff", &h.activity_cutoff},
                        {"target_regs_per_interval", &h.target_regs_per_interval},
                        {"max_regs_per_block", &h.max_regs_per_block},
                        {"max_validators", &h.max_validators},
                        {"alpha_high", &h.alpha_high},
                        {"alpha_low", &h.alpha_low}};
    struct Flag {
      const char* name;
      std::uint8_t* field;
    };
    const Flag flags[] = {{"registration_allowed", &h.registration_allowed},
                          {"commit_reveal_weights_enabled", &h.commit_reveal_weights_enabled},
                          {"liquid_alpha_enabled", &h.liquid_alpha_enabled}};
    // A field the chain's runtime does not have is absent (0), as in the segment.
    auto present = [&](const char* name, simdjson::dom::element& e) { return !root[name].get(e); };
    simdjson::dom::element e;
    for (const U64& f : u64s) {
      if (present(f.name, e) && e.get_uint64().get(*f.field)) return corrupt(kWhat, f.name);
    }
    for (const U16& f : u16s) {
      std::uint64_t v = 0;
      if (present(f.name, e) && e.get_uint64().get(v)) return corrupt(kWhat, f.name);
      *f.field = static_cast<std::uint16_t>(v > UINT16_MAX ? UINT16_MAX : v);  // the segment clamps too
    }
    for (const Flag& f : flags) {
      bool v = false;
      if (present(f.name, e) && e.get_bool().get(v)) return corrupt(kWhat, f.name);
      *f.field = v ? 1 : 0;
    }
    return {};
  }

  // GET /get_commitments: {ss58: "0x…"}.
  ShmStatus commitments(std::string_view body, std::vector<ClientCommitment>& out) {
    static constexpr const char* kWhat = "/get_commitments";
    simdjson::dom::object root;
    if (parse(body).get_object().get(root)) {
      return make_shm_error(Errc::corrupt, "%s: the answer is not a JSON object", kWhat);
    }
    out.clear();
    for (auto [key, value] : root) {
      ClientCommitment c;
      std::string_view hex;
      if (!ss58_decode(key, c.hotkey)) return corrupt(kWhat, "a hotkey");
      if (value.get_string().get(hex) || !parse_hex(hex, c.data) ||
          c.data.size() > shm::kMaxCommitmentBytes) {
        return corrupt(kWhat, "a commitment");
      }
      out.push_back(std::move(c));
    }
    return {};
  }

  // GET /latest_block: {"block": n}.
  shm::ShmResult<std::uint64_t> latest_block(std::string_view body) {
    std::uint64_t block = 0;
    if (parse(body)["block"].get_uint64().get(block)) {
      return corrupt("/latest_block", "block");
    }
    return block;
  }

  // An error answer's "detail" text (the API's error shape), or "" when it has none.
  std::string detail(std::string_view body) {
    std::string_view d;
    if (parse(body)["detail"].get_string().get(d)) return {};
    return std::string(d.substr(0, 120));
  }

 private:
  // An empty body is refused before simdjson sees it: a caller's empty view may point nowhere,
  // and simdjson copies from that pointer (undefined behaviour for a null one).
  simdjson::simdjson_result<simdjson::dom::element> parse(std::string_view body) {
    if (body.empty()) return simdjson::EMPTY;
    return parser_.parse(body.data(), body.size());
  }

  static ShmStatus neuron(simdjson::dom::object& o, std::string_view key, shm::NeuronRecord& r) {
    static constexpr const char* kWhat = "/metagraph";
    std::string_view text;
    AccountId id;
    if (o["hotkey"].get_string().get(text) || text != key || !ss58_decode(text, id))
      return corrupt(kWhat, "hotkey");
    std::memcpy(r.hotkey, id.data(), 32);
    if (o["coldkey"].get_string().get(text) || !ss58_decode(text, id)) return corrupt(kWhat, "coldkey");
    std::memcpy(r.coldkey, id.data(), 32);
    if (!scaled(o, "stake", 1e9, 1.8e19, r.stake)) return corrupt(kWhat, "stake");
    if (!scaled(o, "emission", 1e9, 1.8e19, r.emission)) return corrupt(kWhat, "emission");
    struct Fraction {
      const char* name;
      std::uint16_t* field;
    };
    const Fraction fractions[] = {
        {"rank", &r.rank},           {"trust", &r.trust},         {"validator_trust", &r.validator_trust},
        {"consensus", &r.consensus}, {"incentive", &r.incentive}, {"dividends", &r.dividends}};
    for (const Fraction& f : fractions) {
      std::uint64_t v = 0;
      if (!scaled(o, f.name, 65535.0, 65535.0, v)) return corrupt(kWhat, f.name);
      *f.field = static_cast<std::uint16_t>(v);
    }
    std::uint64_t u = 0;
    if (o["last_update"].get_uint64().get(r.last_update)) return corrupt(kWhat, "last_update");
    if (o["pruning_score"].get_uint64().get(u) || u > UINT16_MAX) return corrupt(kWhat, "pruning_score");
    r.pruning_score = static_cast<std::uint16_t>(u);
    bool flag = false;
    if (o["validator_permit"].get_bool().get(flag)) return corrupt(kWhat, "validator_permit");
    r.validator_permit = flag ? 1 : 0;
    if (o["active"].get_bool().get(flag)) return corrupt(kWhat, "active");
    r.active = flag ? 1 : 0;
    simdjson::dom::object axon;
    if (o["axon_info"].get_object().get(axon)) return corrupt(kWhat, "axon_info");
    if (axon["port"].get_uint64().get(u) || u > UINT16_MAX) return corrupt(kWhat, "axon_info.port");
    r.axon_port = static_cast<std::uint16_t>(u);
    if (axon["protocol"].get_uint64().get(u) || u > UINT8_MAX) return corrupt(kWhat, "axon_info.protocol");
    r.axon_protocol = static_cast<std::uint8_t>(u);
    if (axon["ip"].get_string().get(text) || !ip(text, r)) return corrupt(kWhat, "axon_info.ip");
    return {};
  }

  // A JSON number x in 0..max (after scaling) as round(x * scale).
  static bool scaled(simdjson::dom::object& o, const char* name, double scale, double max,
                     std::uint64_t& out) {
    double v = 0;
    if (o[name].get_double().get(v)) return false;
    const double s = std::round(v * scale);
    if (!(s >= 0 && s <= max)) return false;  // NaN fails too
    out = s >= 18446744073709549568.0 ? UINT64_MAX : static_cast<std::uint64_t>(s);
    return true;
  }

  // The API prints IPv4 dotted and IPv6 in RFC 5952 text, and an absent axon as 0.0.0.0
  // (the segment's IpType none).
  static bool ip(std::string_view text, shm::NeuronRecord& r) {
    char buf[64];
    if (text.size() >= sizeof buf) return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::memset(r.axon_ip, 0, sizeof r.axon_ip);
    if (inet_pton(AF_INET, buf, r.axon_ip) == 1) {
      const bool zero = r.axon_ip[0] == 0 && r.axon_ip[1] == 0 && r.axon_ip[2] == 0 && r.axon_ip[3] == 0;
      r.axon_ip_type = zero ? 0 : 4;
      return true;
    }
    if (inet_pton(AF_INET6, buf, r.axon_ip) == 1) {
      r.axon_ip_type = 6;
      return true;
    }
    return false;
  }

  simdjson::dom::parser parser_;
};

}  // namespace pylon::client_detail

// The /api/v1 HTTP tests' common setup on the recorded finney snapshot: the open-access token and
// one identity "sn1" on netuid 1 (holding the first neuron's hotkey, the one with the recorded Raw
// commitment), and the contract's error body. For the reads of subtensor's (netuid, hotkey) maps
// (certificates, revealed commitments): the real runtimes' metadata, the maps' keys, their
// decoders' key checks, and the replay node answering a subnet's entries. Header-only; built once
// per test file.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chain/netuid_hotkey_map.hpp"
#include "chain/storage_key.hpp"
#include "codec/encoder.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "rest/routes.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {

inline const std::string kOpen = "open-access-token-0123";
inline const std::string kSn1 = "sn1-identity-token-0123";
inline const std::string kOpenAuth = "Bearer " + kOpen;
inline const std::string kSn1Auth = "Bearer " + kSn1;

inline RestOptions v1_options() {
  RestOptions o;
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.v1.identities.push_back(
      {"sn1", kNetuid, std::make_shared<const keys::SecretString>(kSn1), recorded()->neurons.at(0).hotkey});
  return o;
}

// {"status_code":..,"detail":".."}: every /api/v1 error (pylon-v1.md §1).
inline std::string v1_error(unsigned status, const std::string& detail) {
  return "{\"status_code\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

// One GET path of the route table and what it must match.
struct V1GetRoute {
  std::string path;
  Route route;
  v1::Read read;
  std::string hotkey;  // the path's {hotkey}, else ""
};

// Each path matches its route and read, in the family its prefix names, with netuid 1 and its
// hotkey as the parameters; none is a write.
inline void expect_v1_get_routes(const std::vector<V1GetRoute>& rows) {
  for (const auto& r : rows) {
    SCOPED_TRACE(r.path);
    const RouteMatch m = match_route(Method::get, r.path);
    EXPECT_EQ(m.route, r.route);
    EXPECT_EQ(v1::read_of(m.route), r.read);
    EXPECT_EQ(v1::family(m.route), r.path.find("/identity/") != std::string::npos ? v1::Family::identity
                                                                                  : v1::Family::open_access);
    EXPECT_EQ(m.v1_params.hotkey, r.hotkey);
    EXPECT_EQ(m.v1_params.netuid, 1u);
    EXPECT_FALSE(is_write(m.route));
  }
}

// ---------------------------------------------------------------- (netuid, hotkey) maps

// The real runtimes the decoders are checked with: finney (spec 343) and the local chain (293).
inline const char* const kRuntimeMetadataFiles[] = {"chain/finney-metadata-v15.option.hex",
                                                    "chain/localnet/spec293-metadata-v15.option.hex"};

// The full storage key of (netuid, hotkey) in `pallet`.`item`, built from the metadata's hashers.
inline Bytes subnet_map_key(const codec::Metadata& md, std::string_view pallet, std::string_view item,
                            std::uint16_t netuid, const AccountId& hotkey) {
  auto key =
      chain::storage_key(md, pallet, item,
                         {Bytes{static_cast<std::uint8_t>(netuid), static_cast<std::uint8_t>(netuid >> 8)},
                          Bytes(hotkey.begin(), hotkey.end())});
  EXPECT_TRUE(key.ok()) << key.error().message;
  return key.ok() ? *key : Bytes{};
}

// A value of `pallet`.`item` encoded by the codec's encoder from `json`, with the metadata's own
// type of it.
inline Bytes encoded_value(const codec::Metadata& md, std::string_view pallet, std::string_view item,
                           const std::string& json) {
  simdjson::dom::parser p;
  auto bytes =
      codec::encode_json(md.types, md.pallet(pallet)->storage_entry(item)->value, p.parse(json).value());
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes.ok() ? *bytes : Bytes{};
}

// A copy of `md` without `pallet`.`item`; with `value_of`, a copy whose item holds that other
// item's value type instead.
inline std::shared_ptr<codec::Metadata> changed_metadata(const codec::Metadata& md, std::string_view pallet,
                                                         std::string_view item,
                                                         std::optional<std::string_view> value_of = {}) {
  auto out = std::make_shared<codec::Metadata>(md);
  auto p =
      std::find_if(out->pallets.begin(), out->pallets.end(), [&](const auto& x) { return x.name == pallet; });
  if (p == out->pallets.end()) throw std::runtime_error("no pallet " + std::string(pallet));
  if (!value_of) {
    std::erase_if(p->storage, [&](const auto& e) { return e.name == item; });
    return out;
  }
  const codec::StorageEntry* other = p->storage_entry(*value_of);
  if (other == nullptr) throw std::runtime_error("no item " + std::string(*value_of));
  const codec::TypeId value = other->value;
  for (auto& e : p->storage)
    if (e.name == item) e.value = value;
  return out;
}

// A (netuid, hotkey) map's decoder (chain::CertificateDecoder, v1::RevealedDecoder) on keys read
// under subnet 7's prefix: the key of (7, hotkey) gives the hotkey and `value` as decode() gives
// it; a key one byte short and subnet 8's key of the same length are errors of `kind`.
template <class Decoder, class Kind>
void expect_entry_keys_checked(const Decoder& d, const codec::Metadata& md, std::string_view pallet,
                               std::string_view item, const Bytes& value, Kind kind) {
  AccountId hotkey{};
  hotkey.bytes().fill(0xab);
  auto prefix = d.subnet_prefix(7);
  ASSERT_TRUE(prefix.ok()) << prefix.error().message;
  const Bytes key = subnet_map_key(md, pallet, item, 7, hotkey);
  ASSERT_EQ(Bytes(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(prefix->size())), *prefix);
  auto e = d.decode_entry(key, *prefix, value);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->first, hotkey);
  auto decoded = d.decode(value);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(e->second, *decoded);
  Bytes short_key = key;
  short_key.pop_back();
  const Bytes other_subnet = subnet_map_key(md, pallet, item, 8, hotkey);  // must not land on subnet 7
  ASSERT_EQ(other_subnet.size(), key.size());
  for (const Bytes& bad : {short_key, other_subnet}) {
    auto refused = d.decode_entry(bad, *prefix, value);
    ASSERT_FALSE(refused.ok()) << to_hex(bad);
    EXPECT_TRUE(refused.error().is(kind)) << refused.error().message;
  }
}

// The replay node's key reads so far (one a storage_by_prefix read).
inline std::uint64_t key_reads() {
  return replay_node().server ? replay_node().server->requests("state_getKeysPaged") : 0;
}

// Where a replay node override holds requests: wait() blocks until open() (a node slower than the
// request's deadline); waiting() counts the requests that came to it.
class NodeGate {
 public:
  explicit NodeGate(bool closed) : closed_(closed) {}
  void wait() {
    ++waiting_;
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !closed_; });
  }
  void open() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  int waiting() const { return waiting_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_;
  std::atomic<int> waiting_{0};
};

// While this lives the replay node answers the recorded subnet's entries of `pallet`.`item` (a
// (netuid, hotkey) map) with `entries` (hotkey -> raw value) under the recorded block's metadata;
// every other read goes to the recording as before. With `hold`, each key read waits until
// release() (a node slower than the request's deadline).
class NodeSubnetMap {
 public:
  NodeSubnetMap(std::string_view pallet, std::string_view item,
                const std::vector<std::pair<AccountId, Bytes>>& entries, bool hold = false)
      : gate_(hold) {
    auto& node = replay_node();
    EXPECT_TRUE(node.stack && node.server);
    if (!node.stack || !node.server) return;
    auto md = node.stack->chain->metadata(recorded()->block_hash);
    EXPECT_TRUE(md.ok()) << md.error().message;
    if (!md.ok()) return;
    auto map = chain::NetuidHotkeyMap::resolve(**md, pallet, item);
    EXPECT_TRUE(map.ok() && map->has_value());
    if (!map.ok() || !map->has_value()) return;
    std::string prefix = to_hex((*map)->prefix(kNetuid));
    if (prefix.rfind("0x", 0) == 0) prefix.erase(0, 2);
    std::string keys = "[", changes = "[";
    for (const auto& [hk, value] : entries) {
      const std::string key = to_hex(subnet_map_key(**md, pallet, item, kNetuid, hk));
      keys += std::string(keys.size() > 1 ? "," : "") + "\"" + key + "\"";
      changes += std::string(changes.size() > 1 ? "," : "") + "[\"" + key + "\",\"" + to_hex(value) + "\"]";
    }
    keys += "]";
    changes += "]";
    const std::string stored =
        "[{\"block\":\"" + to_hex(recorded()->block_hash) + "\",\"changes\":" + changes + "}]";
    node.server->set_override(
        [this, prefix, keys, stored](std::string_view method,
                                     std::string_view params) -> std::optional<std::string> {
          if (params.find(prefix) == std::string_view::npos) return std::nullopt;
          if (method == "state_getKeysPaged") {
            gate_.wait();
            return keys;
          }
          if (method == "state_queryStorageAt") return stored;
          return std::nullopt;
        });
  }
  void release() { gate_.open(); }
  ~NodeSubnetMap() {
    release();
    if (replay_node().server) replay_node().server->set_override({});
  }
  NodeSubnetMap(const NodeSubnetMap&) = delete;
  NodeSubnetMap& operator=(const NodeSubnetMap&) = delete;

 private:
  NodeGate gate_;
};

// What the reads of a subnet's map answer at .../block/latest/`path` ("certificates",
// "commitments/revealed"): the whole map, the entry of neuron 2's hotkey, the identity's own
// (neuron 0's) at /self; each of `none` (hotkeys without an entry, strings that are no hotkey)
// and open access's /self is 404 `not_found`.
struct V1MapReads {
  std::string path;
  std::string all, of_neuron_2, self;
  std::vector<std::string> none;
  std::string not_found;
};

// `want` under both prefixes, every answer from one key read of the node.
inline void expect_v1_map_reads(Harness& h, const V1MapReads& want) {
  const std::string neuron_2 = codec::ss58_encode(recorded()->neurons.at(2).hotkey);
  const std::uint64_t before = key_reads();
  for (const std::string prefix : {"/api/v1/subnet/1", "/api/v1/identity/sn1/subnet/1"}) {
    SCOPED_TRACE(prefix);
    const std::string& auth = prefix.find("identity") != std::string::npos ? kSn1Auth : kOpenAuth;
    const std::string base = prefix + "/block/latest/" + want.path;
    auto all = h.get(base, auth);
    EXPECT_EQ(all.status, 200u);
    EXPECT_EQ(all.body, want.all);
    EXPECT_EQ(all.content_type, "application/json");
    auto one = h.get(base + "/" + neuron_2, auth);
    EXPECT_EQ(one.status, 200u);
    EXPECT_EQ(one.body, want.of_neuron_2);
    for (const std::string& none : want.none) {
      auto n = h.get(base + "/" + none, auth);
      EXPECT_EQ(n.status, 404u) << none;
      EXPECT_EQ(n.body, v1_error(404, want.not_found)) << none;
    }
  }
  auto self = h.get("/api/v1/identity/sn1/subnet/1/block/latest/" + want.path + "/self", kSn1Auth);
  EXPECT_EQ(self.status, 200u);
  EXPECT_EQ(self.body, want.self);
  // `self` is no hotkey under open access.
  auto oa_self = h.get("/api/v1/subnet/1/block/latest/" + want.path + "/self", kOpenAuth);
  EXPECT_EQ(oa_self.status, 404u);
  EXPECT_EQ(oa_self.body, v1_error(404, want.not_found));
  EXPECT_EQ(key_reads() - before, 1u);  // every answer above from one read at the snapshot's block
}

// A map without entries at .../block/latest/`path`: `empty` (the whole map's body), and the
// identity's /self is 404 `not_found`.
inline void expect_v1_map_empty(Harness& h, const std::string& path, const std::string& empty,
                                const std::string& not_found) {
  auto all = h.get("/api/v1/subnet/1/block/latest/" + path, kOpenAuth);
  EXPECT_EQ(all.status, 200u);
  EXPECT_EQ(all.body, empty);
  auto self = h.get("/api/v1/identity/sn1/subnet/1/block/latest/" + path + "/self", kSn1Auth);
  EXPECT_EQ(self.status, 404u);
  EXPECT_EQ(self.body, v1_error(404, not_found));
}

// `target` reads a map whose entry of neuron 3 does not fit the block's metadata: 502 saying the
// `what` at the recorded block could not be read, naming that hotkey; nothing is kept from the
// failed read and the server answers the next request.
inline void expect_v1_map_unfit_502(Harness& h, const std::string& target, const std::string& what) {
  auto a = h.get(target, kOpenAuth);
  EXPECT_EQ(a.status, 502u) << target;
  Json j(a.body);
  ASSERT_TRUE(j.ok) << a.body;
  EXPECT_EQ(j.root["status_code"].get_uint64().value_unsafe(), 502u);
  const std::string detail(j.root["detail"].get_string().value_unsafe());
  EXPECT_NE(detail.find("the " + what + " at block " + std::to_string(kRecordedBlock) + " could not be read"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find(codec::ss58_encode(recorded()->neurons.at(3).hotkey)), std::string::npos) << detail;
  EXPECT_EQ(h.get("/api/v1/identities").status, 200u);
}

}  // namespace pylon::rest::test

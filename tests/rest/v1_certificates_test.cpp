// The v1 certificate reads (pylon-v1.md §2): GET .../block/latest/certificates[/{hotkey}|/self].
// - the route table and the guard's order of checks on them;
// - SubtensorModule.NeuronCertificates values decoded with the real metadata of finney (spec 343)
//   and of the local chain (spec 293): values encoded by the codec's encoder from the metadata's
//   own type, checked against subtensor's layout byte for byte; a runtime without the item; an
//   item of another shape; malformed values and keys;
// - over HTTP on the recorded finney snapshot, the replay node answering the subnet's
//   NeuronCertificates with test-made entries (the recording holds none): both prefixes, self,
//   unknown and non-SS58 hotkeys, the empty map, one read per block, and a malformed value that
//   answers 502 and leaves the server serving.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "chain/certificates.hpp"
#include "chain/netuid_hotkey_map.hpp"
#include "chain/storage_key.hpp"
#include "codec/encoder.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "rest/v1/certificates.hpp"
#include "rest/v1/guard.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kOpen = "open-access-token-0123";
const std::string kSn1 = "sn1-identity-token-0123";
const std::string kOpenAuth = "Bearer " + kOpen;
const std::string kSn1Auth = "Bearer " + kSn1;
const std::string kNotFound = "Certificate not found or error fetching.";

std::string error(unsigned status, const std::string& detail) {
  return "{\"status_code\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

// ---------------------------------------------------------------- routes and guard

TEST(V1CertificateRoutes, BothPrefixesAndSelfBeforeHotkey) {
  struct Row {
    std::string path;
    Route route;
    v1::Read read;
    std::string hotkey;
  };
  const std::vector<Row> rows = {
      {"/api/v1/subnet/1/block/latest/certificates", Route::v1_oa_certificates, v1::Read::certificates, ""},
      {"/api/v1/subnet/1/block/latest/certificates/", Route::v1_oa_certificates, v1::Read::certificates, ""},
      {"/api/v1/subnet/1/block/latest/certificates/5Abc", Route::v1_oa_certificate, v1::Read::certificate,
       "5Abc"},
      // `self` is identity-only: under open access it is a hotkey (and not an SS58 one: 404 later).
      {"/api/v1/subnet/1/block/latest/certificates/self", Route::v1_oa_certificate, v1::Read::certificate,
       "self"},
      {"/api/v1/identity/sn1/subnet/1/block/latest/certificates", Route::v1_id_certificates,
       v1::Read::certificates, ""},
      {"/api/v1/identity/sn1/subnet/1/block/latest/certificates/self", Route::v1_id_certificate_self,
       v1::Read::certificate_self, ""},
      {"/api/v1/identity/sn1/subnet/1/block/latest/certificates/self/", Route::v1_id_certificate_self,
       v1::Read::certificate_self, ""},
      {"/api/v1/identity/sn1/subnet/1/block/latest/certificates/5Abc", Route::v1_id_certificate,
       v1::Read::certificate, "5Abc"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.path);
    const RouteMatch m = match_route(Method::get, r.path);
    EXPECT_EQ(m.route, r.route);
    EXPECT_EQ(v1::read_of(m.route), r.read);
    EXPECT_EQ(v1::family(m.route), r.path.find("/identity/") != std::string::npos ? v1::Family::identity
                                                                                  : v1::Family::open_access);
    EXPECT_EQ(m.v1_params.hotkey, r.hotkey);
    EXPECT_EQ(m.v1_params.netuid, 1u);
  }
  EXPECT_EQ(v1::route_template(Route::v1_id_certificate_self),
            "/api/v1/identity/{identity}/subnet/{netuid}/block/latest/certificates/self");
}

TEST(V1CertificateRoutes, WrongMethodIs405AndOtherShapesAre404) {
  for (const std::string path : {"/api/v1/subnet/1/block/latest/certificates",
                                 "/api/v1/identity/sn1/subnet/1/block/latest/certificates/self"}) {
    for (Method m : {Method::put, Method::post}) {
      const RouteMatch r = match_route(m, path);
      EXPECT_EQ(r.route, Route::unknown) << path;
      EXPECT_TRUE(r.path_known) << path;
      EXPECT_EQ(r.allow, "GET") << path;
    }
  }
  for (const std::string path :
       {"/api/v1/subnet/abc/block/latest/certificates", "/api/v1/subnet/1.5/block/latest/certificates",
        "/api/v1/subnet/1/block/7/certificates", "/api/v1/subnet/1/block/latest/certificates/a/b",
        "/api/v1/subnet/1/block/latest/certificates//",
        "/api/v1/identity/sn1/subnet/x/block/latest/certificates/self"}) {
    const RouteMatch r = match_route(Method::get, path);
    EXPECT_EQ(r.route, Route::unknown) << path;
    EXPECT_FALSE(r.path_known) << path;
  }
}

v1::Options guard_options() {
  v1::Options o;
  o.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.identities.push_back({"sn1", 1, std::make_shared<const keys::SecretString>(kSn1), AccountId{}});
  return o;
}

// The guard's answer to a GET: {status, body, extra headers}; status 0 when admitted.
struct Guarded {
  unsigned status = 0;
  std::string body, headers;
};
Guarded guarded(const std::string& path, std::optional<std::string> auth,
                std::optional<std::string_view> timeout = std::nullopt) {
  static const v1::Options o = guard_options();
  Request req;
  req.method = Method::get;
  req.path = path;
  req.has_authorization = auth.has_value();
  if (auth) req.authorization = *auth;
  req.pylon_timeout = timeout;
  auto v = v1::guard(match_route(Method::get, path), req, o);
  Guarded out;
  if (auto* r = std::get_if<Response>(&v)) {
    out.status = r->status;
    out.body = *r->body;
    out.headers = r->extra_headers;
  }
  return out;
}

TEST(V1CertificateRoutes, TheGuardsOrderOfChecks) {
  const std::string oa = "/api/v1/subnet/1/block/latest/certificates";
  const std::string id = "/api/v1/identity/sn1/subnet/1/block/latest/certificates/self";
  // A bad timeout wins over a missing token.
  EXPECT_EQ(guarded(id, std::nullopt, "soon").body, error(400, "Invalid X-Pylon-Timeout header value: soon"));
  for (const std::string& p : {oa, id}) {
    EXPECT_EQ(guarded(p, std::nullopt).body, error(401, "Authorization header is required")) << p;
    EXPECT_EQ(guarded(p, "Token x").body,
              error(401, "Invalid Authorization header format. Expected: Bearer <token>"))
        << p;
  }
  // Each family's token opens its own family only.
  EXPECT_EQ(guarded(oa, kOpenAuth).status, 0u);
  EXPECT_EQ(guarded(oa, kSn1Auth).body, error(403, "Invalid authorization token"));
  EXPECT_EQ(guarded(id, kSn1Auth).status, 0u);
  EXPECT_EQ(guarded(id, kOpenAuth).body, error(403, "Invalid authorization token"));
  // An unknown identity is told only to a well-formed Bearer header.
  const std::string ghost = "/api/v1/identity/ghost/subnet/1/block/latest/certificates/self";
  EXPECT_EQ(guarded(ghost, std::nullopt).status, 401u);
  EXPECT_EQ(guarded(ghost, kSn1Auth).body, error(404, "Identity 'ghost' not found"));
  // The identity's netuid: 308 to the same path on its subnet.
  auto moved = guarded("/api/v1/identity/sn1/subnet/2/block/latest/certificates/self", kSn1Auth);
  EXPECT_EQ(moved.status, 308u);
  EXPECT_NE(moved.headers.find("Location: /api/v1/identity/sn1/subnet/1/block/latest/certificates/self"),
            std::string::npos)
      << moved.headers;
}

// ---------------------------------------------------------------- decoding with real metadata

const char* const kMetadataFiles[] = {"chain/finney-metadata-v15.option.hex",
                                      "chain/localnet/spec293-metadata-v15.option.hex"};

// An Ed25519-sized key: 32 bytes 0x00..0x1f.
Bytes test_key() {
  Bytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return k;
}

const codec::StorageEntry& certificates_entry(const codec::Metadata& md) {
  return *md.pallet("SubtensorModule")->storage_entry("NeuronCertificates");
}

// A NeuronCertificate value encoded by the codec's encoder from the metadata's own type.
Bytes encoded(const codec::Metadata& md, const Bytes& key, unsigned algorithm) {
  simdjson::dom::parser p;
  const std::string json =
      "{\"public_key\":\"" + to_hex(key) + "\",\"algorithm\":" + std::to_string(algorithm) + "}";
  auto bytes = codec::encode_json(md.types, certificates_entry(md).value, p.parse(json).value());
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  return bytes.ok() ? *bytes : Bytes{};
}

// The full storage key of (netuid, hotkey), built from the metadata's hashers.
Bytes entry_key(const codec::Metadata& md, std::uint16_t netuid, const AccountId& hotkey) {
  auto key =
      chain::storage_key(md, "SubtensorModule", "NeuronCertificates",
                         {Bytes{static_cast<std::uint8_t>(netuid), static_cast<std::uint8_t>(netuid >> 8)},
                          Bytes(hotkey.begin(), hotkey.end())});
  EXPECT_TRUE(key.ok()) << key.error().message;
  return key.ok() ? *key : Bytes{};
}

TEST(V1CertificateDecode, ARealRuntimesValueDecodes) {
  PYLON_REST_REQUIRE_SHARED();
  for (const char* rel : kMetadataFiles) {
    SCOPED_TRACE(rel);
    auto md = load_metadata(rel);
    ASSERT_TRUE(md);
    auto d = chain::CertificateDecoder::resolve(md);
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_TRUE(d->has_value());
    const Bytes value = encoded(*md, test_key(), 1);
    // subtensor's NeuronCertificate {public_key: BoundedVec<u8, 64>, algorithm: u8}: compact
    // length 32 (0x80), the key, the algorithm byte.
    Bytes layout{0x80};
    const Bytes k = test_key();
    layout.insert(layout.end(), k.begin(), k.end());
    layout.push_back(0x01);
    EXPECT_EQ(value, layout);
    auto c = (*d)->decode(value);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->algorithm, 1);
    EXPECT_EQ(c->public_key, test_key());
    EXPECT_EQ(v1::render_certificate(*c),
              "{\"algorithm\":1,\"public_key\":"
              "\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"}");

    // One entry of a subnet, as storage_by_prefix returns it: the hotkey comes out of the key.
    AccountId hotkey{};
    hotkey.bytes().fill(0xab);
    auto prefix = (*d)->subnet_prefix(7);
    ASSERT_TRUE(prefix.ok()) << prefix.error().message;
    const Bytes key = entry_key(*md, 7, hotkey);
    ASSERT_EQ(Bytes(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(prefix->size())), *prefix);
    auto e = (*d)->decode_entry(key, *prefix, value);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->first, hotkey);
    EXPECT_EQ(e->second, *c);
    // An empty key (algorithm 0 and no bytes) is a value like any other.
    auto empty = (*d)->decode(Bytes{0x00, 0x00});
    ASSERT_TRUE(empty.ok()) << empty.error().message;
    EXPECT_EQ(v1::render_certificate(*empty), "{\"algorithm\":0,\"public_key\":\"0x\"}");
  }
}

TEST(V1CertificateDecode, MalformedValuesAndKeysAreBadState) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kMetadataFiles[0]);
  ASSERT_TRUE(md);
  auto d = chain::CertificateDecoder::resolve(md);
  ASSERT_TRUE(d.ok() && d->has_value());
  const Bytes good = encoded(*md, test_key(), 1);
  Bytes trailing = good;
  trailing.push_back(0x00);
  const Bytes truncated(good.begin(), good.end() - 2);
  const Bytes too_long_length{0xfd, 0xff, 0xff, 0xff, 0x01};  // a compact length far past the bytes
  for (const Bytes& bad : {trailing, truncated, too_long_length, Bytes{}}) {
    auto c = (*d)->decode(bad);
    ASSERT_FALSE(c.ok()) << to_hex(bad);
    EXPECT_TRUE(c.error().is(chain::ChainErrc::kBadState)) << c.error().message;
  }
  AccountId hotkey{};
  auto prefix = (*d)->subnet_prefix(1);
  ASSERT_TRUE(prefix.ok());
  Bytes key = entry_key(*md, 1, hotkey);
  ASSERT_TRUE((*d)->decode_entry(key, *prefix, good).ok());
  Bytes short_key = key;
  short_key.pop_back();
  // Another subnet's entry, of the right length: its hotkey must not be put on subnet 1.
  const Bytes other_subnet = entry_key(*md, 2, hotkey);
  ASSERT_EQ(other_subnet.size(), key.size());
  for (const Bytes& bad : {short_key, other_subnet}) {
    auto e = (*d)->decode_entry(bad, *prefix, good);
    ASSERT_FALSE(e.ok()) << to_hex(bad);
    EXPECT_TRUE(e.error().is(chain::ChainErrc::kBadState)) << e.error().message;
  }
}

TEST(V1CertificateDecode, ARuntimeWithoutTheItemHasNoneAndAnotherShapeIsRefused) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kMetadataFiles[0]);
  ASSERT_TRUE(md);
  auto pallet_of = [](codec::Metadata& m) -> codec::Pallet& {
    for (auto& p : m.pallets)
      if (p.name == "SubtensorModule") return p;
    throw std::runtime_error("no SubtensorModule");
  };
  auto without = std::make_shared<codec::Metadata>(*md);
  std::erase_if(pallet_of(*without).storage, [](const auto& e) { return e.name == "NeuronCertificates"; });
  auto none = chain::CertificateDecoder::resolve(without);
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  // NeuronCertificates holding another item's type (Axons' AxonInfo): refused, not guessed at.
  auto other = std::make_shared<codec::Metadata>(*md);
  auto& storage = pallet_of(*other).storage;
  const auto axons =
      std::find_if(storage.begin(), storage.end(), [](const auto& e) { return e.name == "Axons"; });
  ASSERT_NE(axons, storage.end());
  for (auto& e : storage)
    if (e.name == "NeuronCertificates") e.value = axons->value;
  auto refused = chain::CertificateDecoder::resolve(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is(chain::ChainErrc::kBadState)) << refused.error().message;
  EXPECT_NE(refused.error().message.find("not a certificate"), std::string::npos) << refused.error().message;
}

// The resolver both decoders (and the follower's CommitmentOf read) share: for each of subtensor's
// (netuid, hotkey) maps, its keys are those chain::storage_key builds from the metadata's hashers,
// and the hotkey comes back out of them.
TEST(NetuidHotkeyMap, TheKeysOfSubtensorsMapsAreStorageKeysAndGiveTheHotkeyBack) {
  PYLON_REST_REQUIRE_SHARED();
  AccountId hotkey{};
  hotkey.bytes().fill(0xcd);
  const std::pair<std::string_view, std::string_view> items[] = {{"SubtensorModule", "NeuronCertificates"},
                                                                 {"Commitments", "CommitmentOf"},
                                                                 {"Commitments", "RevealedCommitments"}};
  for (const char* rel : kMetadataFiles) {
    auto md = load_metadata(rel);
    ASSERT_TRUE(md);
    for (const auto& [pallet, item] : items) {
      SCOPED_TRACE(std::string(rel) + " " + std::string(pallet) + "." + std::string(item));
      auto map = chain::NetuidHotkeyMap::resolve(*md, pallet, item);
      ASSERT_TRUE(map.ok()) << map.error().message;
      ASSERT_TRUE(map->has_value());
      const Bytes netuid_key{0x07, 0x01};  // 263, little-endian
      auto prefix = chain::storage_key(*md, pallet, item, {netuid_key});
      auto key = chain::storage_key(*md, pallet, item, {netuid_key, Bytes(hotkey.begin(), hotkey.end())});
      ASSERT_TRUE(prefix.ok() && key.ok());
      EXPECT_EQ((*map)->prefix(263), *prefix);
      EXPECT_EQ((*map)->key(263, hotkey), *key);
      EXPECT_EQ((*map)->value(), md->pallet(pallet)->storage_entry(item)->value);
      auto back = (*map)->hotkey(*key, *prefix);
      ASSERT_TRUE(back.ok()) << back.error().message;
      EXPECT_EQ(*back, hotkey);
      // Another subnet's key, and a key one byte short: refused, naming the item.
      for (const Bytes& bad : {(*map)->key(264, hotkey), Bytes(key->begin(), key->end() - 1)}) {
        auto refused = (*map)->hotkey(bad, *prefix);
        ASSERT_FALSE(refused.ok());
        EXPECT_TRUE(refused.error().is(chain::ChainErrc::kBadState));
        EXPECT_EQ(refused.error().message.rfind(std::string(pallet) + "." + std::string(item) + ": ", 0), 0u)
            << refused.error().message;
      }
    }
    // An item that is not there: nothing to resolve. A plain value: not a (netuid, hotkey) map.
    auto none = chain::NetuidHotkeyMap::resolve(*md, "SubtensorModule", "NoSuchItem");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    auto plain = chain::NetuidHotkeyMap::resolve(*md, "SubtensorModule", "TotalIssuance");
    ASSERT_FALSE(plain.ok());
    EXPECT_TRUE(plain.error().is(chain::ChainErrc::kBadState));
    EXPECT_NE(plain.error().message.find("SubtensorModule.TotalIssuance: not a double map"),
              std::string::npos)
        << plain.error().message;
  }
}

// ---------------------------------------------------------------- over HTTP

RestOptions v1_options() {
  RestOptions o;
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  o.v1.identities.push_back(
      {"sn1", kNetuid, std::make_shared<const keys::SecretString>(kSn1), recorded()->neurons.at(0).hotkey});
  return o;
}

std::string hotkey(std::size_t uid) {
  return codec::ss58_encode(recorded()->neurons.at(uid).hotkey);
}

std::string bare(const Bytes& b) {
  std::string h = to_hex(b);
  return h.rfind("0x", 0) == 0 ? h.substr(2) : h;
}

// While this lives the replay node answers the recorded subnet's NeuronCertificates with
// `entries` (hotkey -> raw value), under the metadata of the recorded block; every other read
// goes to the recording as before.
struct NodeCertificates {
  explicit NodeCertificates(const std::vector<std::pair<AccountId, Bytes>>& entries) {
    auto& node = replay_node();
    EXPECT_TRUE(node.stack && node.server);
    if (!node.stack || !node.server) return;
    auto md = node.stack->chain->metadata(recorded()->block_hash);
    EXPECT_TRUE(md.ok()) << md.error().message;
    if (!md.ok()) return;
    auto d = chain::CertificateDecoder::resolve(*md);
    EXPECT_TRUE(d.ok() && d->has_value());
    if (!d.ok() || !d->has_value()) return;
    auto prefix = (*d)->subnet_prefix(kNetuid);
    EXPECT_TRUE(prefix.ok());
    if (!prefix.ok()) return;
    std::string keys = "[", changes = "[";
    for (const auto& [hk, value] : entries) {
      const std::string key = to_hex(entry_key(**md, kNetuid, hk));
      keys += std::string(keys.size() > 1 ? "," : "") + "\"" + key + "\"";
      changes += std::string(changes.size() > 1 ? "," : "") + "[\"" + key + "\",\"" + to_hex(value) + "\"]";
    }
    keys += "]";
    changes += "]";
    const std::string stored =
        "[{\"block\":\"" + to_hex(recorded()->block_hash) + "\",\"changes\":" + changes + "}]";
    node.server->set_override(
        [p = bare(*prefix), keys, stored](std::string_view method,
                                          std::string_view params) -> std::optional<std::string> {
          if (params.find(p) == std::string_view::npos) return std::nullopt;
          if (method == "state_getKeysPaged") return keys;
          if (method == "state_queryStorageAt") return stored;
          return std::nullopt;
        });
  }
  ~NodeCertificates() {
    if (replay_node().server) replay_node().server->set_override({});
  }
  NodeCertificates(const NodeCertificates&) = delete;
  NodeCertificates& operator=(const NodeCertificates&) = delete;
};

Bytes value_of(const Bytes& key, std::uint8_t algorithm) {
  Bytes v{static_cast<std::uint8_t>(key.size() << 2)};  // compact length (< 64)
  v.insert(v.end(), key.begin(), key.end());
  v.push_back(algorithm);
  return v;
}

std::uint64_t key_reads() {
  return replay_node().server ? replay_node().server->requests("state_getKeysPaged") : 0;
}

TEST(RestV1Certificates, ServedUnderBothPrefixesAndReadOncePerBlock) {
  PYLON_REST_REQUIRE_SHARED();
  const Bytes k0 = test_key();
  const Bytes k2(32, 0x42);
  NodeCertificates node({{recorded()->neurons.at(0).hotkey, value_of(k0, 1)},
                         {recorded()->neurons.at(2).hotkey, value_of(k2, 1)}});
  Harness h(v1_options());
  const std::string c0 = "{\"algorithm\":1,\"public_key\":\"" + to_hex(k0) + "\"}";
  const std::string c2 = "{\"algorithm\":1,\"public_key\":\"" + to_hex(k2) + "\"}";
  // The map is ordered by the hotkeys' bytes.
  const bool zero_first = recorded()->neurons.at(0).hotkey < recorded()->neurons.at(2).hotkey;
  const std::string first = zero_first ? "\"" + hotkey(0) + "\":" + c0 : "\"" + hotkey(2) + "\":" + c2;
  const std::string second = zero_first ? "\"" + hotkey(2) + "\":" + c2 : "\"" + hotkey(0) + "\":" + c0;
  const std::string map = "{" + first + "," + second + "}";

  const std::uint64_t before = key_reads();
  for (const std::string prefix : {"/api/v1/subnet/1", "/api/v1/identity/sn1/subnet/1"}) {
    SCOPED_TRACE(prefix);
    const std::string& auth = prefix.find("identity") != std::string::npos ? kSn1Auth : kOpenAuth;
    auto all = h.get(prefix + "/block/latest/certificates", auth);
    EXPECT_EQ(all.status, 200u);
    EXPECT_EQ(all.body, map);
    EXPECT_EQ(all.content_type, "application/json");
    auto one = h.get(prefix + "/block/latest/certificates/" + hotkey(2), auth);
    EXPECT_EQ(one.status, 200u);
    EXPECT_EQ(one.body, c2);
    for (const std::string& none :
         {hotkey(1), std::string("not-a-hotkey"), codec::ss58_encode(AccountId{})}) {
      auto n = h.get(prefix + "/block/latest/certificates/" + none, auth);
      EXPECT_EQ(n.status, 404u) << none;
      EXPECT_EQ(n.body, error(404, kNotFound)) << none;
    }
  }
  auto self = h.get("/api/v1/identity/sn1/subnet/1/block/latest/certificates/self", kSn1Auth);
  EXPECT_EQ(self.status, 200u);
  EXPECT_EQ(self.body, c0);
  // `self` is no hotkey under open access.
  auto oa_self = h.get("/api/v1/subnet/1/block/latest/certificates/self", kOpenAuth);
  EXPECT_EQ(oa_self.status, 404u);
  EXPECT_EQ(oa_self.body, error(404, kNotFound));
  // Every answer above came from one read of the node at the snapshot's block.
  EXPECT_EQ(key_reads() - before, 1u);
  // Another subnet is read from the chain on request (its snapshot first, so a subnet that does
  // not exist is told apart); the recording has nothing of subnet 2: the node's error is a 502.
  auto other = h.get("/api/v1/subnet/2/block/latest/certificates", kOpenAuth);
  EXPECT_EQ(other.status, 502u) << other.body;
}

// Requests at once on several I/O loops and workers share the per-block cache (under its mutex):
// every one gets the same answer, however many of them read the node before the first kept it.
TEST(RestV1Certificates, ConcurrentRequestsGetTheSameAnswer) {
  PYLON_REST_REQUIRE_SHARED();
  NodeCertificates node({{recorded()->neurons.at(0).hotkey, value_of(test_key(), 1)}});
  RestOptions o = v1_options();
  o.io_threads = 4;
  Harness h(o);
  const std::string c0 = "{\"algorithm\":1,\"public_key\":\"" + to_hex(test_key()) + "\"}";
  std::vector<std::thread> clients;
  std::vector<HttpAnswer> answers(8);
  for (std::size_t i = 0; i < answers.size(); ++i)
    clients.emplace_back([&, i] {
      answers[i] = i % 2 ? h.get("/api/v1/subnet/1/block/latest/certificates/" + hotkey(0), kOpenAuth)
                         : h.get("/api/v1/subnet/1/block/latest/certificates", kOpenAuth);
    });
  for (auto& t : clients) t.join();
  for (std::size_t i = 0; i < answers.size(); ++i) {
    EXPECT_EQ(answers[i].status, 200u) << i;
    EXPECT_EQ(answers[i].body, i % 2 ? c0 : "{\"" + hotkey(0) + "\":" + c0 + "}") << i;
  }
}

TEST(RestV1Certificates, NoneIsAnEmptyMapAndEveryLookupIs404) {
  PYLON_REST_REQUIRE_SHARED();
  NodeCertificates node({});
  Harness h(v1_options());
  auto all = h.get("/api/v1/subnet/1/block/latest/certificates", kOpenAuth);
  EXPECT_EQ(all.status, 200u);
  EXPECT_EQ(all.body, "{}");
  auto self = h.get("/api/v1/identity/sn1/subnet/1/block/latest/certificates/self", kSn1Auth);
  EXPECT_EQ(self.status, 404u);
  EXPECT_EQ(self.body, error(404, kNotFound));
}

TEST(RestV1Certificates, AValueThatDoesNotFitTheMetadataIs502AndTheServerGoesOn) {
  PYLON_REST_REQUIRE_SHARED();
  Bytes trailing = value_of(test_key(), 1);
  trailing.push_back(0x07);
  NodeCertificates node({{recorded()->neurons.at(0).hotkey, value_of(test_key(), 1)},
                         {recorded()->neurons.at(3).hotkey, trailing}});
  Harness h(v1_options());
  for (const std::string& target :
       std::vector<std::string>{"/api/v1/subnet/1/block/latest/certificates",
                                "/api/v1/subnet/1/block/latest/certificates/" + hotkey(0)}) {
    auto a = h.get(target, kOpenAuth);
    EXPECT_EQ(a.status, 502u) << target;
    Json j(a.body);
    ASSERT_TRUE(j.ok) << a.body;
    EXPECT_EQ(j.root["status_code"].get_uint64().value_unsafe(), 502u);
    const std::string detail(j.root["detail"].get_string().value_unsafe());
    EXPECT_NE(
        detail.find("the certificates at block " + std::to_string(kRecordedBlock) + " could not be read"),
        std::string::npos)
        << detail;
    EXPECT_NE(detail.find(hotkey(3)), std::string::npos) << detail;  // names the entry that does not fit
  }
  // Nothing was kept from the failed read, and the server answers the next request.
  EXPECT_EQ(h.get("/api/v1/identities").status, 200u);
}

TEST(RestV1Certificates, ANodeThatCannotAnswerIs502) {
  PYLON_REST_REQUIRE_SHARED();
  // No override: the recording holds no NeuronCertificates read, and the replay node answers an
  // unrecorded request with a JSON-RPC error, as a failing node would.
  Harness h(v1_options());
  auto a = h.get("/api/v1/identity/sn1/subnet/1/block/latest/certificates", kSn1Auth);
  EXPECT_EQ(a.status, 502u) << a.body;
  EXPECT_NE(a.body.find("\"status_code\":502"), std::string::npos) << a.body;
}

}  // namespace
}  // namespace pylon::rest::test

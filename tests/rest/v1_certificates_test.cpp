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
#include <thread>

#include "chain/certificates.hpp"
#include "chain/netuid_hotkey_map.hpp"
#include "chain/storage_key.hpp"
#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "rest/v1/certificates.hpp"
#include "rest/v1/guard.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kNotFound = "Certificate not found or error fetching.";

// ---------------------------------------------------------------- routes and guard

TEST(V1CertificateRoutes, BothPrefixesAndSelfBeforeHotkey) {
  expect_v1_get_routes({
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
  });
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
  EXPECT_EQ(guarded(id, std::nullopt, "soon").body,
            v1_error(400, "Invalid X-Pylon-Timeout header value: soon"));
  for (const std::string& p : {oa, id}) {
    EXPECT_EQ(guarded(p, std::nullopt).body, v1_error(401, "Authorization header is required")) << p;
    EXPECT_EQ(guarded(p, "Token x").body,
              v1_error(401, "Invalid Authorization header format. Expected: Bearer <token>"))
        << p;
  }
  // Each family's token opens its own family only.
  EXPECT_EQ(guarded(oa, kOpenAuth).status, 0u);
  EXPECT_EQ(guarded(oa, kSn1Auth).body, v1_error(403, "Invalid authorization token"));
  EXPECT_EQ(guarded(id, kSn1Auth).status, 0u);
  EXPECT_EQ(guarded(id, kOpenAuth).body, v1_error(403, "Invalid authorization token"));
  // An unknown identity is told only to a well-formed Bearer header.
  const std::string ghost = "/api/v1/identity/ghost/subnet/1/block/latest/certificates/self";
  EXPECT_EQ(guarded(ghost, std::nullopt).status, 401u);
  EXPECT_EQ(guarded(ghost, kSn1Auth).body, v1_error(404, "Identity 'ghost' not found"));
  // The identity's netuid: 308 to the same path on its subnet.
  auto moved = guarded("/api/v1/identity/sn1/subnet/2/block/latest/certificates/self", kSn1Auth);
  EXPECT_EQ(moved.status, 308u);
  EXPECT_NE(moved.headers.find("Location: /api/v1/identity/sn1/subnet/1/block/latest/certificates/self"),
            std::string::npos)
      << moved.headers;
}

// ---------------------------------------------------------------- decoding with real metadata

// An Ed25519-sized key: 32 bytes 0x00..0x1f.
Bytes test_key() {
  Bytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i);
  return k;
}

// A NeuronCertificate value encoded by the codec's encoder from the metadata's own type.
Bytes encoded(const codec::Metadata& md, const Bytes& key, unsigned algorithm) {
  return encoded_value(
      md, "SubtensorModule", "NeuronCertificates",
      "{\"public_key\":\"" + to_hex(key) + "\",\"algorithm\":" + std::to_string(algorithm) + "}");
}

TEST(V1CertificateDecode, ARealRuntimesValueDecodes) {
  PYLON_REST_REQUIRE_SHARED();
  for (const char* rel : kRuntimeMetadataFiles) {
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

    // One entry of a subnet, as storage_by_prefix returns it: the hotkey comes out of the key;
    // a key that does not fit, or another subnet's, is refused.
    expect_entry_keys_checked(**d, *md, "SubtensorModule", "NeuronCertificates", value,
                              chain::ChainErrc::kBadState);
    // An empty key (algorithm 0 and no bytes) is a value like any other.
    auto empty = (*d)->decode(Bytes{0x00, 0x00});
    ASSERT_TRUE(empty.ok()) << empty.error().message;
    EXPECT_EQ(v1::render_certificate(*empty), "{\"algorithm\":0,\"public_key\":\"0x\"}");
  }
}

TEST(V1CertificateDecode, MalformedValuesAreBadState) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kRuntimeMetadataFiles[0]);
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
}

TEST(V1CertificateDecode, ARuntimeWithoutTheItemHasNoneAndAnotherShapeIsRefused) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kRuntimeMetadataFiles[0]);
  ASSERT_TRUE(md);
  auto none =
      chain::CertificateDecoder::resolve(changed_metadata(*md, "SubtensorModule", "NeuronCertificates"));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  // NeuronCertificates holding another item's type (Axons' AxonInfo): refused, not guessed at.
  auto other = changed_metadata(*md, "SubtensorModule", "NeuronCertificates", "Axons");
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
  for (const char* rel : kRuntimeMetadataFiles) {
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

std::string hotkey(std::size_t uid) {
  return codec::ss58_encode(recorded()->neurons.at(uid).hotkey);
}

// The replay node answering the recorded subnet's NeuronCertificates (the recording holds none).
struct NodeCertificates : NodeSubnetMap {
  explicit NodeCertificates(const std::vector<std::pair<AccountId, Bytes>>& entries)
      : NodeSubnetMap("SubtensorModule", "NeuronCertificates", entries) {}
};

Bytes value_of(const Bytes& key, std::uint8_t algorithm) {
  Bytes v{static_cast<std::uint8_t>(key.size() << 2)};  // compact length (< 64)
  v.insert(v.end(), key.begin(), key.end());
  v.push_back(algorithm);
  return v;
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

  expect_v1_map_reads(h, {.path = "certificates",
                          .all = map,
                          .of_neuron_2 = c2,
                          .self = c0,
                          .none = {hotkey(1), "not-a-hotkey", codec::ss58_encode(AccountId{})},
                          .not_found = kNotFound});
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
  expect_v1_map_empty(h, "certificates", "{}", kNotFound);
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
                                "/api/v1/subnet/1/block/latest/certificates/" + hotkey(0)})
    expect_v1_map_unfit_502(h, target, "certificates");
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

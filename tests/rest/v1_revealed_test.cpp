// Revealed commitments (pylon-v1.md §2) and the 504 of v1 reads that outlive their deadline (§4):
// - the route table: revealed before {hotkey}, `self` before {hotkey}, the POST a write;
// - Commitments.RevealedCommitments decoded with the real metadata of finney (spec 343) and of the
//   local chain (spec 293): values encoded by the codec's encoder from the metadata's own type and
//   checked byte for byte against subtensor's Vec<(Vec<u8>, u64)>; malformed values and keys; a
//   runtime without the item; an item of another shape;
// - POST's parts: the body's validation texts, the drand round of blocks_until_reveal, and the
//   ciphertext in the call built from both metadata files, which Pylon's own timelock decrypt
//   opens with drand's recorded signature of round 1000 back to the commitment;
// - over HTTP on the recorded finney snapshot, the replay node answering RevealedCommitments with
//   test-made entries: both prefixes, self, unknown and non-SS58 hotkeys, one read per block, a
//   value that does not fit (502), the auth matrix of the new routes;
// - a 504 `Request timed out` when the node holds the read past a short X-Pylon-Timeout, for the
//   revealed read and for neurons at a block not kept; the late answer is dropped and the server
//   answers the next request once the node does.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "codec/ss58.hpp"
#include "common/hex.hpp"
#include "extrinsic/call.hpp"
#include "rest/v1/bodies.hpp"
#include "rest/v1/commitment_write.hpp"
#include "rest/v1/deadlines.hpp"
#include "rest/v1/revealed.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"
#include "timelock/timelock.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kNotFound = "Commitments not found.";

// ---------------------------------------------------------------- routes

TEST(V1RevealedRoutes, RevealedBeforeHotkeyAndSelfBeforeHotkey) {
  expect_v1_get_routes({
      {"/api/v1/subnet/1/block/latest/commitments/revealed", Route::v1_oa_revealed, v1::Read::revealed, ""},
      {"/api/v1/subnet/1/block/latest/commitments/revealed/", Route::v1_oa_revealed, v1::Read::revealed, ""},
      {"/api/v1/subnet/1/block/latest/commitments/revealed/5Abc", Route::v1_oa_revealed_of,
       v1::Read::revealed_of, "5Abc"},
      // `self` is identity-only: under open access it is a hotkey (not SS58: 404 later).
      {"/api/v1/subnet/1/block/latest/commitments/revealed/self", Route::v1_oa_revealed_of,
       v1::Read::revealed_of, "self"},
      {"/api/v1/identity/sn1/subnet/1/block/latest/commitments/revealed", Route::v1_id_revealed,
       v1::Read::revealed, ""},
      {"/api/v1/identity/sn1/subnet/1/block/latest/commitments/revealed/self", Route::v1_id_revealed_self,
       v1::Read::revealed_self, ""},
      {"/api/v1/identity/sn1/subnet/1/block/latest/commitments/revealed/5Abc", Route::v1_id_revealed_of,
       v1::Read::revealed_of, "5Abc"},
      // The flat commitment routes are untouched.
      {"/api/v1/subnet/1/block/latest/commitments/5Abc", Route::v1_oa_commitment, v1::Read::commitment,
       "5Abc"},
      {"/api/v1/identity/sn1/subnet/1/block/latest/commitments/self", Route::v1_id_commitment_self,
       v1::Read::commitment_self, ""},
  });
  const RouteMatch post = match_route(Method::post, "/api/v1/identity/sn1/subnet/1/commitments/revealed");
  EXPECT_EQ(post.route, Route::v1_id_post_revealed);
  EXPECT_EQ(v1::family(post.route), v1::Family::identity);
  EXPECT_TRUE(is_write(post.route));
  // A GET of the POST's path, a POST of a read: 405 naming the method the path takes.
  auto wrong = match_route(Method::get, "/api/v1/identity/sn1/subnet/1/commitments/revealed");
  EXPECT_EQ(wrong.route, Route::unknown);
  EXPECT_TRUE(wrong.path_known);
  EXPECT_EQ(wrong.allow, "POST");
  auto wrong_read = match_route(Method::post, "/api/v1/subnet/1/block/latest/commitments/revealed");
  EXPECT_TRUE(wrong_read.path_known);
  EXPECT_EQ(wrong_read.allow, "GET");
  // No open-access POST.
  EXPECT_FALSE(match_route(Method::post, "/api/v1/subnet/1/commitments/revealed").path_known);
}

// ---------------------------------------------------------------- decoding with real metadata

// A RevealedCommitments value encoded by the codec's encoder from the metadata's own type.
Bytes encoded(const codec::Metadata& md, const std::vector<v1::RevealedEntry>& entries) {
  std::string json = "[";
  for (const auto& e : entries)
    json += std::string(json.size() > 1 ? "," : "") + "[\"" + to_hex(e.data) + "\"," +
            std::to_string(e.block) + "]";
  return encoded_value(md, "Commitments", "RevealedCommitments", json + "]");
}

TEST(V1RevealedDecode, ARealRuntimesValueDecodes) {
  PYLON_REST_REQUIRE_SHARED();
  for (const char* rel : kRuntimeMetadataFiles) {
    SCOPED_TRACE(rel);
    auto md = load_metadata(rel);
    ASSERT_TRUE(md);
    auto d = v1::RevealedDecoder::resolve(md);
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_TRUE(d->has_value());
    const std::vector<v1::RevealedEntry> entries = {{v1::scale_string("model-a"), 703},
                                                    {Bytes{0xde, 0xad}, 0x0102030405060708ull}};
    const Bytes value = encoded(*md, entries);
    // subtensor's Vec<(Vec<u8>, u64)>: compact count 2, then each entry's compact length, bytes
    // and u64 little-endian.
    const Bytes layout = {0x08, 0x20, 0x1c, 'm',  'o',  'd',  'e',  'l',  '-',  'a',
                          0xbf, 0x02, 0,    0,    0,    0,    0,    0,    0x08, 0xde,
                          0xad, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    EXPECT_EQ(value, layout);
    auto back = (*d)->decode(value);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, entries);

    expect_entry_keys_checked(**d, *md, "Commitments", "RevealedCommitments", value,
                              v1::RevealedErrc::kBadState);
    // No entries at all is a value like any other.
    auto empty = (*d)->decode(Bytes{0x00});
    ASSERT_TRUE(empty.ok()) << empty.error().message;
    EXPECT_TRUE(empty->empty());
  }
}

TEST(V1RevealedDecode, MalformedValuesAreBadState) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kRuntimeMetadataFiles[0]);
  ASSERT_TRUE(md);
  auto d = v1::RevealedDecoder::resolve(md);
  ASSERT_TRUE(d.ok() && d->has_value());
  const Bytes good = encoded(*md, {{Bytes{1, 2, 3}, 9}});
  Bytes trailing = good;
  trailing.push_back(0x00);
  const Bytes truncated(good.begin(), good.end() - 1);
  const Bytes huge_count{0xfd, 0xff, 0xff, 0xff, 0x01};
  for (const Bytes& bad : {trailing, truncated, huge_count, Bytes{}}) {
    auto v = (*d)->decode(bad);
    ASSERT_FALSE(v.ok()) << to_hex(bad);
    EXPECT_TRUE(v.error().is(v1::RevealedErrc::kBadState)) << v.error().message;
  }
}

TEST(V1RevealedDecode, ARuntimeWithoutTheItemHasNoneAndAnotherShapeIsRefused) {
  PYLON_REST_REQUIRE_SHARED();
  auto md = load_metadata(kRuntimeMetadataFiles[1]);
  ASSERT_TRUE(md);
  auto none = v1::RevealedDecoder::resolve(changed_metadata(*md, "Commitments", "RevealedCommitments"));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  // RevealedCommitments holding CommitmentOf's Registration: refused, not guessed at.
  auto other = changed_metadata(*md, "Commitments", "RevealedCommitments", "CommitmentOf");
  auto refused = v1::RevealedDecoder::resolve(other);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is(v1::RevealedErrc::kBadState)) << refused.error().message;
  EXPECT_NE(refused.error().message.find("not a list of (bytes, u64)"), std::string::npos)
      << refused.error().message;
}

TEST(V1RevealedDecode, TheTextIsTheScaleStringElseHex) {
  EXPECT_EQ(v1::revealed_text(v1::scale_string("model-a")), "model-a");
  EXPECT_EQ(v1::revealed_text(v1::scale_string("")), "");
  const std::string long_text(300, 'x');  // a two-byte compact length
  EXPECT_EQ(v1::revealed_text(v1::scale_string(long_text)), long_text);
  // Not one SCALE string (the length says 1, two bytes follow; no bytes at all): hex.
  EXPECT_EQ(v1::revealed_text(Bytes{0x04, 'a', 'b'}), "0x046162");
  EXPECT_EQ(v1::revealed_text(Bytes{}), "0x");
  // Bytes that are not UTF-8 still make valid JSON through the writer.
  auto r = v1::make_block_revealed(1, chain::BlockRef{BlockHash{}, 5},
                                   {{AccountId{}, {{v1::scale_string("\xff\xfe"), 4}}}});
  Json j(*r->map_body);
  EXPECT_TRUE(j.ok) << *r->map_body;
}

// ---------------------------------------------------------------- POST's parts

TEST(V1RevealedWrite, TheBodysValidationTexts) {
  struct Row {
    std::string body;
    std::vector<v1::FieldError> errors;
  };
  using FE = v1::FieldError;
  const std::vector<Row> rows = {
      {"{}", {FE{"commitment", "Field required"}, FE{"blocks_until_reveal", "Field required"}}},
      {"[]", {FE{"", "Input should be a valid dictionary or object to extract fields from"}}},
      {"{\"commitment\": 5, \"blocks_until_reveal\": 1}",
       {FE{"commitment", "Input should be a valid string"}}},
      {"{\"commitment\": \"a\", \"blocks_until_reveal\": \"x\"}",
       {FE{"blocks_until_reveal", "Input should be a valid integer, unable to parse string as an integer"}}},
      {"{\"commitment\": \"a\", \"blocks_until_reveal\": 1.5}",
       {FE{"blocks_until_reveal", "Input should be a valid integer, got a number with a fractional part"}}},
      {"{\"commitment\": \"a\", \"blocks_until_reveal\": -1}",
       {FE{"blocks_until_reveal", "Input should be greater than or equal to 0"}}},
      {"{\"commitment\": \"a\", \"blocks_until_reveal\": true}",
       {FE{"blocks_until_reveal", "Input should be a valid integer"}}},
      {"{\"commitment\": \"a\", \"blocks_until_reveal\": null}",
       {FE{"blocks_until_reveal", "Input should be a valid integer"}}},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.body);
    auto d = v1::decode_revealed_commitment(r.body);
    auto* errors = std::get_if<std::vector<v1::FieldError>>(&d);
    ASSERT_NE(errors, nullptr);
    ASSERT_EQ(errors->size(), r.errors.size());
    for (std::size_t i = 0; i < errors->size(); ++i) {
      EXPECT_EQ((*errors)[i].key, r.errors[i].key);
      EXPECT_EQ((*errors)[i].message, r.errors[i].message);
    }
  }
  for (const std::string ok : {"{\"commitment\": \"m\", \"blocks_until_reveal\": 360, \"extra\": 1}",
                               "{\"commitment\": \"m\", \"blocks_until_reveal\": \"360\"}",
                               "{\"commitment\": \"m\", \"blocks_until_reveal\": 360.0}"}) {
    auto d = v1::decode_revealed_commitment(ok);
    auto* b = std::get_if<v1::RevealedCommitmentBody>(&d);
    ASSERT_NE(b, nullptr) << ok;
    EXPECT_EQ(b->commitment, "m");
    EXPECT_EQ(b->blocks_until_reveal, 360u);
  }
}

TEST(V1RevealedWrite, TheRoundIsBlocksOfBlockTimeAfterNow) {
  const std::uint64_t g = timelock::kQuicknetGenesis;
  // (now - genesis + round(blocks x block time)) / 3.
  EXPECT_EQ(v1::reveal_round_after(g + 300, 10, 12.0), std::optional<std::uint64_t>((300 + 120) / 3));
  EXPECT_EQ(v1::reveal_round_after(g + 301, 0, 12.0), std::optional<std::uint64_t>(100));
  // The wait is rounded to whole seconds (half away from zero, as Rust's f64::round): 0.75 s and
  // 0.5 s are 1 s, which takes 2 s after genesis into round 1.
  EXPECT_EQ(v1::reveal_round_after(g + 2, 3, 0.25), std::optional<std::uint64_t>(1));
  EXPECT_EQ(v1::reveal_round_after(g + 2, 2, 0.25), std::optional<std::uint64_t>(1));
  EXPECT_EQ(v1::reveal_round_after(g + 2, 1, 0.25), std::optional<std::uint64_t>(0));
  EXPECT_EQ(v1::reveal_round_after(g - 1, 10, 12.0), std::nullopt);
  EXPECT_EQ(v1::reveal_round_after(g, ~0ull, 12.0), std::nullopt);
}

std::string vector_field(const std::string& name) {
  std::ifstream in(replay::testing::shared_dir() + "/crv4/vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  simdjson::dom::parser p;
  auto doc = p.parse(ss.str());
  std::string_view v;
  if (doc.error() || doc[name].get_string().get(v)) return "";
  return std::string(v);
}

TEST(V1RevealedWrite, TheCallCarriesACiphertextThatOpensToTheCommitment) {
  PYLON_REST_REQUIRE_SHARED();
  // drand quicknet's own signature of round 1000 (../shared/crv4/vectors.json).
  auto signature = from_hex(vector_field("sig_hex"));
  ASSERT_TRUE(signature.ok()) << "no round 1000 signature in crv4/vectors.json";
  const std::string commitment = "pylon revealed commitment ✓";
  auto ciphertext = timelock::encrypt(1000, v1::scale_string(commitment));
  ASSERT_TRUE(ciphertext.ok()) << ciphertext.error().message;
  for (const char* rel : kRuntimeMetadataFiles) {
    SCOPED_TRACE(rel);
    auto md = load_metadata(rel);
    ASSERT_NE(md, nullptr);
    auto args = v1::timelocked_commitment_args(*md, 7, *ciphertext, 1000);
    ASSERT_TRUE(args.ok()) << args.error().message;
    auto call = extrinsic::encode_call_json(*md, "Commitments.set_commitment", *args);
    ASSERT_TRUE(call.ok()) << call.error().message;
    // The call's tail is TimelockEncrypted's two fields: the ciphertext with its compact length
    // (two bytes: it is over 63 bytes), then the round as a little-endian u64.
    const std::size_t n = ciphertext->size();
    ASSERT_GT(call->size(), n + 8 + 2);
    const auto tail = call->end() - 8;
    EXPECT_EQ(Bytes(tail, call->end()), (Bytes{0xe8, 0x03, 0, 0, 0, 0, 0, 0}));
    const Bytes carried(tail - static_cast<std::ptrdiff_t>(n), tail);
    EXPECT_EQ(carried, *ciphertext);
    // What subtensor would open at round 1000, and what a reader is then served.
    auto opened = timelock::decrypt(*signature, carried);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(v1::revealed_text(*opened), commitment);
  }
  // A runtime whose Data has no TimelockEncrypted: no call, said so.
  auto md = load_metadata(kRuntimeMetadataFiles[1]);
  ASSERT_NE(md, nullptr);
  auto stripped = std::make_shared<codec::Metadata>(*md);
  std::erase_if(stripped->pallets, [](const codec::Pallet& p) { return p.name == "Commitments"; });
  auto none = v1::timelocked_commitment_args(*stripped, 7, *ciphertext, 1000);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.error().is(v1::CommitmentCallErrc::kNoCall));
}

// ---------------------------------------------------------------- the deadline timer

TEST(V1Deadlines, TheFirstAnswerWinsAndTheOtherIsDropped) {
  v1::Deadlines d;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<unsigned> got;
  std::string body;
  auto record = [&](Response r) {
    std::lock_guard<std::mutex> l(mu);
    got.push_back(r.status);
    body = r.body ? *r.body : "";
    cv.notify_all();
  };
  // The deadline first: 504 with the contract's body, then the late 200 is dropped.
  auto late = d.bounded(record, 0.01);
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(5), [&] { return got.size() == 1; }));
    EXPECT_EQ(body, v1_error(504, "Request timed out"));
  }
  EXPECT_EQ(d.pending(), 0u);
  late(json_response(200, "{}"));
  // The answer first: it goes out and its deadline leaves the queue at once.
  auto early = d.bounded(record, 300);
  EXPECT_EQ(d.pending(), 1u);
  early(json_response(200, "{}"));
  EXPECT_EQ(d.pending(), 0u);
  early(json_response(200, "{}"));  // a second answer is dropped too
  // A deadline later than one queued before it, and one earlier: each fires at its own time.
  auto slow = d.bounded(record, 300);
  auto third = d.bounded(record, 0.02);
  {
    std::unique_lock<std::mutex> l(mu);
    ASSERT_TRUE(cv.wait_for(l, std::chrono::seconds(5), [&] { return got.size() == 3; }));
  }
  EXPECT_EQ(got, (std::vector<unsigned>{504, 200, 504}));
  third(json_response(200, "{}"));
  EXPECT_EQ(d.pending(), 1u);  // `slow`, still waiting
  slow(json_response(200, "{}"));
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(got, (std::vector<unsigned>{504, 200, 504, 200}));
}

TEST(V1Deadlines, StoppedDeadlinesNeverFireAndTheirRepliesOutliveThem) {
  int calls = 0;
  Reply r;
  {
    v1::Deadlines d;
    r = d.bounded([&](Response) { ++calls; }, 300);
    EXPECT_EQ(d.pending(), 1u);
  }  // joined, not fired
  EXPECT_EQ(calls, 0);
  r(json_response(200, "{}"));  // the read's own answer still goes out, its Deadlines gone
  EXPECT_EQ(calls, 1);
}

// ---------------------------------------------------------------- over HTTP

std::string hotkey(std::size_t uid) {
  return codec::ss58_encode(recorded()->neurons.at(uid).hotkey);
}

// The replay node answering the recorded subnet's RevealedCommitments; with `hold`, each read
// waits until release().
struct NodeRevealed : NodeSubnetMap {
  explicit NodeRevealed(const std::vector<std::pair<AccountId, Bytes>>& entries, bool hold = false)
      : NodeSubnetMap("Commitments", "RevealedCommitments", entries, hold) {}
};

Bytes value_of(const std::vector<std::pair<std::string, std::uint64_t>>& entries) {
  Bytes v{static_cast<std::uint8_t>(entries.size() << 2)};
  for (const auto& [text, block] : entries) {
    const Bytes s = v1::scale_string(text);
    v.push_back(static_cast<std::uint8_t>(s.size() << 2));
    v.insert(v.end(), s.begin(), s.end());
    for (int i = 0; i < 8; ++i) v.push_back(static_cast<std::uint8_t>(block >> (8 * i)));
  }
  return v;
}

std::string block_json() {
  return "{\"number\":" + std::to_string(kRecordedBlock) + ",\"hash\":\"" + to_hex(recorded()->block_hash) +
         "\"}";
}

std::string entries_json(const std::string& hk, const std::vector<std::pair<std::string, std::uint64_t>>& e) {
  std::string out = "[";
  for (const auto& [text, block] : e)
    out += std::string(out.size() > 1 ? "," : "") + "{\"reveal_block_number\":" + std::to_string(block) +
           ",\"hotkey\":\"" + hk + "\",\"commitment\":\"" + text + "\"}";
  return out + "]";
}

TEST(RestV1Revealed, ServedUnderBothPrefixesAndReadOncePerBlock) {
  PYLON_REST_REQUIRE_SHARED();
  const std::vector<std::pair<std::string, std::uint64_t>> own = {{"self-model-a", 705},
                                                                  {"self-model-b", 706}};
  const std::vector<std::pair<std::string, std::uint64_t>> other = {{"model-a", 703}};
  // An unregistered hotkey's entries are served too (the 2.x service does not filter them).
  AccountId stranger{};
  stranger.bytes().fill(0x11);
  NodeRevealed node({{recorded()->neurons.at(0).hotkey, value_of(own)},
                     {recorded()->neurons.at(2).hotkey, value_of(other)},
                     {stranger, value_of({{"gone", 9}})}});
  Harness h(v1_options());
  std::map<AccountId, std::string> by_key = {
      {recorded()->neurons.at(0).hotkey, "\"" + hotkey(0) + "\":" + entries_json(hotkey(0), own)},
      {recorded()->neurons.at(2).hotkey, "\"" + hotkey(2) + "\":" + entries_json(hotkey(2), other)},
      {stranger, "\"" + codec::ss58_encode(stranger) +
                     "\":" + entries_json(codec::ss58_encode(stranger), {{"gone", 9}})}};
  std::string map;
  for (const auto& [k, v] : by_key) map += (map.empty() ? "" : ",") + v;
  const std::string all_body = "{\"block\":" + block_json() + ",\"commitments\":{" + map + "}}";

  const auto one_body = [](const std::string& hk,
                           const std::vector<std::pair<std::string, std::uint64_t>>& e) {
    return "{\"block\":" + block_json() + ",\"commitments\":" + entries_json(hk, e) + "}";
  };
  expect_v1_map_reads(h, {.path = "commitments/revealed",
                          .all = all_body,
                          .of_neuron_2 = one_body(hotkey(2), other),
                          .self = one_body(hotkey(0), own),
                          .none = {hotkey(1), "not-a-hotkey"},
                          .not_found = kNotFound});
  // Counted under the routes' templates.
  auto metrics = h.get("/metrics");
  EXPECT_NE(metrics.body.find("path=\"/api/v1/subnet/{netuid}/block/latest/commitments/revealed/{hotkey}\""),
            std::string::npos);
  EXPECT_NE(
      metrics.body.find(
          "path=\"/api/v1/identity/{identity}/subnet/{netuid}/block/latest/commitments/revealed/self\""),
      std::string::npos);
}

TEST(RestV1Revealed, NoneIsAnEmptyMapAndAValueThatDoesNotFitIs502) {
  PYLON_REST_REQUIRE_SHARED();
  {
    NodeRevealed node({});
    Harness h(v1_options());
    expect_v1_map_empty(h, "commitments/revealed", "{\"block\":" + block_json() + ",\"commitments\":{}}",
                        kNotFound);
  }
  Bytes trailing = value_of({{"x", 1}});
  trailing.push_back(0x07);
  NodeRevealed node({{recorded()->neurons.at(3).hotkey, trailing}});
  Harness h(v1_options());
  expect_v1_map_unfit_502(h, "/api/v1/subnet/1/block/latest/commitments/revealed", "revealed commitments");
}

TEST(RestV1Revealed, TheAuthMatrixOfTheNewRoutes) {
  PYLON_REST_REQUIRE_SHARED();
  NodeRevealed node({});
  Harness h(v1_options());
  const std::string oa = "/api/v1/subnet/1/block/latest/commitments/revealed";
  const std::string id = "/api/v1/identity/sn1/subnet/1/block/latest/commitments/revealed/self";
  const std::string post = "/api/v1/identity/sn1/subnet/1/commitments/revealed";
  for (const std::string& p : {oa, id}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(h.get(p).body, v1_error(401, "Authorization header is required"));
    EXPECT_EQ(h.get(p, "Token x").body,
              v1_error(401, "Invalid Authorization header format. Expected: Bearer <token>"));
  }
  EXPECT_EQ(h.get(oa, kOpenAuth).status, 200u);
  EXPECT_EQ(h.get(oa, kSn1Auth).body, v1_error(403, "Invalid authorization token"));
  EXPECT_EQ(h.get(id, kSn1Auth).status, 404u);  // admitted: nothing revealed for it
  EXPECT_EQ(h.get(id, kOpenAuth).body, v1_error(403, "Invalid authorization token"));
  EXPECT_EQ(h.get("/api/v1/identity/ghost/subnet/1/block/latest/commitments/revealed", kSn1Auth).body,
            v1_error(404, "Identity 'ghost' not found"));
  const std::string body = "{\"commitment\": \"m\", \"blocks_until_reveal\": 10}";
  EXPECT_EQ(http(h.port(), "POST", post, body).body, v1_error(401, "Authorization header is required"));
  EXPECT_EQ(http(h.port(), "POST", post, body, kOpenAuth).body, v1_error(403, "Invalid authorization token"));
  // The identity's token on its netuid goes on to the body's validation, then to the signer
  // (none in this harness: 503, nothing encrypted or sent).
  auto bad = http(h.port(), "POST", post, "{\"commitment\": 1}", kSn1Auth);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(
      bad.body,
      "{\"status_code\":400,\"detail\":\"Validation failed for POST " + post +
          "\",\"extra\":[{\"key\":\"commitment\",\"message\":\"Input should be a valid string\"},{\"key\":"
          "\"blocks_until_reveal\",\"message\":\"Field required\"}]}");
  EXPECT_EQ(http(h.port(), "POST", post, body, kSn1Auth).status, 503u);
  auto moved = http(h.port(), "POST", "/api/v1/identity/sn1/subnet/2/commitments/revealed", body, kSn1Auth);
  EXPECT_EQ(moved.status, 308u);
}

// One request with X-Pylon-Timeout on a fresh connection, closed after the answer.
HttpAnswer get_within(std::uint16_t port, const std::string& target, const std::string& auth,
                      const std::string& timeout) {
  HttpClient c(port);
  c.send_raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth +
             "\r\nX-Pylon-Timeout: " + timeout + "\r\nConnection: close\r\n\r\n");
  auto answers = c.read_answers(1);
  return answers.empty() ? HttpAnswer{} : answers.front();
}

TEST(RestV1Deadline, ASlowRevealedReadIs504AndTheLateAnswerIsDropped) {
  PYLON_REST_REQUIRE_SHARED();
  NodeRevealed node({{recorded()->neurons.at(0).hotkey, value_of({{"late", 3}})}}, /*hold=*/true);
  Harness h(v1_options());
  const std::string target = "/api/v1/subnet/1/block/latest/commitments/revealed";
  const auto start = std::chrono::steady_clock::now();
  auto a = get_within(h.port(), target, kOpenAuth, "0.5");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(a.status, 504u);
  EXPECT_EQ(a.body, v1_error(504, "Request timed out"));
  EXPECT_GE(took, std::chrono::milliseconds(450));
  EXPECT_LT(took, std::chrono::seconds(5));
  // The connection is gone; the node answers now and the late result goes nowhere. The next
  // request is answered with the data (kept by the late read, or read again).
  node.release();
  auto b = get_within(h.port(), target, kOpenAuth, "30");
  EXPECT_EQ(b.status, 200u) << b.body;
  EXPECT_NE(b.body.find("\"commitment\":\"late\""), std::string::npos) << b.body;
  auto metrics = h.get("/metrics");
  EXPECT_NE(
      metrics.body.find("path=\"/api/v1/subnet/{netuid}/block/latest/commitments/revealed\",status=\"504\""),
      std::string::npos)
      << metrics.body.substr(0, 2000);
}

// While this lives the replay node holds each `method` request until release(), then answers it
// from the recording; waiting() counts the requests that came.
class NodeHolding {
 public:
  explicit NodeHolding(std::string method) {
    replay_node().server->set_override(
        [this, method = std::move(method)](std::string_view m,
                                           std::string_view) -> std::optional<std::string> {
          if (m == method) gate_.wait();
          return std::nullopt;
        });
  }
  void release() { gate_.open(); }
  int waiting() const { return gate_.waiting(); }
  ~NodeHolding() {
    release();
    replay_node().server->set_override({});
  }
  NodeHolding(const NodeHolding&) = delete;
  NodeHolding& operator=(const NodeHolding&) = delete;

 private:
  NodeGate gate_{true};
};

TEST(RestV1Deadline, NeuronsAtABlockNotKeptAre504WhenTheNodeIsSlow) {
  PYLON_REST_REQUIRE_SHARED();
  NodeHolding node("chain_getBlockHash");
  Harness h(v1_options());
  const std::string target = "/api/v1/subnet/1/block/" + std::to_string(kRecordedBlock - 5) + "/neurons";
  auto a = get_within(h.port(), target, kOpenAuth, "0.3");
  EXPECT_EQ(a.status, 504u);
  EXPECT_EQ(a.body, v1_error(504, "Request timed out"));
  node.release();
  // The late build ends (failed or not) on its worker and answers nobody; the server goes on.
  EXPECT_EQ(h.get("/api/v1/identities").status, 200u);
}

// Another subnet's read is built from the node on request: held past the deadline, 504; a later
// request for it (the node answering again) is served by a build of its own or the one in flight.
TEST(RestV1Deadline, AnUnfollowedSubnetsSlowBuildIs504) {
  PYLON_REST_REQUIRE_SHARED();
  NodeHolding node("state_call");
  Harness h(v1_options());
  auto a = get_within(h.port(), "/api/v1/subnet/2/block/latest/neurons", kOpenAuth, "0.3");
  EXPECT_EQ(a.status, 504u);
  EXPECT_EQ(a.body, v1_error(504, "Request timed out"));
  EXPECT_GE(node.waiting(), 1);  // the build was at the node when the deadline passed
  node.release();
  // The late build ends on its worker (the recording has no subnet 2: a failure) and answers
  // nobody; the next request gets the node's answer, here a 502.
  auto b = get_within(h.port(), "/api/v1/subnet/2/block/latest/neurons", kOpenAuth, "30");
  EXPECT_EQ(b.status, 502u) << b.body;
}

}  // namespace
}  // namespace pylon::rest::test

// GET /api/v1/block/{block}/extrinsic/{index} (pylon-v1.md §2-4) over HTTP, the replay node
// answering the recorded finney block's hash and a body of test-made extrinsics (the recording
// holds no block body): a bare Timestamp.set and a set_weights signed by //Alice, encoded with the
// block's own metadata (spec 343) and decoded back through the route. Also: the route table (public,
// integers only), both 404 texts, a body the metadata cannot decode (502, the server goes on), and
// the route's count in /metrics.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "codec/scale_writer.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "keys/derive.hpp"
#include "keys/hash.hpp"
#include "rest/v1/routes.hpp"
#include "rest_test_support.hpp"

namespace pylon::rest::test {
namespace {

const std::string kOpen = "open-access-token-0123";
constexpr std::uint64_t kUnknownBlock = 999999999;

std::string error(unsigned status, const std::string& detail) {
  return "{\"status_code\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
}

std::string path(std::uint64_t block, std::uint64_t index) {
  return "/api/v1/block/" + std::to_string(block) + "/extrinsic/" + std::to_string(index);
}

TEST(V1ExtrinsicRoute, PublicWithIntegerParameters) {
  const RouteMatch m = match_route(Method::get, "/api/v1/block/6852690/extrinsic/3/");
  EXPECT_EQ(m.route, Route::v1_extrinsic);
  EXPECT_EQ(m.v1_params.block, 6852690u);
  EXPECT_EQ(m.v1_params.index, 3u);
  EXPECT_EQ(v1::family(m.route), v1::Family::public_);
  EXPECT_EQ(v1::route_template(m.route), "/api/v1/block/{block}/extrinsic/{index}");
  for (const std::string p :
       {"/api/v1/block/latest/extrinsic/0", "/api/v1/block/1/extrinsic/x", "/api/v1/block/1/extrinsic/1.5",
        "/api/v1/block/-1/extrinsic/0", "/api/v1/block/1/extrinsic", "/api/v1/block/1/extrinsic/0/1"}) {
    const RouteMatch r = match_route(Method::get, p);
    EXPECT_EQ(r.route, Route::unknown) << p;
    EXPECT_FALSE(r.path_known) << p;
  }
  const RouteMatch post = match_route(Method::post, "/api/v1/block/1/extrinsic/0");
  EXPECT_EQ(post.route, Route::unknown);
  EXPECT_TRUE(post.path_known);
  EXPECT_EQ(post.allow, "GET");
}

struct Body {
  Bytes bare_timestamp, signed_weights;
  ExtrinsicHash signed_hash{};
};

// Extrinsics of the recorded block's runtime, built by Pylon's own encoder and signer.
Body make_body() {
  Body b;
  auto& node = replay_node();
  if (!node.stack) return b;
  auto md = node.stack->chain->metadata(recorded()->block_hash);
  EXPECT_TRUE(md.ok()) << md.error().message;
  if (!md.ok()) return b;
  auto ts = extrinsic::encode_call_json(**md, "Timestamp.set", R"({"now":1733356800123})");
  EXPECT_TRUE(ts.ok());
  if (!ts.ok()) return b;
  codec::ScaleWriter w;
  w.compact(ts->size() + 1);
  w.u8(0x04);  // format 4, unsigned
  w.bytes(*ts);
  b.bare_timestamp = w.take();
  auto call =
      extrinsic::encode_call_json(**md, "SubtensorModule.set_weights",
                                  R"({"netuid":1,"dests":[0,7],"weights":[65535,3],"version_key":1009})");
  EXPECT_TRUE(call.ok());
  auto alice = keys::key_from_uri("//Alice");
  EXPECT_TRUE(alice.ok());
  if (!call.ok() || !alice.ok()) return b;
  extrinsic::TxParams p;
  p.genesis_hash.bytes().fill(0x45);
  p.nonce = 4;
  auto x = extrinsic::build_signed(**md, *call, alice->keypair, p);
  EXPECT_TRUE(x.ok());
  if (!x.ok()) return b;
  b.signed_weights = x->bytes;
  b.signed_hash = x->hash;
  return b;
}

// While this lives the replay node has the recorded block's body hold `extrinsics`, and no block
// kUnknownBlock.
struct NodeBody {
  explicit NodeBody(const std::vector<Bytes>& extrinsics) {
    auto& node = replay_node();
    if (!node.server) return;
    const std::string hash = to_hex(recorded()->block_hash);
    std::string body = R"({"block":{"header":{"number":"0x0"},"extrinsics":[)";
    for (std::size_t i = 0; i < extrinsics.size(); ++i)
      body += (i ? ",\"" : "\"") + to_hex(extrinsics[i]) + "\"";
    body += "]},\"justifications\":null}";
    node.server->set_override(
        [hash, body](std::string_view method, std::string_view params) -> std::optional<std::string> {
          if (method == "chain_getBlockHash" && params == "[" + std::to_string(kRecordedBlock) + "]")
            return "\"" + hash + "\"";
          if (method == "chain_getBlockHash" && params == "[" + std::to_string(kUnknownBlock) + "]")
            return "null";
          if (method == "chain_getBlock" && params.find(hash) != std::string_view::npos) return body;
          return std::nullopt;
        });
  }
  ~NodeBody() {
    if (replay_node().server) replay_node().server->set_override({});
  }
  NodeBody(const NodeBody&) = delete;
  NodeBody& operator=(const NodeBody&) = delete;
};

RestOptions v1_options() {
  RestOptions o;
  o.v1.open_access_token = std::make_shared<const keys::SecretString>(kOpen);
  return o;
}

TEST(RestV1Extrinsic, DecodesTheBlocksExtrinsicsWithItsMetadata) {
  PYLON_REST_REQUIRE_SHARED();
  const Body b = make_body();
  ASSERT_FALSE(b.signed_weights.empty());
  NodeBody node({b.bare_timestamp, b.signed_weights});
  Harness h(v1_options());

  // Public: no token needed.
  auto ts = h.get(path(kRecordedBlock, 0));
  EXPECT_EQ(ts.status, 200u) << ts.body;
  EXPECT_EQ(ts.content_type, "application/json");
  const ExtrinsicHash ts_hash = [&] {
    ExtrinsicHash x{};
    const auto d = keys::blake2b_256(b.bare_timestamp);
    std::copy(d.begin(), d.end(), x.bytes().begin());
    return x;
  }();
  EXPECT_EQ(ts.body,
            "{\"block_number\":6852690,\"extrinsic_index\":0,\"extrinsic_hash\":\"" + to_hex(ts_hash) +
                "\",\"extrinsic_length\":10,\"address\":null,\"call\":{\"call_module\":\"Timestamp\","
                "\"call_function\":\"set\",\"call_args\":[{\"name\":\"now\",\"type\":\"Moment\","
                "\"value\":1733356800123}]}}");

  auto sw = h.get(path(kRecordedBlock, 1), "Bearer " + kOpen);  // a token changes nothing
  EXPECT_EQ(sw.status, 200u) << sw.body;
  Json j(sw.body);
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(std::string_view(j.root["extrinsic_hash"]), to_hex(b.signed_hash));
  EXPECT_EQ(std::uint64_t(j.root["extrinsic_length"]), b.signed_weights.size() - 2);  // a 2-byte prefix
  EXPECT_EQ(std::string_view(j.root["address"]), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
  EXPECT_EQ(std::string_view(j.root["call"]["call_module"]), "SubtensorModule");
  EXPECT_EQ(std::string_view(j.root["call"]["call_function"]), "set_weights");
  EXPECT_EQ(
      simdjson::to_string(j.root["call"]["call_args"]),
      R"([{"name":"netuid","type":"NetUid","value":1},{"name":"dests","type":"Vec<u16>","value":[0,7]},)"
      R"({"name":"weights","type":"Vec<u16>","value":[65535,3]},{"name":"version_key","type":"u64","value":1009}])");

  auto past = h.get(path(kRecordedBlock, 2));
  EXPECT_EQ(past.status, 404u);
  EXPECT_EQ(past.body, error(404, "Extrinsic 6852690-2 not found."));
  auto unknown = h.get(path(kUnknownBlock, 0));
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.body, error(404, "Block 999999999 not found."));

  // Counted under its template like every route.
  auto metrics = h.get("/metrics");
  EXPECT_NE(metrics.body.find("path=\"/api/v1/block/{block}/extrinsic/{index}\""), std::string::npos);
}

TEST(RestV1Extrinsic, BytesTheMetadataCannotDecodeAre502AndTheServerGoesOn) {
  PYLON_REST_REQUIRE_SHARED();
  const Body b = make_body();
  ASSERT_FALSE(b.bare_timestamp.empty());
  Bytes trailing = b.bare_timestamp;
  trailing[0] += 4;  // the prefix counts one more byte than the call takes
  trailing.push_back(0x07);
  NodeBody node({trailing, b.bare_timestamp});
  Harness h(v1_options());
  auto bad = h.get(path(kRecordedBlock, 0));
  EXPECT_EQ(bad.status, 502u);
  Json j(bad.body);
  ASSERT_TRUE(j.ok);
  EXPECT_EQ(std::uint64_t(j.root["status_code"]), 502u);
  auto good = h.get(path(kRecordedBlock, 1));
  EXPECT_EQ(good.status, 200u);
}

}  // namespace
}  // namespace pylon::rest::test

// Compressed answers (issue 15, "Speed and scale"): the Accept-Encoding negotiation as a table,
// gzip and zstd round trips through the real libraries, a RenderedSnapshot that compresses only in
// prepare(), and the per-snapshot bodies over HTTP on the recorded 1024-neuron finney snapshot:
// each compressed answer decompresses (zlib / libzstd here) to exactly the identity body, HEAD
// gets the same head, small bodies stay identity, and the goal of at most 25% of the identity
// bytes holds for the metagraph.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "rest/accept_encoding.hpp"
#include "rest/compress.hpp"
#include "rest/render.hpp"
#include "rest_test_support.hpp"
#include "v1_test_support.hpp"

namespace pylon::rest::test {
namespace {

namespace bhttp = boost::beast::http;

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);  // gzip wrapper only
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << "not one whole gzip member";
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&z);
  return out;
}

std::string unzstd(const std::string& in) {
  const auto size = ZSTD_getFrameContentSize(in.data(), in.size());
  EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
  EXPECT_NE(size, ZSTD_CONTENTSIZE_UNKNOWN) << "the frame should carry its content size";
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return {};
  std::string out(size, '\0');
  const auto rc = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  EXPECT_FALSE(ZSTD_isError(rc)) << ZSTD_getErrorName(rc);
  out.resize(ZSTD_isError(rc) ? 0 : rc);
  return out;
}

Coding pick(std::string_view header, bool gzip = true, bool zstd = true) {
  return choose_coding(parse_accept_encoding(header), gzip, zstd);
}

TEST(RestCompression, AcceptEncodingNegotiation) {
  struct Case {
    std::string_view header;
    Coding want;
  };
  const Case cases[] = {
      {"", Coding::identity},                            // no header at all is the same
      {"gzip, deflate", Coding::gzip},                   // requests' and httpx's default
      {"gzip, deflate, br, zstd", Coding::zstd},         // browsers, curl --compressed: tie, zstd
      {"gzip;q=1.0, zstd;q=0.5", Coding::gzip},          // the higher weight wins
      {"zstd;q=0, gzip", Coding::gzip},                  // a refused coding is never sent
      {"gzip;q=0", Coding::identity},                    //
      {"gzip;q=0.5", Coding::gzip},                      // identity not named: only the fallback
      {"*", Coding::zstd},                               // any coding
      {"*;q=0", Coding::identity},                       // nothing acceptable: identity, not 406
      {"identity", Coding::identity},                    //
      {"identity;q=0.5, gzip;q=0.4", Coding::identity},  // identity weighed like the others
      {"identity;q=0.5, gzip;q=0.5", Coding::gzip},      // a tie goes to fewer bytes
      {"*;q=0.3, identity;q=0.4", Coding::identity},     // "*" weighs the unnamed ones
      {"identity;q=0, *;q=0.2", Coding::zstd},           //
      {"X-GZIP", Coding::gzip},                          // x-gzip is gzip; names are case-blind
      {"GZip ; Q=0.8", Coding::gzip},                    // OWS around ';'
      {" ,gzip,, zstd;q=0.1 ,", Coding::gzip},           // empty list elements are allowed
      {"gzip, gzip;q=0", Coding::identity},              // named twice: the refusal holds
      {"br, deflate, compress", Coding::identity},       // nothing Pylon sends
      {"gzip;q=0.001", Coding::gzip},                    // three decimals, above 0
      {"gzip;q=0.000", Coding::identity},                //
      {"gzip;q=1.000", Coding::gzip},                    //
      // Malformed: the whole header is ignored and identity sent, never an error.
      {"gzip;q=2", Coding::identity},
      {"gzip;q=1.001", Coding::identity},
      {"gzip;q=0.1234", Coding::identity},
      {"gzip;q=", Coding::identity},
      {"gzip;q=.5", Coding::identity},
      {"gzip;level=1", Coding::identity},
      {"gzip;q=0.5;x=1", Coding::identity},
      {"gzip zstd", Coding::identity},
      {"\"gzip\"", Coding::identity},
      {"gzip;", Coding::identity},
      {"gzip, zst\x01d", Coding::identity},
      {std::string_view("gzip\0", 5), Coding::identity},
  };
  for (const auto& c : cases) EXPECT_EQ(pick(c.header), c.want) << "Accept-Encoding: " << c.header;
  // Only what the body is kept in can be chosen.
  EXPECT_EQ(pick("zstd", true, false), Coding::identity);
  EXPECT_EQ(pick("zstd, gzip;q=0.1", true, false), Coding::gzip);
  EXPECT_EQ(pick("gzip, zstd", false, false), Coding::identity);
  EXPECT_EQ(coding_token(Coding::gzip), "gzip");
  EXPECT_EQ(coding_token(Coding::zstd), "zstd");
}

TEST(RestCompression, BothCodingsRoundTripAndSmallBodiesStayIdentity) {
  std::string text;
  for (int i = 0; i < 4000; ++i)
    text += "{\"uid\":" + std::to_string(i) + ",\"rank\":0." + std::to_string(i * 7) + "}";
  auto gz = gzip_compress(text);
  ASSERT_TRUE(gz.ok()) << gz.error().message;
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1fu);  // the gzip magic (RFC 1952)
  EXPECT_EQ(gunzip(*gz), text);
  auto zs = zstd_compress(text);
  ASSERT_TRUE(zs.ok()) << zs.error().message;
  EXPECT_EQ(unzstd(*zs), text);
  // The frame header (RFC 8878 §3.1.1.1): the checksum flag, and a window HTTP decoders must take.
  ASSERT_GT(zs->size(), 6u);
  const auto descriptor = static_cast<unsigned char>((*zs)[4]);
  EXPECT_TRUE(descriptor & 0x04) << "no content checksum";
  if (!(descriptor & 0x20)) {  // not single-segment: a window descriptor follows
    const auto wd = static_cast<unsigned char>((*zs)[5]);
    const std::uint64_t base = std::uint64_t{1} << (10 + (wd >> 3));
    EXPECT_LE(base + base / 8 * (wd & 7), 8u << 20) << "beyond what HTTP zstd decoders must accept";
  }

  auto both = compress_body(text);
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(gunzip(both->gzip), text);
  EXPECT_EQ(unzstd(both->zstd), text);
  EXPECT_EQ(compress_body(std::string(kMinCompressedSize - 1, 'a')), nullptr);
  // Bytes no coding makes smaller are not kept compressed.
  std::string noise(4096, '\0');
  std::uint32_t x = 12345;
  for (auto& ch : noise) ch = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
  EXPECT_EQ(compress_body(noise), nullptr);
}

TEST(RestCompression, OnlyPrepareCompressesASnapshotsBodies) {
  PYLON_REST_REQUIRE_SHARED();
  RenderedSnapshot r(recorded());
  // A request before prepare() gets identity: it never compresses on the request path.
  Response before = r.response(RenderedSnapshot::Body::metagraph);
  EXPECT_EQ(before.compressed, nullptr);
  EXPECT_FALSE(r.prepared());
  r.prepare();
  ASSERT_TRUE(r.prepared());
  auto z = r.compressed(RenderedSnapshot::Body::metagraph);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(gunzip(z->gzip), *r.metagraph());
  EXPECT_EQ(unzstd(z->zstd), *r.metagraph());
  Response after = r.response(RenderedSnapshot::Body::metagraph);
  EXPECT_EQ(after.compressed, z);
  EXPECT_EQ(after.body, r.metagraph());
  // No stakes in the recording: no v1 neurons body, nothing compressed for it.
  EXPECT_EQ(r.compressed(RenderedSnapshot::Body::v1_neurons), nullptr);
}

struct Answer {
  unsigned status = 0;
  std::string body, encoding, vary, length;
};

// One request with the given Accept-Encoding (nullopt: none sent), on a fresh connection.
Answer fetch(std::uint16_t port, const std::string& target, std::optional<std::string> accept,
             const std::string& auth = "", bhttp::verb method = bhttp::verb::get) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req(method, target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  if (accept) req.set(bhttp::field::accept_encoding, *accept);
  if (!auth.empty()) req.set(bhttp::field::authorization, auth);
  bhttp::write(sock, req);
  boost::beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> p;
  p.body_limit(16 << 20);
  if (method == bhttp::verb::head) p.skip(true);
  bhttp::read(sock, buf, p);
  const auto& m = p.get();
  return {m.result_int(), m.body(), std::string(m[bhttp::field::content_encoding]),
          std::string(m[bhttp::field::vary]), std::string(m[bhttp::field::content_length])};
}

std::shared_ptr<follower::Snapshot> with_stakes() {
  auto s = std::make_shared<follower::Snapshot>(*at_block(*recorded(), kRecordedBlock));
  s->stakes.emplace();
  for (const auto& n : s->neurons)
    s->stakes->push_back({n.uid * 1'000'000'000ull, n.uid * 7ull, n.uid * 1'000'000'007ull});
  s->stakes_unavailable.clear();
  return s;
}

TEST(RestCompression, PerSnapshotBodiesAreServedInTheAskedCoding) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(v1_options(), false, false);
  auto s = with_stakes();
  h.snapshots.publish(s);
  // The bodies are compressed on a worker after the publish; wait for that state.
  ASSERT_TRUE(h.server->wait_prepared(s->block, std::chrono::seconds(30)));

  const std::string v1 = "/api/v1/subnet/1/block/latest";
  struct Path {
    std::string target, auth;
  };
  const Path paths[] = {{"/metagraph", ""},
                        {"/metagraph/" + std::to_string(s->block), ""},
                        {v1 + "/neurons", kOpenAuth},
                        {v1 + "/validators", kOpenAuth},
                        {"/api/v1/subnet/1/block/recent/neurons", kOpenAuth},
                        {"/schema/openapi.json", ""}};
  for (const auto& p : paths) {
    SCOPED_TRACE(p.target);
    const Answer plain = fetch(h.port(), p.target, std::nullopt, p.auth);
    ASSERT_EQ(plain.status, 200u) << plain.body.substr(0, 200);
    EXPECT_EQ(plain.encoding, "") << "a client that asks for nothing gets identity";
    EXPECT_EQ(plain.vary, "Accept-Encoding");
    ASSERT_GT(plain.body.size(), kMinCompressedSize);

    const Answer gz = fetch(h.port(), p.target, "gzip, deflate", p.auth);  // requests / httpx
    ASSERT_EQ(gz.status, 200u);
    EXPECT_EQ(gz.encoding, "gzip");
    EXPECT_EQ(gz.vary, "Accept-Encoding");
    EXPECT_EQ(gunzip(gz.body), plain.body);
    EXPECT_LT(gz.body.size(), plain.body.size());

    const Answer zs = fetch(h.port(), p.target, "gzip, deflate, br, zstd", p.auth);
    ASSERT_EQ(zs.status, 200u);
    EXPECT_EQ(zs.encoding, "zstd");
    EXPECT_EQ(unzstd(zs.body), plain.body);

    const Answer refused = fetch(h.port(), p.target, "gzip;q=0, zstd;q=0", p.auth);
    EXPECT_EQ(refused.encoding, "");
    EXPECT_EQ(refused.body, plain.body);
    const Answer malformed = fetch(h.port(), p.target, "gzip;q=banana", p.auth);
    EXPECT_EQ(malformed.status, 200u) << "a malformed header is never an error";
    EXPECT_EQ(malformed.encoding, "");
    EXPECT_EQ(malformed.body, plain.body);

    // HEAD: the head a GET with the same header gets, no body.
    const Answer head = fetch(h.port(), p.target, "gzip", p.auth, bhttp::verb::head);
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.encoding, "gzip");
    EXPECT_EQ(head.length, std::to_string(gz.body.size()));
    EXPECT_EQ(head.body, "");
  }

  // The goal on the 1024-neuron metagraph: at most 25% of the identity bytes.
  const Answer plain = fetch(h.port(), "/metagraph", std::nullopt);
  const Answer gz = fetch(h.port(), "/metagraph", "gzip");
  const Answer zs = fetch(h.port(), "/metagraph", "zstd");
  EXPECT_LE(gz.body.size() * 4, plain.body.size()) << gz.body.size() << " of " << plain.body.size();
  EXPECT_LE(zs.body.size() * 4, plain.body.size()) << zs.body.size() << " of " << plain.body.size();

  // Small or per-request bodies stay identity, without Vary.
  for (const std::string target : {"/latest_block", "/epoch", "/metrics"}) {
    SCOPED_TRACE(target);
    const Answer a = fetch(h.port(), target, "gzip, zstd");
    EXPECT_EQ(a.encoding, "");
    EXPECT_EQ(a.vary, "");
  }
}

TEST(RestCompression, SeveralAcceptEncodingLinesAreOneList) {
  PYLON_REST_REQUIRE_SHARED();
  Harness h(loopback_options(), false);
  ASSERT_TRUE(h.server->wait_prepared(kRecordedBlock, std::chrono::seconds(30)));
  HttpClient c(h.port());
  c.send_raw(
      "GET /metagraph HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip;q=0.2\r\n"
      "Accept-Encoding: zstd;q=0.1\r\n\r\n");
  boost::beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> p;
  p.body_limit(16 << 20);
  bhttp::read(c.socket(), buf, p);
  EXPECT_EQ(p.get()[bhttp::field::content_encoding], "gzip");
}

}  // namespace
}  // namespace pylon::rest::test

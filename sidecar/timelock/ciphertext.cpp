#include "timelock/ciphertext.hpp"

#include <blst.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "timelock/errors.hpp"

namespace pylon::timelock {

namespace {

constexpr std::string_view kSuite = "AES_GCM_";

Error malformed(std::string what, std::size_t offset) {
  return make_error(TimelockErrc::malformed, "ciphertext: " + what + " at byte " + std::to_string(offset));
}

// Reads one ark-serialize frame after another; every length is checked against what is left.
class Reader {
 public:
  Reader(ByteSpan bytes, std::size_t base) : bytes_(bytes), base_(base) {}

  Result<ByteSpan> take(std::size_t n, const char* what) {
    if (n > bytes_.size() - pos_)
      return malformed(std::string(what) + " needs " + std::to_string(n) + " bytes, " +
                           std::to_string(bytes_.size() - pos_) + " left",
                       offset());
    ByteSpan out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // An ark Vec<u8>: u64 little-endian length, then the bytes.
  Result<ByteSpan> vec(const char* what) {
    const std::size_t at = offset();
    PYLON_ASSIGN(ByteSpan len_bytes, take(8, what));
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | len_bytes[static_cast<std::size_t>(i)];
    if (len > bytes_.size() - pos_)
      return malformed(std::string(what) + " claims " + std::to_string(len) + " bytes, " +
                           std::to_string(bytes_.size() - pos_) + " left",
                       at);
    return take(static_cast<std::size_t>(len), what);
  }
  template <std::size_t N>
  Result<std::array<std::uint8_t, N>> fixed_vec(const char* what) {
    const std::size_t at = offset();
    PYLON_ASSIGN(ByteSpan b, vec(what));
    if (b.size() != N)
      return malformed(
          std::string(what) + " is " + std::to_string(b.size()) + " bytes, not " + std::to_string(N), at);
    std::array<std::uint8_t, N> out;
    std::copy(b.begin(), b.end(), out.begin());
    return out;
  }
  std::size_t offset() const { return base_ + pos_; }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  ByteSpan bytes_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

void put_vec(Bytes& out, ByteSpan b) {
  std::uint64_t n = b.size();
  for (int i = 0; i < 8; ++i, n >>= 8) out.push_back(static_cast<std::uint8_t>(n & 0xff));
  out.insert(out.end(), b.begin(), b.end());
}

}  // namespace

Result<Ciphertext> parse_ciphertext(ByteSpan bytes) {
  Ciphertext c;
  Reader r(bytes, 0);
  PYLON_ASSIGN(ByteSpan u, r.take(kG2Bytes, "U"));
  std::copy(u.begin(), u.end(), c.u.begin());
  blst_p2_affine point;
  if (blst_p2_uncompress(&point, c.u.data()) != BLST_SUCCESS)
    return malformed("U is not a compressed point of the G2 curve", 0);
  if (!blst_p2_affine_in_g2(&point)) return malformed("U is not in G2's prime-order subgroup", 0);
  PYLON_ASSIGN(c.v, r.fixed_vec<32>("V"));
  PYLON_ASSIGN(c.w, r.fixed_vec<32>("W"));
  const std::size_t body_at = r.offset() + 8;
  PYLON_ASSIGN(ByteSpan body, r.vec("AES body"));
  const std::size_t suite_at = r.offset();
  PYLON_ASSIGN(ByteSpan suite, r.vec("cipher suite"));
  if (!std::equal(suite.begin(), suite.end(), kSuite.begin(), kSuite.end()))
    return malformed("cipher suite is not AES_GCM_", suite_at);
  if (r.left() != 0) return malformed(std::to_string(r.left()) + " bytes after the ciphertext", r.offset());

  Reader b(body, body_at);
  const std::size_t sealed_at = b.offset();
  PYLON_ASSIGN(ByteSpan sealed, b.vec("AES ciphertext"));
  if (sealed.size() < kTagBytes)
    return malformed("AES ciphertext is shorter than its 16-byte tag", sealed_at);
  c.sealed.assign(sealed.begin(), sealed.end());
  PYLON_ASSIGN(c.nonce, b.fixed_vec<kNonceBytes>("nonce"));
  if (b.left() != 0) return malformed(std::to_string(b.left()) + " bytes after the AES body", b.offset());
  return c;
}

Bytes serialize_ciphertext(const Ciphertext& c) {
  Bytes body;
  body.reserve(8 + c.sealed.size() + 8 + kNonceBytes);
  put_vec(body, c.sealed);
  put_vec(body, c.nonce);
  Bytes out;
  out.reserve(c.sealed.size() + kOverheadBytes);
  out.insert(out.end(), c.u.begin(), c.u.end());
  put_vec(out, c.v);
  put_vec(out, c.w);
  put_vec(out, body);
  put_vec(out, ByteSpan(reinterpret_cast<const std::uint8_t*>(kSuite.data()), kSuite.size()));
  return out;
}

}  // namespace pylon::timelock

// SCALE encoding into a byte vector.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "codec/scale_reader.hpp"
#include "common/hex.hpp"

namespace pylon::codec {

class ScaleWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  template <class T>
  void fixed_le(T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
      out_.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
  }
  void u128_le(u128 v) {
    for (int i = 0; i < 16; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void boolean(bool v) { out_.push_back(v ? 1 : 0); }
  void compact(u128 v);
  void bytes(ByteSpan b) {
    // resize + memcpy rather than insert: g++ 12 -O2 flags a false stringop-overflow on insert.
    if (b.empty()) return;
    const std::size_t n = out_.size();
    out_.resize(n + b.size());
    std::memcpy(out_.data() + n, b.data(), b.size());
  }
  void byte_vec(ByteSpan b) {
    compact(b.size());
    bytes(b);
  }
  void string(std::string_view s) {
    byte_vec(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  }

  Bytes& out() { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

}  // namespace pylon::codec

// Bounds-checked reading of SCALE-encoded bytes. Every read checks the remaining length before
// touching memory, and a length prefix larger than what remains fails before any allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"

namespace pylon::codec {

// Unsigned 128-bit value for Compact<u128> and u128 fields.
using u128 = unsigned __int128;

class ScaleReader {
 public:
  explicit ScaleReader(ByteSpan data) : data_(data) {}

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  ByteSpan whole() const { return data_; }
  const std::uint8_t* cursor() const { return data_.data() + pos_; }

  Result<std::uint8_t> u8() {
    if (remaining() < 1) return short_read(1);
    return data_[pos_++];
  }
  template <class T>
  Result<T> fixed_le() {  // u16/u32/u64 and their signed twins, little-endian
    if (remaining() < sizeof(T)) return short_read(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));  // x86-64 and aarch64 are little-endian
    pos_ += sizeof(T);
    return v;
  }
  Result<u128> u128_le();
  Result<bool> boolean();
  // Compact<T> of any width up to u128; rejects non-canonical big-integer mode lengths > 16 bytes.
  Result<u128> compact();
  // Compact used as a length/count: must fit size_t, and `min_elem_size * n` must fit in what
  // remains (checked before the caller allocates).
  Result<std::size_t> length(std::size_t min_elem_size);
  Result<ByteSpan> bytes(std::size_t n);
  Result<ByteSpan> byte_vec();   // Compact length + bytes
  Result<std::string> string();  // Compact length + UTF-8 bytes
  Status skip(std::size_t n);

  // An error tagged with the current offset.
  Error error(std::string_view what) const;
  // An error when bytes remain after `what`, which was to be the whole input ("N bytes left after what").
  Status expect_end(std::string_view what) const;

 private:
  Error short_read(std::size_t need) const;
  ByteSpan data_;
  std::size_t pos_ = 0;
};

}  // namespace pylon::codec

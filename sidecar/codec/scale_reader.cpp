#include "codec/scale_reader.hpp"

#include <algorithm>

namespace pylon::codec {

Error ScaleReader::error(std::string_view what) const {
  return make_error("at byte " + std::to_string(pos_) + ": " + std::string(what));
}

Status ScaleReader::expect_end(std::string_view what) const {
  if (at_end()) return {};
  return error(std::to_string(remaining()) + " bytes left after " + std::string(what));
}

Error ScaleReader::short_read(std::size_t need) const {
  return make_error("at byte " + std::to_string(pos_) + ": need " + std::to_string(need) + " bytes, " +
                    std::to_string(remaining()) + " remain");
}

Result<u128> ScaleReader::u128_le() {
  if (remaining() < 16) return short_read(16);
  u128 v = 0;
  for (int i = 15; i >= 0; --i) v = v << 8 | data_[pos_ + static_cast<std::size_t>(i)];
  pos_ += 16;
  return v;
}

Result<bool> ScaleReader::boolean() {
  if (remaining() < 1) return short_read(1);
  const std::uint8_t b = data_[pos_];
  if (b > 1) return error("bool byte is 0x" + to_hex(ByteSpan(&data_[pos_], 1)).substr(2) + ", not 0 or 1");
  ++pos_;
  return b == 1;
}

Result<u128> ScaleReader::compact() {
  if (remaining() < 1) return short_read(1);
  const std::uint8_t b0 = data_[pos_];
  switch (b0 & 3) {
    case 0:
      ++pos_;
      return static_cast<u128>(b0 >> 2u);
    case 1: {
      if (remaining() < 2) return short_read(2);
      const std::uint32_t v = (b0 | std::uint32_t{data_[pos_ + 1]} << 8) >> 2;
      pos_ += 2;
      return static_cast<u128>(v);
    }
    case 2: {
      if (remaining() < 4) return short_read(4);
      std::uint32_t v;
      std::memcpy(&v, data_.data() + pos_, 4);
      pos_ += 4;
      return static_cast<u128>(v >> 2);
    }
    default: {
      const std::size_t n = (b0 >> 2u) + 4u;
      if (n > 16) return error("compact integer of " + std::to_string(n) + " bytes exceeds 128 bits");
      if (remaining() < 1 + n) return short_read(1 + n);
      u128 v = 0;
      for (std::size_t i = n; i > 0; --i) v = v << 8 | data_[pos_ + i];
      pos_ += 1 + n;
      return v;
    }
  }
}

Result<std::size_t> ScaleReader::length(std::size_t min_elem_size) {
  const std::size_t at = pos_;
  PYLON_ASSIGN(u128 n, compact());
  const std::size_t elem = min_elem_size == 0 ? 0 : min_elem_size;
  // Each element takes at least `elem` bytes; zero-sized elements are bounded by remaining()+1 so a
  // huge count of empty elements cannot run us out of memory either.
  const u128 limit = elem == 0 ? u128{remaining()} + 1 : u128{remaining() / elem};
  if (n > limit) {
    const std::size_t left = remaining();  // after the length prefix
    pos_ = at;                             // the error points at the prefix
    const unsigned long long shown = n > u128{~0ull} ? ~0ull : static_cast<unsigned long long>(n);
    return error("length " + std::to_string(shown) + " x >= " + std::to_string(std::max<std::size_t>(elem, 1)) +
                 " bytes per element exceeds the " + std::to_string(left) + " bytes that remain");
  }
  return static_cast<std::size_t>(n);
}

Result<ByteSpan> ScaleReader::bytes(std::size_t n) {
  if (remaining() < n) return short_read(n);
  ByteSpan s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Result<ByteSpan> ScaleReader::byte_vec() {
  PYLON_ASSIGN(std::size_t n, length(1));
  return bytes(n);
}

Result<std::string> ScaleReader::string() {
  PYLON_ASSIGN(ByteSpan s, byte_vec());
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

Status ScaleReader::skip(std::size_t n) {
  if (remaining() < n) return short_read(n);
  pos_ += n;
  return {};
}

}  // namespace pylon::codec

// The 32-byte identifiers of the chain, each its own type: a block hash, an account (an
// AccountId32, the public key of a hotkey or coldkey) and an extrinsic hash share a
// representation but never a meaning, so passing one where another is expected does not compile.
// Built only explicitly (from the 32 bytes, or with from_span); read as bytes (`bytes()`, or any
// function taking a ByteSpan), compared, ordered, hashed for unordered containers, printed as hex.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include "common/hex.hpp"

namespace pylon {

template <class Tag>
class Id32 {
 public:
  using Array = std::array<std::uint8_t, 32>;
  static constexpr std::size_t kSize = 32;

  constexpr Id32() = default;  // all zeros
  constexpr explicit Id32(const Array& bytes) : bytes_(bytes) {}

  // Exactly 32 bytes, or nothing.
  static std::optional<Id32> from_span(ByteSpan bytes) {
    if (bytes.size() != kSize) return std::nullopt;
    Id32 id;
    std::copy(bytes.begin(), bytes.end(), id.bytes_.begin());
    return id;
  }

  constexpr const Array& bytes() const noexcept { return bytes_; }
  constexpr Array& bytes() noexcept { return bytes_; }
  constexpr const std::uint8_t* data() const noexcept { return bytes_.data(); }
  constexpr std::uint8_t* data() noexcept { return bytes_.data(); }
  static constexpr std::size_t size() noexcept { return kSize; }
  constexpr std::uint8_t operator[](std::size_t i) const noexcept { return bytes_[i]; }
  constexpr std::uint8_t& operator[](std::size_t i) noexcept { return bytes_[i]; }
  // A contiguous range of bytes: converts to ByteSpan, works with std::copy and range-for.
  constexpr const std::uint8_t* begin() const noexcept { return bytes_.data(); }
  constexpr const std::uint8_t* end() const noexcept { return bytes_.data() + kSize; }
  constexpr std::uint8_t* begin() noexcept { return bytes_.data(); }
  constexpr std::uint8_t* end() noexcept { return bytes_.data() + kSize; }

  // "0x"-prefixed lowercase hex, as the chain's JSON-RPC writes it.
  std::string hex() const { return to_hex(ByteSpan(bytes_)); }

  friend constexpr bool operator==(const Id32&, const Id32&) = default;
  friend constexpr auto operator<=>(const Id32&, const Id32&) = default;

 private:
  Array bytes_{};
};

struct BlockHashTag;
struct AccountIdTag;
struct ExtrinsicHashTag;

using BlockHash = Id32<BlockHashTag>;          // a block's hash (the genesis hash is one too)
using AccountId = Id32<AccountIdTag>;          // an AccountId32: a hotkey's or coldkey's public key
using ExtrinsicHash = Id32<ExtrinsicHashTag>;  // blake2-256 of a signed extrinsic's bytes

}  // namespace pylon

// Hashes and accounts are uniform bytes: their first eight are already a good hash.
template <class Tag>
struct std::hash<pylon::Id32<Tag>> {
  std::size_t operator()(const pylon::Id32<Tag>& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.data(), sizeof h);
    return h;
  }
};

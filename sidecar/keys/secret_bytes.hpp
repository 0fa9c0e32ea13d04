// Holder for secret key material: fixed size, move-only, wiped with sodium_memzero when it dies
// or is moved from, and never printable (no operator<<, no to_hex overload).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace pylon::keys {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);
  SecretBytes(const std::uint8_t* data, std::size_t size);
  explicit SecretBytes(std::span<const std::uint8_t> data) : SecretBytes(data.data(), data.size()) {}
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit deep copy, so that copies of secrets are visible in the code.
  SecretBytes clone() const { return SecretBytes(data_, size_); }

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }
  std::span<std::uint8_t> mutable_span() { return {data_, size_}; }
  std::uint8_t& operator[](std::size_t i) { return data_[i]; }
  std::uint8_t operator[](std::size_t i) const { return data_[i]; }

  // Constant-time comparison (sodium_memcmp); false when sizes differ.
  bool equals(std::span<const std::uint8_t> other) const;

 private:
  void wipe() noexcept;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// A secret text (password, mnemonic) wiped on destruction. std::string may keep copies in its
// small-string buffer after reallocation, so secrets are built once at their final size.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string_view text)
      : bytes_(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()) {}
  std::string_view view() const { return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()}; }
  bool empty() const { return bytes_.empty(); }
  std::size_t size() const { return bytes_.size(); }

 private:
  SecretBytes bytes_;
};

}  // namespace pylon::keys

#include "keys/bip39.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "keys/sodium_init.hpp"

namespace pylon::keys {

namespace {

// The 2048 English words, generated at configure time from bip39_english.txt (sorted).
constexpr std::array<std::string_view, 2048> kWords = {
#include "bip39_english.inc"
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string word_pos(std::size_t i) {
  return "word " + std::to_string(i + 1);
}

}  // namespace

int bip39_word_index(std::string_view word) {
  const auto it = std::lower_bound(kWords.begin(), kWords.end(), word);
  if (it == kWords.end() || *it != word) return -1;
  return static_cast<int>(it - kWords.begin());
}

namespace {

// Word indices spell the mnemonic: kept in a fixed array wiped with sodium_memzero on every way
// out, errors included (std::fill before a vector dies is a dead store the optimiser may drop).
struct WordIndices {
  std::array<int, 24> v{};
  std::size_t n = 0;
  WordIndices() = default;
  WordIndices(const WordIndices&) = delete;
  WordIndices& operator=(const WordIndices&) = delete;
  ~WordIndices() { sodium_memzero(v.data(), sizeof v); }
  std::size_t size() const { return n; }
  void push_back(int i) { v[n++] = i; }
  int operator[](std::size_t i) const { return v[i]; }
};

}  // namespace

Result<SecretBytes> mnemonic_to_entropy(std::string_view phrase) {
  // Split on whitespace without copying words into growable strings.
  WordIndices indices;
  std::size_t i = 0;
  while (i < phrase.size()) {
    while (i < phrase.size() && is_space(phrase[i])) ++i;
    if (i == phrase.size()) break;
    std::size_t j = i;
    while (j < phrase.size() && !is_space(phrase[j])) ++j;
    if (indices.size() == 24) return Error{"bip39: mnemonic has more than 24 words"};
    const int idx = bip39_word_index(phrase.substr(i, j - i));
    if (idx < 0)
      return Error{"bip39: " + word_pos(indices.size()) + " of the mnemonic is not in the English word list"};
    indices.push_back(idx);
    i = j;
  }
  const std::size_t n = indices.size();
  if (n < 12 || n > 24 || n % 3 != 0) {
    return Error{"bip39: mnemonic must have 12, 15, 18, 21 or 24 words, got " + std::to_string(n)};
  }
  // n words * 11 bits = entropy bits + checksum bits, with checksum = entropy bits / 32.
  const std::size_t total_bits = n * 11;
  const std::size_t checksum_bits = total_bits / 33;
  const std::size_t entropy_bytes = (total_bits - checksum_bits) / 8;
  std::array<std::uint8_t, 33> bits{};  // up to 264 bits
  for (std::size_t w = 0; w < n; ++w) {
    for (int b = 0; b < 11; ++b) {
      if (indices[w] & (1 << (10 - b))) {
        const std::size_t pos = w * 11 + static_cast<std::size_t>(b);
        bits[pos / 8] |= static_cast<std::uint8_t>(0x80 >> (pos % 8));
      }
    }
  }
  SecretBytes entropy(bits.data(), entropy_bytes);
  std::uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, entropy.data(), entropy.size());
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - checksum_bits));
  const bool ok = (bits[entropy_bytes] & mask) == (hash[0] & mask);
  sodium_memzero(bits.data(), bits.size());
  sodium_memzero(hash, sizeof hash);
  if (!ok) return Error{"bip39: mnemonic checksum does not match (a word is wrong or out of order)"};
  return entropy;
}

Result<SecretString> entropy_to_mnemonic(ByteSpan entropy) {
  const std::size_t len = entropy.size();
  if (len < 16 || len > 32 || len % 4 != 0) {
    return Error{"bip39: entropy must be 16..32 bytes in steps of 4, got " + std::to_string(len)};
  }
  std::array<std::uint8_t, 33> bits{};
  std::copy(entropy.begin(), entropy.end(), bits.begin());
  std::uint8_t hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, entropy.data(), len);
  bits[len] = hash[0];  // only the first len*8/32 bits of it are used
  const std::size_t words = (len * 8 + len / 4) / 11;
  std::size_t text_len = words - 1;
  WordIndices idx;
  idx.n = words;
  for (std::size_t w = 0; w < words; ++w) {
    int v = 0;
    for (int b = 0; b < 11; ++b) {
      const std::size_t pos = w * 11 + static_cast<std::size_t>(b);
      v = (v << 1) | ((bits[pos / 8] >> (7 - pos % 8)) & 1);
    }
    idx.v[w] = v;
    text_len += kWords[static_cast<std::size_t>(v)].size();
  }
  // Build the phrase once at its final size inside secret storage.
  SecretBytes text(text_len);
  std::size_t at = 0;
  for (std::size_t w = 0; w < words; ++w) {
    if (w) text[at++] = ' ';
    const auto word = kWords[static_cast<std::size_t>(idx[w])];
    std::copy(word.begin(), word.end(), text.data() + at);
    at += word.size();
  }
  sodium_memzero(bits.data(), bits.size());
  sodium_memzero(hash, sizeof hash);
  return SecretString(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

Result<SecretString> generate_mnemonic(unsigned words) {
  if (words < 12 || words > 24 || words % 3 != 0) {
    return Error{"bip39: word count must be 12, 15, 18, 21 or 24, got " + std::to_string(words)};
  }
  ensure_sodium();
  SecretBytes entropy(words / 3 * 4);
  randombytes_buf(entropy.data(), entropy.size());
  return entropy_to_mnemonic(entropy.span());
}

Result<SecretBytes> mini_secret_from_entropy(ByteSpan entropy, std::string_view password) {
  const std::size_t len = entropy.size();
  if (len < 16 || len > 32 || len % 4 != 0) {
    return Error{"bip39: entropy must be 16..32 bytes in steps of 4, got " + std::to_string(len)};
  }
  SecretBytes salt(8 + password.size());
  std::copy_n("mnemonic", 8, salt.data());
  std::copy(password.begin(), password.end(), salt.data() + 8);
  SecretBytes seed(64);
  const int ok =
      PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(entropy.data()), static_cast<int>(len), salt.data(),
                        static_cast<int>(salt.size()), 2048, EVP_sha512(), 64, seed.data());
  if (ok != 1) return Error{"bip39: PBKDF2-HMAC-SHA512 failed"};
  return SecretBytes(seed.data(), 32);
}

Result<SecretBytes> mini_secret_from_mnemonic(std::string_view phrase, std::string_view password) {
  PYLON_ASSIGN(SecretBytes entropy, mnemonic_to_entropy(phrase));
  return mini_secret_from_entropy(entropy.span(), password);
}

}  // namespace pylon::keys

// BIP39 mnemonics the way Substrate (substrate-bip39) turns them into sr25519 mini secrets:
// PBKDF2-HMAC-SHA512 over the mnemonic's ENTROPY (not its text), salt "mnemonic" + password,
// 2048 rounds, first 32 bytes. Only the English word list is supported.
#pragma once

#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

// 12, 15, 18, 21 or 24 English words separated by whitespace, with a valid checksum.
// Errors never repeat the phrase (it is secret); they name the word position instead.
Result<SecretBytes> mnemonic_to_entropy(std::string_view phrase);

// Entropy of 16, 20, 24, 28 or 32 bytes to its mnemonic (words joined by single spaces).
Result<SecretString> entropy_to_mnemonic(ByteSpan entropy);

// A new random mnemonic with `words` words (12..24, multiple of 3) from libsodium's CSPRNG.
Result<SecretString> generate_mnemonic(unsigned words = 12);

// substrate-bip39 mini_secret_from_entropy applied to the mnemonic's entropy (32 bytes).
Result<SecretBytes> mini_secret_from_mnemonic(std::string_view phrase, std::string_view password = {});
// Same from raw entropy (16..32 bytes, multiple of 4).
Result<SecretBytes> mini_secret_from_entropy(ByteSpan entropy, std::string_view password = {});

// Position of `word` in the English list, or -1.
int bip39_word_index(std::string_view word);

}  // namespace pylon::keys

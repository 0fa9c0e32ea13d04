// Bittensor's encrypted keyfile format ("$NACL"): the prefix, then a libsodium secretbox
// (24-byte nonce || XSalsa20-Poly1305 MAC and ciphertext) under a key from Argon2i
// (crypto_pwhash ALG_ARGON2I13, opslimit 8, memlimit 512 MiB, fixed salt). Deriving the key takes
// ~512 MiB of memory and seconds, by design.
#pragma once

#include <string_view>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/secret_bytes.hpp"

namespace pylon::keys {

inline constexpr std::string_view kNaclPrefix = "$NACL";

bool is_nacl_encrypted(ByteSpan file);

// Decrypts a $NACL file to its plaintext (the keyfile JSON). A wrong password and a damaged
// file cannot be told apart (the MAC fails): the error says so.
Result<SecretBytes> nacl_decrypt(ByteSpan file, std::string_view password);

// Encrypts plaintext with a fresh random nonce; the result starts with "$NACL".
Result<Bytes> nacl_encrypt(ByteSpan plaintext, std::string_view password);

// Recognises the other (legacy) formats Bittensor has used, to name them in errors.
std::string_view describe_unsupported_encryption(ByteSpan file);

}  // namespace pylon::keys

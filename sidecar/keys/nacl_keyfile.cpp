#include "keys/nacl_keyfile.hpp"

#include <sodium.h>

#include <cstring>

#include "keys/sodium_init.hpp"

namespace pylon::keys {

namespace {

// bittensor-wallet's NACL_SALT.
constexpr std::uint8_t kSalt[crypto_pwhash_SALTBYTES] = {0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc,
                                                         0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1};
constexpr unsigned long long kOpsLimit = 8;                        // crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE
constexpr std::size_t kMemLimit = std::size_t{512} * 1024 * 1024;  // crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE

Result<SecretBytes> derive_key(std::string_view password) {
  if (!ensure_sodium()) return Error{"coldkey: libsodium failed to initialise"};
  SecretBytes key(crypto_secretbox_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), password.data(), password.size(), kSalt, kOpsLimit, kMemLimit,
                    crypto_pwhash_ALG_ARGON2I13) != 0) {
    return Error{"coldkey: Argon2i key derivation failed (it needs 512 MiB of memory)"};
  }
  return key;
}

}  // namespace

bool is_nacl_encrypted(ByteSpan file) {
  return file.size() >= kNaclPrefix.size() &&
         std::memcmp(file.data(), kNaclPrefix.data(), kNaclPrefix.size()) == 0;
}

std::string_view describe_unsupported_encryption(ByteSpan file) {
  auto starts = [&](std::string_view p) {
    return file.size() >= p.size() && std::memcmp(file.data(), p.data(), p.size()) == 0;
  };
  if (starts("$ANSIBLE_VAULT")) return "a legacy Ansible-vault encrypted keyfile";
  if (starts("gAAAAA")) return "a legacy Fernet encrypted keyfile";
  return {};
}

Result<SecretBytes> nacl_decrypt(ByteSpan file, std::string_view password) {
  if (!is_nacl_encrypted(file)) return Error{"coldkey: not a $NACL encrypted keyfile"};
  const ByteSpan box = file.subspan(kNaclPrefix.size());
  if (box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Error{"coldkey: encrypted keyfile is truncated"};
  }
  PYLON_ASSIGN(SecretBytes key, derive_key(password));
  const std::uint8_t* nonce = box.data();
  const std::uint8_t* cipher = box.data() + crypto_secretbox_NONCEBYTES;
  const std::size_t cipher_len = box.size() - crypto_secretbox_NONCEBYTES;
  SecretBytes plain(cipher_len - crypto_secretbox_MACBYTES);
  if (crypto_secretbox_open_easy(plain.data(), cipher, cipher_len, nonce, key.data()) != 0) {
    return Error{"coldkey: wrong password, or the encrypted keyfile is damaged"};
  }
  return plain;
}

Result<Bytes> nacl_encrypt(ByteSpan plaintext, std::string_view password) {
  PYLON_ASSIGN(SecretBytes key, derive_key(password));
  Bytes out(kNaclPrefix.size() + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  std::memcpy(out.data(), kNaclPrefix.data(), kNaclPrefix.size());
  std::uint8_t* nonce = out.data() + kNaclPrefix.size();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, plaintext.data(), plaintext.size(), nonce,
                        key.data());
  return out;
}

}  // namespace pylon::keys

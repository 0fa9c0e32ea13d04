// Fuzzes the keyfile JSON parser and the checks behind it, and the recognition of encrypted
// formats ($NACL framing, legacy formats): any input gives a keypair or an error, never a crash,
// leak or sanitizer report. A $NACL box's plaintext is authenticated by its MAC before it reaches
// the JSON parser, so decryption itself (Argon2i, 512 MiB per try) is not fuzzed; its framing is,
// up to the point where the key would be derived.
#include <cstddef>
#include <cstdint>

#include "keys/keyfile.hpp"
#include "keys/nacl_keyfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const pylon::ByteSpan file(data, size);
  (void)pylon::keys::describe_unsupported_encryption(file);
  // Boxes shorter than nonce + MAC are refused before the key derivation; longer ones would
  // spend seconds in Argon2i per input.
  if (pylon::keys::is_nacl_encrypted(file) && size < 5 + 24 + 16) (void)pylon::keys::nacl_decrypt(file, "pw");
  auto contents = pylon::keys::parse_keyfile_json(file);
  if (contents.ok()) {
    (void)pylon::keys::keyfile_public_info(*contents);
    (void)pylon::keys::keyfile_keypair(*contents);
  }
  return 0;
}

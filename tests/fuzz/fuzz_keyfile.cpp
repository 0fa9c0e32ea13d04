// Fuzzes the keyfile JSON parser and the checks behind it: any input gives a keypair or an
// error, never a crash, leak or sanitizer report.
#include <cstddef>
#include <cstdint>

#include "keys/keyfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto contents = pylon::keys::parse_keyfile_json(pylon::ByteSpan(data, size));
  if (contents.ok()) {
    (void)pylon::keys::keyfile_public_info(*contents);
    (void)pylon::keys::keyfile_keypair(*contents);
  }
  return 0;
}

// Fuzzes the tle ciphertext decoder and decryption with a fixed signature (quicknet's round
// 1000): a parsed ciphertext must serialise back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "timelock/timelock.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const pylon::Bytes sig = *pylon::from_hex(
      "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39");
  const pylon::ByteSpan bytes(data, size);
  auto parsed = pylon::timelock::parse_ciphertext(bytes);
  if (parsed.ok() &&
      pylon::timelock::serialize_ciphertext(*parsed) != pylon::Bytes(bytes.begin(), bytes.end()))
    std::abort();
  auto plain = pylon::timelock::decrypt(sig, bytes);
  if (plain.ok() && !parsed.ok()) std::abort();  // nothing opens that does not parse
  return 0;
}

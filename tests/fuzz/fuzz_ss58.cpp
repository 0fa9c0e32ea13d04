// Fuzzes SS58 (and base58) decoding; a decoded address must re-encode to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keys/ss58.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = pylon::keys::ss58_decode(text);
  if (decoded.ok()) {
    auto again = pylon::keys::ss58_encode(decoded->payload, decoded->prefix);
    if (!again.ok() || *again != text) std::abort();
  }
  return 0;
}

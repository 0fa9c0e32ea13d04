// Fuzzes SS58 (and base58) decoding; a decoded address must re-encode to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/ss58.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = pylon::codec::ss58_decode_payload(text);
  if (decoded.ok()) {
    auto again = pylon::codec::ss58_encode_payload(decoded->payload, decoded->prefix);
    if (!again.ok() || *again != text) std::abort();
    // The account form agrees with the payload form on every 32-byte address.
    auto account = pylon::codec::ss58_decode(text);
    if (account.ok() != (decoded->payload.size() == 32)) std::abort();
    if (account.ok() && pylon::codec::ss58_encode(account->account, account->prefix) != text) std::abort();
  }
  return 0;
}

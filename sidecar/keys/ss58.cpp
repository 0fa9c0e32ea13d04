#include "keys/ss58.hpp"

#include <algorithm>

#include "codec/ss58.hpp"

// The SS58 format itself lives in the codec (codec/ss58.hpp); these keep the keys module's names.
namespace pylon::keys {

Result<std::string> ss58_encode(ByteSpan payload, std::uint16_t prefix) {
  return codec::ss58_encode_payload(payload, prefix);
}

Result<std::string> ss58_encode_account(const PublicKey& account, std::uint16_t prefix) {
  return codec::ss58_encode_payload(ByteSpan(account.data(), account.size()), prefix);
}

Result<Ss58Address> ss58_decode(std::string_view address) {
  PYLON_ASSIGN(codec::Ss58Payload p, codec::ss58_decode_payload(address));
  return Ss58Address{p.prefix, std::move(p.payload)};
}

Result<PublicKey> ss58_decode_account(std::string_view address, int expected_prefix) {
  PYLON_ASSIGN(codec::Ss58Decoded d, codec::ss58_decode(address));
  if (expected_prefix >= 0 && d.prefix != expected_prefix)
    return make_error("ss58: address prefix " + std::to_string(d.prefix) + " differs from the expected " +
                      std::to_string(expected_prefix));
  return d.account;
}

}  // namespace pylon::keys

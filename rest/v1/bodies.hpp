// Request bodies of the v1 writes, validated as the 2.x service does (pylon-v1.md §4): every
// failure becomes a FieldError with the service's key and message texts, unknown fields are
// ignored, numeric strings are numbers.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/hex.hpp"
#include "common/ids.hpp"
#include "rest/v1/errors.hpp"

namespace pylon::rest::v1 {

struct WeightsBody {
  // Entries with an SS58 hotkey, as sent (a later duplicate key wins, as in a Python dict).
  std::vector<std::pair<AccountId, double>> weights;
  std::size_t count = 0;  // every entry of the request, hotkeys that are not SS58 included
};
// PUT .../weights: {"weights": {hotkey: number}}. A hotkey that is not an SS58 address is counted
// and dropped (the 2.x service drops unknown hotkeys at commit time); a negative or non-finite
// weight is refused (Pylon's weight rule, weights/weight_value.hpp).
std::variant<WeightsBody, std::vector<FieldError>> decode_weights(std::string_view body);

// POST .../commitments: {"commitment": "<hex>"}, read as the 2.x service's CommitmentDataBytes: a
// leading lowercase "0x" is dropped, the rest is Python's bytes.fromhex (two hex digits per byte,
// either case, ASCII whitespace allowed before each pair); at least one byte.
std::variant<Bytes, std::vector<FieldError>> decode_commitment(std::string_view body);
// POST .../certificates/self: {"algorithm": 1}, the only algorithm (Ed25519) the 2.x service
// generates; an absent algorithm is 1 (its default). Anything else, "1" and booleans included, is
// refused with the service's text (its validator compares the raw value with the int 1 before any
// coercion).
enum class CertificateAlgorithm : std::uint8_t { ed25519 = 1 };
std::variant<CertificateAlgorithm, std::vector<FieldError>> decode_certificate_request(std::string_view body);

// POST .../commitments/revealed: {"commitment": str, "blocks_until_reveal": int}, both required
// (pydantic's texts). blocks_until_reveal is read as pydantic reads an int in lax mode: an
// integer, a float without a fraction or a string of decimal digits; a boolean is refused. Pylon's
// choice: below 0 is refused here (the 2.x service would fail in the encryption, u64 there, and
// answer 502 after its retries), as is a value whose reveal would be past 2^63 seconds.
struct RevealedCommitmentBody {
  std::string commitment;
  std::uint64_t blocks_until_reveal = 0;
};
std::variant<RevealedCommitmentBody, std::vector<FieldError>> decode_revealed_commitment(
    std::string_view body);

// POST /login/identity/{identity}: {"token": str}.
std::variant<std::string, std::vector<FieldError>> decode_login(std::string_view body);

}  // namespace pylon::rest::v1

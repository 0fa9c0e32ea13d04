// Hierarchical key derivation as Substrate does it for sr25519: junctions (`//hard`, `/soft`)
// with chain codes from sp-core's DeriveJunction, schnorrkel's "SchnorrRistrettoHDKD"
// transcripts, and secret URIs (`phrase//hard/soft///password`, `0x<seed>//x`, `//Alice`).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "keys/sr25519.hpp"

namespace pylon::keys {

// Substrate's well-known development mnemonic, used when a URI has no phrase (`//Alice`).
inline constexpr std::string_view kDevPhrase =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

using ChainCode = std::array<std::uint8_t, 32>;

struct DeriveJunction {
  bool hard = false;
  ChainCode chain_code{};
};

// One junction's code (the text after `/` or `//`): a decimal u64 becomes its 8 little-endian
// bytes; anything else its SCALE string encoding (compact length + UTF-8). The encoding is
// zero-padded to 32 bytes, or replaced by its blake2b-256 when longer.
DeriveJunction junction_from_code(std::string_view code, bool hard);

// A path such as "//hard/soft//1"; errors on empty junctions or text outside a path.
Result<std::vector<DeriveJunction>> parse_derivation_path(std::string_view path);

// schnorrkel hard_derive_mini_secret_key with an empty message: the child's 32-byte mini secret.
SecretBytes hard_derive_mini_secret(const Keypair& parent, const ChainCode& chain_code);
// One hard step: the mini secret above, expanded in Ed25519 mode.
Keypair derive_hard(const Keypair& parent, const ChainCode& chain_code);
// One soft step: schnorrkel derived_key_simple with an empty message. The new nonce mixes in
// fresh randomness (as schnorrkel does), so only the public key is reproducible.
Keypair derive_soft(const Keypair& parent, const ChainCode& chain_code);
// The public side of a soft step (no secret needed); hard steps have none.
Result<PublicKey> derive_soft_public(const PublicKey& parent, const ChainCode& chain_code);

Keypair derive(const Keypair& root, const std::vector<DeriveJunction>& path);

// A secret URI: [phrase | 0x<32-byte hex seed>][path][///password]. No phrase means the dev
// phrase. The password only applies to mnemonics (as BIP39 password). Errors never echo the
// secret parts of the URI.
Result<Keypair> keypair_from_uri(std::string_view uri);

// The key of a URI with its mini secret ("seed") when it has one, as sp-core's
// from_string_with_seed: the root's seed, replaced at each hard step, gone after a soft step.
struct UriKey {
  Keypair keypair;
  std::optional<SecretBytes> seed;
};
Result<UriKey> key_from_uri(std::string_view uri);

}  // namespace pylon::keys

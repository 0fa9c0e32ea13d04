// Bittensor keyfile JSON (hotkeys, decrypted coldkeys, coldkeypub.txt): parsing, checking and
// writing. Secrets never leave SecretBytes/SecretString, and no error message contains them.
#pragma once

#include <optional>
#include <string>

#include "common/hex.hpp"
#include "common/result.hpp"
#include "keys/derive.hpp"
#include "keys/secret_bytes.hpp"
#include "keys/sr25519.hpp"

namespace pylon::keys {

// The fields of a keyfile; all optional in the file (null counts as absent).
struct KeyfileContents {
  std::optional<PublicKey> public_key;        // "publicKey"
  std::optional<PublicKey> account_id;        // "accountId"
  std::string ss58_address;                   // "ss58Address", empty when absent
  std::optional<SecretBytes> secret_seed;     // "secretSeed": 32-byte mini secret
  std::optional<SecretBytes> private_key;     // "privateKey": 64-byte schnorrkel secret
  std::optional<SecretString> secret_phrase;  // "secretPhrase": BIP39 mnemonic
};

// Parses keyfile JSON: an object whose known fields are strings or null (unknown fields are
// ignored). Hex fields must have their exact lengths. Rejects malformed or truncated JSON.
Result<KeyfileContents> parse_keyfile_json(ByteSpan json);

struct PublicInfo {
  PublicKey public_key{};
  std::string ss58_address;
};

// The account the file names: publicKey and/or accountId (equal when both), and ss58Address
// when present must encode that same key.
Result<PublicInfo> keyfile_public_info(const KeyfileContents& contents);

// The keypair of a keyfile: from secretSeed when present, else from privateKey (canonical
// scalar + nonce; polkadot-js's scalar*8 form is accepted when that is what matches), else from
// secretPhrase. Every secret present must give the file's public key, else the file is refused.
Result<Keypair> keyfile_keypair(const KeyfileContents& contents);

// Keyfile JSON for a keypair, Bittensor's field names; phrase and seed are written when given
// (null otherwise). The text contains secrets, so it is returned as SecretBytes.
SecretBytes keyfile_json(const Keypair& keypair, const SecretString* phrase, const SecretBytes* seed);
// coldkeypub.txt: accountId, publicKey, ss58Address only.
std::string public_keyfile_json(const PublicKey& public_key);

}  // namespace pylon::keys

// Bittensor wallets on disk: <root>/<wallet>/hotkeys/<hotkey> (plaintext keyfile JSON),
// <root>/<wallet>/coldkey ($NACL encrypted keyfile JSON) and <root>/<wallet>/coldkeypub.txt.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "keys/derive.hpp"
#include "keys/keyfile.hpp"

namespace pylon::keys {

struct WalletLocation {
  std::filesystem::path root;  // e.g. ~/.bittensor/wallets
  std::string wallet;          // wallet name
};

// Wallet and hotkey names must be plain file names (no '/', not "." or "..", not empty).
Status check_wallet_name(std::string_view what, std::string_view name);

Result<std::filesystem::path> hotkey_path(const WalletLocation& w, std::string_view hotkey);
Result<std::filesystem::path> coldkey_path(const WalletLocation& w);
Result<std::filesystem::path> coldkeypub_path(const WalletLocation& w);

// A plaintext keyfile: permission-checked, parsed, secret checked against its public key.
// An encrypted file is refused with a message saying a password is needed.
Result<Keypair> load_plain_keyfile(const std::filesystem::path& file);
// An encrypted ($NACL) or plaintext keyfile; the password is used only for encrypted ones.
Result<Keypair> load_keyfile(const std::filesystem::path& file, std::string_view password);

Result<Keypair> load_hotkey(const WalletLocation& w, std::string_view hotkey);
Result<Keypair> load_coldkey(const WalletLocation& w, std::string_view password);

// Public part of a plaintext keyfile or coldkeypub.txt (no secret is parsed into use; a
// hotkey file is still permission-checked since it holds secrets).
Result<PublicInfo> load_public_info(const std::filesystem::path& file);

// Writes a new hotkey keyfile (mode 0600, folders 0700). The phrase/seed are stored when given.
Status save_hotkey(const WalletLocation& w, std::string_view hotkey, const Keypair& kp,
                   const SecretString* phrase, const SecretBytes* seed, bool overwrite);
// Writes coldkey ($NACL encrypted with `password`) and coldkeypub.txt.
Status save_coldkey(const WalletLocation& w, const Keypair& kp, const SecretString* phrase,
                    const SecretBytes* seed, std::string_view password, bool overwrite);

}  // namespace pylon::keys

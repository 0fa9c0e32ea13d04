#include "keys/wallet.hpp"

#include <sodium.h>

#include "keys/nacl_keyfile.hpp"
#include "keys/secret_file.hpp"

namespace pylon::keys {

namespace fs = std::filesystem;

Status check_wallet_name(std::string_view what, std::string_view name) {
  if (name.empty()) return Error{std::string(what) + " name is empty"};
  if (name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return Error{std::string(what) + " name '" + std::string(name) + "' must be a plain file name"};
  }
  return {};
}

Result<fs::path> hotkey_path(const WalletLocation& w, std::string_view hotkey) {
  PYLON_TRY(check_wallet_name("wallet", w.wallet));
  PYLON_TRY(check_wallet_name("hotkey", hotkey));
  return w.root / w.wallet / "hotkeys" / std::string(hotkey);
}

Result<fs::path> coldkey_path(const WalletLocation& w) {
  PYLON_TRY(check_wallet_name("wallet", w.wallet));
  return w.root / w.wallet / "coldkey";
}

Result<fs::path> coldkeypub_path(const WalletLocation& w) {
  PYLON_TRY(check_wallet_name("wallet", w.wallet));
  return w.root / w.wallet / "coldkeypub.txt";
}

namespace {

Result<Keypair> keypair_from_json(const fs::path& file, ByteSpan json) {
  auto contents = parse_keyfile_json(json);
  if (!contents.ok()) return Error{file.string() + ": " + contents.error().message};
  auto kp = keyfile_keypair(*contents);
  if (!kp.ok()) return Error{file.string() + ": " + kp.error().message};
  return kp;
}

Status refuse_unsupported(const fs::path& file, ByteSpan data) {
  const auto legacy = describe_unsupported_encryption(data);
  if (!legacy.empty()) {
    return Error{file.string() + " is " + std::string(legacy) +
                 ", which Pylon does not read; re-encrypt it with a current btcli (NaCl format)"};
  }
  return {};
}

}  // namespace

Result<Keypair> load_plain_keyfile(const fs::path& file) {
  PYLON_ASSIGN(SecretBytes data, read_secret_file(file));
  if (is_nacl_encrypted(data.span())) return Error{file.string() + " is encrypted; a password is needed"};
  PYLON_TRY(refuse_unsupported(file, data.span()));
  return keypair_from_json(file, data.span());
}

Result<Keypair> load_keyfile(const fs::path& file, std::string_view password) {
  PYLON_ASSIGN(SecretBytes data, read_secret_file(file));
  PYLON_TRY(refuse_unsupported(file, data.span()));
  if (!is_nacl_encrypted(data.span())) return keypair_from_json(file, data.span());
  auto plain = nacl_decrypt(data.span(), password);
  if (!plain.ok()) return Error{file.string() + ": " + plain.error().message};
  return keypair_from_json(file, plain->span());
}

Result<Keypair> load_hotkey(const WalletLocation& w, std::string_view hotkey) {
  PYLON_ASSIGN(fs::path file, hotkey_path(w, hotkey));
  return load_plain_keyfile(file);
}

Result<Keypair> load_coldkey(const WalletLocation& w, std::string_view password) {
  PYLON_ASSIGN(fs::path file, coldkey_path(w));
  return load_keyfile(file, password);
}

Result<PublicInfo> load_public_info(const fs::path& file) {
  PYLON_ASSIGN(FileRead read, read_file_with_mode(file));
  const SecretBytes& data = read.data;
  if (is_nacl_encrypted(data.span())) {
    return Error{file.string() + " is encrypted; read the wallet's coldkeypub.txt for its public key"};
  }
  PYLON_TRY(refuse_unsupported(file, data.span()));
  auto contents = parse_keyfile_json(data.span());
  if (!contents.ok()) return Error{file.string() + ": " + contents.error().message};
  // A public file (coldkeypub.txt) may be world-readable; one with secrets may not.
  if (contents->secret_seed || contents->private_key || contents->secret_phrase) {
    PYLON_TRY(check_secret_file(file, read.mode, read.owner));
  }
  auto info = keyfile_public_info(*contents);
  if (!info.ok()) return Error{file.string() + ": " + info.error().message};
  return info;
}

Status save_hotkey(const WalletLocation& w, std::string_view hotkey, const Keypair& kp,
                   const SecretString* phrase, const SecretBytes* seed, bool overwrite) {
  PYLON_ASSIGN(fs::path file, hotkey_path(w, hotkey));
  SecretBytes json = keyfile_json(kp, phrase, seed);
  return write_private_file(file, json.span(), overwrite);
}

Status save_coldkey(const WalletLocation& w, const Keypair& kp, const SecretString* phrase,
                    const SecretBytes* seed, std::string_view password, bool overwrite) {
  PYLON_ASSIGN(fs::path file, coldkey_path(w));
  PYLON_ASSIGN(fs::path pub_file, coldkeypub_path(w));
  if (password.empty()) return Error{"coldkey: refusing an empty password"};
  if (!overwrite && fs::exists(file))
    return Error{file.string() + " already exists; refusing to overwrite it"};
  SecretBytes json = keyfile_json(kp, phrase, seed);
  PYLON_ASSIGN(Bytes encrypted, nacl_encrypt(json.span(), password));
  PYLON_TRY(write_private_file(file, encrypted, overwrite));
  const std::string pub = public_keyfile_json(kp.public_key);
  return write_private_file(pub_file, ByteSpan(reinterpret_cast<const std::uint8_t*>(pub.data()), pub.size()),
                            overwrite);
}

}  // namespace pylon::keys

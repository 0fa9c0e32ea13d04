// `pylon wallet`: create and inspect Bittensor wallet keys (sr25519) in Bittensor's file layout.
//   pylon wallet new-hotkey  --path P --wallet W --hotkey H [--uri URI | --uri-file F] [--words N]
//   [--overwrite] pylon wallet new-coldkey --path P --wallet W (--password-file F | --password-env VAR)
//                            [--uri URI | --uri-file F] [--words N] [--overwrite]
//   pylon wallet show        --path P --wallet W [--hotkey H]
// New keys print their SS58 address on stdout. Passwords are never read from argv (other users
// can see it in ps); a mnemonic URI is better given with --uri-file for the same reason.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "codec/ss58.hpp"
#include "common/json_writer.hpp"
#include "keys/bip39.hpp"
#include "keys/derive.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"

namespace {

namespace fs = std::filesystem;
namespace keys = pylon::keys;

struct Options {
  std::string path;
  std::string wallet;
  std::string hotkey;
  std::optional<std::string> uri;  // dev URIs such as //Alice; secrets belong in --uri-file
  std::string uri_file;
  std::string password_file;
  std::string password_env;
  unsigned words = 12;
  bool overwrite = false;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "pylon wallet: %s\n", message.c_str());
  return pylon::app::kExitFailed;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pylon wallet: %s\nrun 'pylon wallet --help' for its options\n", message.c_str());
  return pylon::app::kExitUsage;
}

// The key to store: from a URI (argument or file) or a newly generated mnemonic.
struct NewKey {
  keys::Keypair keypair;
  std::optional<keys::SecretBytes> seed;
  std::optional<keys::SecretString> phrase;
};

pylon::Result<NewKey> make_key(const Options& o) {
  std::optional<keys::SecretString> uri;
  if (o.uri) {
    uri.emplace(*o.uri);
    // Dev URIs (//Alice) are public; anything else on argv was visible to other users.
    const std::string_view v = *o.uri;
    if (!(v.size() >= 2 && v[0] == '/')) {
      std::fprintf(stderr,
                   "pylon wallet: warning: a secret on the command line is visible to other users; "
                   "prefer --uri-file\n");
    }
  } else if (!o.uri_file.empty()) {
    PYLON_ASSIGN(uri, keys::read_password_file(o.uri_file));
  }
  if (uri) {
    PYLON_ASSIGN(keys::UriKey k, keys::key_from_uri(uri->view()));
    NewKey out{std::move(k.keypair), std::move(k.seed), std::nullopt};
    // A bare mnemonic is the phrase of its own key: keep it, as btcli does.
    if (uri->view().find('/') == std::string_view::npos && keys::mnemonic_to_entropy(uri->view()).ok()) {
      out.phrase.emplace(uri->view());
    }
    return out;
  }
  PYLON_ASSIGN(keys::SecretString phrase, keys::generate_mnemonic(o.words));
  PYLON_ASSIGN(keys::SecretBytes seed, keys::mini_secret_from_mnemonic(phrase.view()));
  PYLON_ASSIGN(keys::Keypair kp, keys::keypair_from_mini_secret(seed.span()));
  return NewKey{std::move(kp), std::move(seed), std::move(phrase)};
}

void print_address(const keys::PublicKey& pk) {
  std::printf("%s\n", pylon::codec::ss58_encode(pk).c_str());
}

int new_hotkey(const Options& o) {
  if (o.hotkey.empty()) return usage_error("--hotkey is required");
  auto key = make_key(o);
  if (!key.ok()) return fail(key.error().message);
  const keys::WalletLocation w{o.path, o.wallet};
  auto st = keys::save_hotkey(w, o.hotkey, key->keypair, key->phrase ? &*key->phrase : nullptr,
                              key->seed ? &*key->seed : nullptr, o.overwrite);
  if (!st.ok()) return fail(st.error().message);
  std::fprintf(stderr, "pylon wallet: wrote hotkey %s%s\n", keys::hotkey_path(w, o.hotkey)->c_str(),
               key->phrase ? " (its mnemonic is stored there as secretPhrase: back it up)" : "");
  print_address(key->keypair.public_key);
  return 0;
}

int new_coldkey(const Options& o) {
  if (o.password_file.empty() == o.password_env.empty()) {
    return usage_error("give exactly one of --password-file or --password-env");
  }
  auto password = o.password_file.empty() ? keys::read_password_env(o.password_env)
                                          : keys::read_password_file(o.password_file);
  if (!password.ok()) return fail(password.error().message);
  auto key = make_key(o);
  if (!key.ok()) return fail(key.error().message);
  const keys::WalletLocation w{o.path, o.wallet};
  auto st = keys::save_coldkey(w, key->keypair, key->phrase ? &*key->phrase : nullptr,
                               key->seed ? &*key->seed : nullptr, password->view(), o.overwrite);
  if (!st.ok()) return fail(st.error().message);
  std::fprintf(stderr, "pylon wallet: wrote encrypted coldkey %s and %s\n", keys::coldkey_path(w)->c_str(),
               keys::coldkeypub_path(w)->c_str());
  print_address(key->keypair.public_key);
  return 0;
}

// Public information only: addresses and public keys, never secret fields.
int show(const Options& o) {
  const keys::WalletLocation w{o.path, o.wallet};
  pylon::JsonWriter out;
  out.begin_object();
  out.key("wallet");
  out.string(o.wallet);
  bool any = false;
  auto put = [&](std::string_view name, const keys::PublicInfo& info) {
    out.key(name);
    out.begin_object();
    out.key("ss58Address");
    out.string(info.ss58_address);
    out.key("publicKey");
    out.string(pylon::to_hex(info.public_key));
    out.end_object();
    any = true;
  };
  auto pub_file = keys::coldkeypub_path(w);
  if (!pub_file.ok()) return fail(pub_file.error().message);
  if (fs::exists(*pub_file)) {
    auto info = keys::load_public_info(*pub_file);
    if (!info.ok()) return fail(info.error().message);
    put("coldkey", *info);
  }
  if (!o.hotkey.empty()) {
    // The whole hotkey is loaded so its secret is checked against the public key it claims.
    auto kp = keys::load_hotkey(w, o.hotkey);
    if (!kp.ok()) return fail(kp.error().message);
    out.key("hotkeyName");
    out.string(o.hotkey);
    put("hotkey", keys::PublicInfo{kp->public_key, pylon::codec::ss58_encode(kp->public_key)});
  }
  out.end_object();
  if (!any)
    return fail("nothing to show: no coldkeypub.txt in " + (w.root / w.wallet).string() + " and no --hotkey");
  std::printf("%s\n", out.str().c_str());
  return 0;
}

int run_wallet(std::span<char* const> args) {
  Options o;
  std::string password;  // only to refuse it with the reason
  std::string uri;       // o.uri when given
  std::vector<CLI::Option*> uri_options;
  CLI::App app("Create and inspect Bittensor wallet keys (sr25519) in Bittensor's file layout.",
               "pylon wallet");
  app.require_subcommand(1);
  app.footer(
      "Without --uri a new mnemonic is generated and stored in the keyfile (secretPhrase).\n"
      "Files are written mode 600 in mode 700 folders. Passwords never come from the command line.");
  auto location = [&](CLI::App* sub) {
    sub->add_option("--path", o.path, "the wallets folder, e.g. ~/.bittensor/wallets")->required();
    sub->add_option("--wallet", o.wallet, "the wallet's name")->required();
  };
  auto new_key = [&](CLI::App* sub) {
    auto* uri_option =
        sub->add_option("--uri", uri, "the key as a URI (dev URIs such as //Alice; secrets: --uri-file)");
    uri_options.push_back(uri_option);
    sub->add_option("--uri-file", o.uri_file, "a file holding the key's URI or mnemonic")
        ->excludes(uri_option);
    sub->add_option("--words", o.words, "words of a generated mnemonic")
        ->check(CLI::IsMember({12, 15, 18, 21, 24}))
        ->capture_default_str();
    sub->add_flag("--overwrite", o.overwrite, "replace existing files");
    // Hidden: named only to refuse it with the reason rather than as an unknown option.
    sub->add_option("--password", password)->group("");
  };
  CLI::App* hot = app.add_subcommand("new-hotkey", "write a new hotkey; prints its SS58 address");
  location(hot);
  hot->add_option("--hotkey", o.hotkey, "the hotkey's name")->required();
  new_key(hot);
  CLI::App* cold =
      app.add_subcommand("new-coldkey", "write a new encrypted coldkey; prints its SS58 address");
  location(cold);
  auto* pw_file = cold->add_option("--password-file", o.password_file, "a file holding the password");
  cold->add_option("--password-env", o.password_env, "a variable holding the password")->excludes(pw_file);
  new_key(cold);
  CLI::App* show_cmd = app.add_subcommand("show", "print the wallet's public keys (JSON)");
  location(show_cmd);
  show_cmd->add_option("--hotkey", o.hotkey, "also load and show this hotkey");
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  if (hot->count("--password") + cold->count("--password") > 0)
    return usage_error(
        "--password is not accepted: use --password-file or --password-env (argv is visible to other users)");
  for (const CLI::Option* u : uri_options)
    if (u->count() > 0) o.uri = uri;
  if (o.path.empty()) return usage_error("--path must not be empty");
  if (o.wallet.empty()) return usage_error("--wallet must not be empty");
  if (hot->parsed()) {
    if (o.hotkey.empty()) return usage_error("--hotkey must not be empty");
    return new_hotkey(o);
  }
  if (cold->parsed()) return new_coldkey(o);
  return show(o);
}

}  // namespace

PYLON_COMMAND("wallet", "create and inspect Bittensor wallet keys (new-hotkey, new-coldkey, show)",
              run_wallet);

// `pylon wallet`: create and inspect Bittensor wallet keys (sr25519) in Bittensor's file layout.
//   pylon wallet new-hotkey  --path P --wallet W --hotkey H [--uri URI | --uri-file F] [--words N]
//   [--overwrite] pylon wallet new-coldkey --path P --wallet W (--password-file F | --password-env VAR)
//                            [--uri URI | --uri-file F] [--words N] [--overwrite]
//   pylon wallet show        --path P --wallet W [--hotkey H]
// New keys print their SS58 address on stdout. Passwords are never read from argv (other users
// can see it in ps); a mnemonic URI is better given with --uri-file for the same reason.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "app/command.hpp"
#include "common/json_writer.hpp"
#include "keys/bip39.hpp"
#include "keys/derive.hpp"
#include "keys/secret_file.hpp"
#include "keys/ss58.hpp"
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

constexpr const char* kUsage =
    "usage: pylon wallet new-hotkey  --path P --wallet W --hotkey H [--uri URI | --uri-file F] [--words N] "
    "[--overwrite]\n"
    "       pylon wallet new-coldkey --path P --wallet W (--password-file F | --password-env VAR)\n"
    "                                [--uri URI | --uri-file F] [--words N] [--overwrite]\n"
    "       pylon wallet show        --path P --wallet W [--hotkey H]\n"
    "Without --uri a new 12-word mnemonic is generated and stored in the keyfile (secretPhrase).\n"
    "Files are written mode 600 in mode 700 folders. Passwords never come from the command line.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "pylon wallet: %s\n", message.c_str());
  return 1;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "pylon wallet: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// Returns an error message, or "" when the arguments parsed.
std::string parse(std::span<char* const> args, Options& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&](std::string& out) -> bool {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--overwrite") {
      o.overwrite = true;
    } else if (a == "--path" || a == "--wallet" || a == "--hotkey" || a == "--uri" || a == "--uri-file" ||
               a == "--password-file" || a == "--password-env" || a == "--words") {
      if (!value(v)) return "missing value after " + std::string(a);
      if (a == "--path") o.path = v;
      if (a == "--wallet") o.wallet = v;
      if (a == "--hotkey") o.hotkey = v;
      if (a == "--uri") o.uri = v;
      if (a == "--uri-file") o.uri_file = v;
      if (a == "--password-file") o.password_file = v;
      if (a == "--password-env") o.password_env = v;
      if (a == "--words") {
        char* end = nullptr;
        const unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (!end || *end || n == 0 || n > 24) return "--words must be 12, 15, 18, 21 or 24";
        o.words = static_cast<unsigned>(n);
      }
    } else if (a == "--password") {
      return "--password is not accepted: use --password-file or --password-env (argv is visible to other "
             "users)";
    } else {
      return "unknown argument '" + std::string(a) + "'";
    }
  }
  if (o.path.empty()) return "--path is required";
  if (o.wallet.empty()) return "--wallet is required";
  if (o.uri && !o.uri_file.empty()) return "give either --uri or --uri-file, not both";
  return {};
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
  std::printf("%s\n", keys::ss58_encode_account(pk).value().c_str());
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
    put("hotkey", keys::PublicInfo{kp->public_key, keys::ss58_encode_account(kp->public_key).value()});
  }
  out.end_object();
  if (!any)
    return fail("nothing to show: no coldkeypub.txt in " + (w.root / w.wallet).string() + " and no --hotkey");
  std::printf("%s\n", out.str().c_str());
  return 0;
}

int run_wallet(std::span<char* const> args) {
  if (args.empty()) return usage_error("missing subcommand");
  const std::string_view sub = args[0];
  if (sub == "help" || sub == "--help" || sub == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Options o;
  if (auto err = parse(args.subspan(1), o); !err.empty()) return usage_error(err);
  if (sub == "new-hotkey") return new_hotkey(o);
  if (sub == "new-coldkey") return new_coldkey(o);
  if (sub == "show") return show(o);
  return usage_error("unknown subcommand '" + std::string(sub) + "'");
}

}  // namespace

PYLON_COMMAND("wallet", "create and inspect Bittensor wallet keys (new-hotkey, new-coldkey, show)",
              run_wallet);

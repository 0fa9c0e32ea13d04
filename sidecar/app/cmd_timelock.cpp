// `pylon timelock encrypt|decrypt`: the commit-reveal v4 ciphertext offline, so an operator can
// check what a commit holds once its drand round is out, and tests can drive the real binary.
//   pylon timelock encrypt --round R --payload-hex HEX [--public-key HEX]   -> ciphertext hex
//   pylon timelock decrypt --signature SIG_HEX --ciphertext-hex HEX        -> payload hex
// Exit 1 with the reason when the input is refused or does not decrypt.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "common/hex.hpp"
#include "timelock/timelock.hpp"

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "pylon timelock: %s\n", msg.c_str());
  return pylon::app::kExitFailed;
}

pylon::Result<std::uint64_t> parse_round(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 20)
    return pylon::make_error("--round must be a drand round number (a positive integer), not '" + text + "'");
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return pylon::make_error("--round is out of range (u64)");
  return static_cast<std::uint64_t>(v);
}

pylon::Result<pylon::Bytes> parse_hex(const char* option, const std::string& text) {
  auto b = pylon::from_hex(text);
  if (!b.ok()) return pylon::with_context(option, std::move(b).error());
  return b;
}

int timelock(std::span<char* const> args) {
  std::string round, payload, public_key, signature, ciphertext;
  CLI::App app("Timelock encryption to a drand quicknet round (subtensor commit-reveal v4 ciphertexts).",
               "pylon timelock");
  app.require_subcommand(1);
  CLI::App* enc = app.add_subcommand("encrypt", "encrypt a payload to a round; prints the ciphertext hex");
  enc->add_option("--round", round, "the drand quicknet round that will open it")->required();
  enc->add_option("--payload-hex", payload, "the payload (e.g. a SCALE WeightsTlockPayload) as hex")
      ->required();
  enc->add_option("--public-key", public_key,
                  "another beacon's G2 public key as hex (default: drand quicknet)");
  CLI::App* dec =
      app.add_subcommand("decrypt", "decrypt with the round's beacon signature; prints the payload hex");
  dec->add_option("--signature", signature, "the round's 48-byte beacon signature as hex (Drand.Pulses)")
      ->required();
  dec->add_option("--ciphertext-hex", ciphertext, "the ciphertext as hex")->required();
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;

  if (enc->parsed()) {
    auto r = parse_round(round);
    if (!r.ok()) return fail(r.error().message);
    auto p = parse_hex("--payload-hex", payload);
    if (!p.ok()) return fail(p.error().message);
    pylon::Result<pylon::Bytes> c = pylon::make_error("unset");
    if (public_key.empty()) {
      c = pylon::timelock::encrypt(*r, *p);
    } else {
      auto pk = parse_hex("--public-key", public_key);
      if (!pk.ok()) return fail(pk.error().message);
      c = pylon::timelock::encrypt_to(*pk, *r, *p);
    }
    if (!c.ok()) return fail(c.error().message);
    std::printf("%s\n", pylon::to_hex(*c).c_str());
    return pylon::app::kExitOk;
  }
  auto s = parse_hex("--signature", signature);
  if (!s.ok()) return fail(s.error().message);
  auto c = parse_hex("--ciphertext-hex", ciphertext);
  if (!c.ok()) return fail(c.error().message);
  auto plain = pylon::timelock::decrypt(*s, *c);
  if (!plain.ok()) return fail("does not decrypt: " + plain.error().message);
  std::printf("%s\n", pylon::to_hex(*plain).c_str());
  return pylon::app::kExitOk;
}

}  // namespace

PYLON_COMMAND("timelock",
              "encrypt to a drand round and decrypt with its signature (timelock encrypt|decrypt ...)",
              timelock);

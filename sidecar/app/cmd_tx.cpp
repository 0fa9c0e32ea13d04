// `pylon tx encode ...`: offline signing for operators, and a seam for tests. Prints
// {"extrinsic": "0x…", "hash": "0x…"}. With --timelock-weights it builds a timelocked weight
// commit (commit-reveal v4) as the committer does: the weights payload for the signer's hotkey,
// encrypted to the args' reveal_round, becomes the call's `commit`.
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "codec/metadata.hpp"
#include "committer/weights_call.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "keys/derive.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"

namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "pylon tx: %s\n", msg.c_str());
  return 1;
}

pylon::Result<std::uint64_t> parse_u64(const std::string& name, const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 20)
    return pylon::make_error(name + " must be a non-negative integer, not '" + text + "'");
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return pylon::make_error(name + " is out of range");
  return static_cast<std::uint64_t>(v);
}

pylon::Result<pylon::BlockHash> parse_hash(const std::string& name, const std::string& text) {
  auto b = pylon::from_hex(text);
  if (!b.ok() || b->size() != 32) return pylon::make_error(name + " must be 0x + 64 hex digits");
  pylon::BlockHash h;
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

struct Options {
  std::string metadata, genesis_hash, spec_version, tx_version, nonce, tip, mortal;
  std::string keyfile, password_file, uri, call, args, timelock_weights;
};

pylon::Result<std::vector<std::uint16_t>> u16_array(simdjson::dom::element e, const char* name) {
  simdjson::dom::array a;
  if (e.get_array().get(a))
    return pylon::make_error(std::string("--timelock-weights: '") + name + "' must be an array");
  std::vector<std::uint16_t> out;
  for (simdjson::dom::element x : a) {
    std::uint64_t v = 0;
    if (x.get_uint64().get(v) || v > UINT16_MAX)
      return pylon::make_error(std::string("--timelock-weights: '") + name +
                               "' holds a value that is not a u16");
    out.push_back(static_cast<std::uint16_t>(v));
  }
  return out;
}

// --args of a timelocked commit without `commit`, and --timelock-weights {"uids", "values",
// "version_key"}: the args with `commit` = the sealed payload of the signer's weights.
pylon::Result<std::string> sealed_args(const std::string& args, const std::string& weights,
                                       const pylon::AccountId& hotkey) {
  simdjson::dom::parser ap, wp;
  simdjson::dom::object a, w;
  if (ap.parse(args).get_object().get(a)) return pylon::make_error("--args must be a JSON object");
  std::uint64_t round = 0;
  if (a["reveal_round"].get_uint64().get(round))
    return pylon::make_error(
        "--timelock-weights needs --args with reveal_round (the drand round to encrypt to)");
  if (!a["commit"].error())
    return pylon::make_error("--timelock-weights makes the commit: leave 'commit' out of --args");
  if (wp.parse(weights).get_object().get(w))
    return pylon::make_error("--timelock-weights must be a JSON object {uids, values, version_key}");
  pylon::committer::WeightsCall call;
  for (auto field : w) {
    if (field.key == "uids" || field.key == "values") {
      auto v = u16_array(field.value, field.key == "uids" ? "uids" : "values");
      if (!v.ok()) return v.error();
      (field.key == "uids" ? call.uids : call.values) = std::move(v).value();
    } else if (field.key == "version_key") {
      if (field.value.get_uint64().get(call.version_key))
        return pylon::make_error("--timelock-weights: 'version_key' must be a u64");
    } else {
      return pylon::make_error("--timelock-weights: unknown field '" + std::string(field.key) + "'");
    }
  }
  if (call.uids.size() != call.values.size())
    return pylon::make_error("--timelock-weights: uids and values differ in length");
  auto sealed = call.seal(hotkey, round);
  if (!sealed.ok()) return pylon::with_context("--timelock-weights", sealed.error());
  // The object is valid JSON (parsed above): insert the field before its closing brace.
  std::string out = args;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  out.pop_back();
  out += std::string(a.size() == 0 ? "" : ",") + "\"commit\":\"" + pylon::to_hex(*sealed) + "\"}";
  return out;
}

int tx(std::span<char* const> args) {
  Options o;
  CLI::App app("Build and sign an extrinsic offline; prints {\"extrinsic\", \"hash\"}.", "pylon tx");
  app.require_subcommand(1);
  CLI::App* enc = app.add_subcommand("encode", "encode and sign one call");
  enc->footer(
      "An encrypted keyfile's password comes from --password-file or PYLON_COLDKEY_PASSWORD_FILE,\n"
      "never from the command line.");
  // Numbers are taken as text and checked below, so each error names the option and the rule.
  enc->add_option("--metadata", o.metadata, "runtime metadata file (hex or SCALE)")->required();
  enc->add_option("--genesis-hash", o.genesis_hash, "0x + 64 hex digits")->required();
  enc->add_option("--spec-version", o.spec_version, "runtime spec version (u32)")->required();
  enc->add_option("--tx-version", o.tx_version, "transaction version (u32)")->required();
  enc->add_option("--nonce", o.nonce, "the signer's account nonce")->required();
  enc->add_option("--tip", o.tip, "tip in rao (default 0)");
  enc->add_option("--mortal", o.mortal, "PERIOD:BLOCK_NUMBER:0xBLOCK_HASH (default: immortal)");
  auto* keyfile = enc->add_option("--keyfile", o.keyfile, "the signer's Bittensor keyfile");
  enc->add_option("--password-file", o.password_file, "password of an encrypted --keyfile")->needs(keyfile);
  enc->add_option("--uri", o.uri, "the signer as a dev URI such as //Alice")->excludes(keyfile);
  enc->add_option("--call", o.call, "Pallet.call")->required();
  enc->add_option("--args", o.args, "the call's arguments as JSON, by field name")->required();
  enc->add_option("--timelock-weights", o.timelock_weights,
                  "{\"uids\",\"values\",\"version_key\"}: seal them for the signer as the call's "
                  "commit, encrypted to the args' reveal_round (commit_timelocked_weights)");
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  if (o.keyfile.empty() == o.uri.empty()) {
    std::fprintf(stderr, "pylon tx: give exactly one of --keyfile and --uri\n");
    return pylon::app::kExitUsage;
  }

  pylon::extrinsic::TxParams p;
  auto genesis = parse_hash("--genesis-hash", o.genesis_hash);
  if (!genesis.ok()) return fail(genesis.error().message);
  p.genesis_hash = *genesis;
  for (auto [name, text, target] : {std::tuple{"spec-version", &o.spec_version, &p.spec_version},
                                    std::tuple{"tx-version", &o.tx_version, &p.tx_version}}) {
    auto v = parse_u64(std::string("--") + name, *text);
    if (!v.ok()) return fail(v.error().message);
    if (*v > UINT32_MAX) return fail(std::string("--") + name + " does not fit u32");
    *target = static_cast<std::uint32_t>(*v);
  }
  auto nonce = parse_u64("--nonce", o.nonce);
  if (!nonce.ok()) return fail(nonce.error().message);
  p.nonce = *nonce;
  if (!o.tip.empty()) {
    auto tip = parse_u64("--tip", o.tip);
    if (!tip.ok()) return fail(tip.error().message);
    p.tip = *tip;
  }
  if (!o.mortal.empty()) {
    const std::string& m = o.mortal;
    const auto c1 = m.find(':'), c2 = m.find(':', c1 == std::string::npos ? 0 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos)
      return fail("--mortal is PERIOD:BLOCK_NUMBER:0xBLOCK_HASH");
    auto period = parse_u64("mortal period", m.substr(0, c1));
    auto number = parse_u64("mortal block number", m.substr(c1 + 1, c2 - c1 - 1));
    auto hash = parse_hash("mortal block hash", m.substr(c2 + 1));
    if (!period.ok()) return fail(period.error().message);
    if (!number.ok()) return fail(number.error().message);
    if (!hash.ok()) return fail(hash.error().message);
    if (*period < 4 || *period > 65536) return fail("mortal period must be within 4..65536 blocks");
    p.mortal = pylon::extrinsic::Mortality{*period, *number, *hash};
  }

  auto md = pylon::codec::load_metadata_file(o.metadata);
  if (!md.ok()) return fail(md.error().message);

  pylon::Result<pylon::keys::Keypair> signer = pylon::make_error("no key");
  if (!o.uri.empty()) {
    auto k = pylon::keys::key_from_uri(o.uri);
    if (!k.ok()) return fail(k.error().message);
    signer = std::move(k->keypair);
  } else {
    pylon::keys::SecretString password;
    std::string password_file = o.password_file;
    if (password_file.empty())
      if (const char* e = std::getenv("PYLON_COLDKEY_PASSWORD_FILE")) password_file = e;
    if (!password_file.empty()) {
      auto pw = pylon::keys::read_password_file(password_file);
      if (!pw.ok()) return fail(pw.error().message);
      password = std::move(pw).value();
    }
    signer = pylon::keys::load_keyfile(o.keyfile, password.view());
  }
  if (!signer.ok()) return fail(signer.error().message);
  if (!o.timelock_weights.empty()) {
    auto sealed = sealed_args(o.args, o.timelock_weights, pylon::AccountId(signer->public_key));
    if (!sealed.ok()) return fail(sealed.error().message);
    o.args = std::move(sealed).value();
  }
  auto call = pylon::extrinsic::encode_call_json(**md, o.call, o.args);
  if (!call.ok()) return fail(call.error().message);
  auto x = pylon::extrinsic::build_signed(**md, *call, *signer, p);
  if (!x.ok()) return fail(x.error().message);
  std::printf("{\"extrinsic\":\"%s\",\"hash\":\"%s\"}\n", pylon::to_hex(x->bytes).c_str(),
              pylon::to_hex(x->hash).c_str());
  return 0;
}

}  // namespace

PYLON_COMMAND("tx", "build and sign an extrinsic offline (tx encode ...)", tx);

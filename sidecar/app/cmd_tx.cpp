// `pylon tx encode ...`: offline signing for operators, and a seam for tests. Prints
// {"extrinsic": "0x…", "hash": "0x…"}.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "app/command.hpp"
#include "codec/metadata.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "keys/derive.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"

namespace {

constexpr const char* kUsage =
    "usage: pylon tx encode --metadata FILE --genesis-hash 0xH --spec-version N --tx-version N --nonce N\n"
    "         [--tip N] [--mortal PERIOD:BLOCK_NUMBER:0xBLOCK_HASH]\n"
    "         (--keyfile PATH [--password-file F] | --uri //Alice)\n"
    "         --call Pallet.call --args JSON\n"
    "An encrypted keyfile's password comes from --password-file or PYLON_COLDKEY_PASSWORD_FILE,\n"
    "never from the command line.";

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

pylon::Result<pylon::extrinsic::Hash> parse_hash(const std::string& name, const std::string& text) {
  auto b = pylon::from_hex(text);
  if (!b.ok() || b->size() != 32) return pylon::make_error(name + " must be 0x + 64 hex digits");
  pylon::extrinsic::Hash h;
  std::copy(b->begin(), b->end(), h.begin());
  return h;
}

int tx_encode(std::span<char* const> args) {
  std::map<std::string, std::string> opt;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf("%s\n", kUsage);
      return 0;
    }
    if (!a.starts_with("--") || i + 1 >= args.size())
      return fail(std::string("unexpected argument '") + a + "'\n" + kUsage);
    opt[a.substr(2)] = args[++i];
  }
  for (const char* req : {"metadata", "genesis-hash", "spec-version", "tx-version", "nonce", "call", "args"})
    if (!opt.count(req)) return fail(std::string("--") + req + " is required\n" + kUsage);
  if (opt.count("keyfile") == opt.count("uri"))
    return fail(std::string("give exactly one of --keyfile and --uri\n") + kUsage);

  pylon::extrinsic::TxParams p;
  auto genesis = parse_hash("--genesis-hash", opt["genesis-hash"]);
  if (!genesis.ok()) return fail(genesis.error().message);
  p.genesis_hash = *genesis;
  for (auto [name, target] :
       {std::pair{"spec-version", &p.spec_version}, std::pair{"tx-version", &p.tx_version}}) {
    auto v = parse_u64(std::string("--") + name, opt[name]);
    if (!v.ok()) return fail(v.error().message);
    if (*v > UINT32_MAX) return fail(std::string("--") + name + " does not fit u32");
    *target = static_cast<std::uint32_t>(*v);
  }
  auto nonce = parse_u64("--nonce", opt["nonce"]);
  if (!nonce.ok()) return fail(nonce.error().message);
  p.nonce = *nonce;
  if (opt.count("tip")) {
    auto tip = parse_u64("--tip", opt["tip"]);
    if (!tip.ok()) return fail(tip.error().message);
    p.tip = *tip;
  }
  if (opt.count("mortal")) {
    const std::string m = opt["mortal"];
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

  auto md = pylon::codec::load_metadata_file(opt["metadata"]);
  if (!md.ok()) return fail(md.error().message);
  auto call = pylon::extrinsic::encode_call_json(**md, opt["call"], opt["args"]);
  if (!call.ok()) return fail(call.error().message);

  pylon::Result<pylon::keys::Keypair> signer = pylon::make_error("no key");
  if (opt.count("uri")) {
    auto k = pylon::keys::key_from_uri(opt["uri"]);
    if (!k.ok()) return fail(k.error().message);
    signer = std::move(k->keypair);
  } else {
    pylon::keys::SecretString password;
    std::string password_file = opt.count("password-file") ? opt["password-file"] : "";
    if (password_file.empty())
      if (const char* e = std::getenv("PYLON_COLDKEY_PASSWORD_FILE")) password_file = e;
    if (!password_file.empty()) {
      auto pw = pylon::keys::read_password_file(password_file);
      if (!pw.ok()) return fail(pw.error().message);
      password = std::move(pw).value();
    }
    signer = pylon::keys::load_keyfile(opt["keyfile"], password.view());
  }
  if (!signer.ok()) return fail(signer.error().message);
  auto x = pylon::extrinsic::build_signed(**md, *call, *signer, p);
  if (!x.ok()) return fail(x.error().message);
  std::printf("{\"extrinsic\":\"%s\",\"hash\":\"%s\"}\n", pylon::to_hex(x->bytes).c_str(),
              pylon::to_hex(x->hash).c_str());
  return 0;
}

int tx(std::span<char* const> args) {
  if (args.empty() || std::string_view(args[0]) != "encode") {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  return tx_encode(args.subspan(1));
}

}  // namespace

PYLON_COMMAND("tx", "build and sign an extrinsic offline (tx encode ...)", tx);

// `pylon localnet bootstrap`: prepares the bundled local chain with Pylon's own chain client and
// extrinsics: lifts the network rate limit (sudo as //Alice), funds the owner coldkey, registers
// two subnets (commit-reveal off and on), registers and stakes the validator hotkey and two miners,
// starts the subnets, and makes blocks until the validator holds a permit on both. Prints one JSON
// document with the netuids.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <thread>

#include "app/cli.hpp"
#include "app/command.hpp"
#include "chain/chain_client.hpp"
#include "codec/views/neuron_lite.hpp"
#include "extrinsic/call.hpp"
#include "extrinsic/signed.hpp"
#include "keys/derive.hpp"
#include "keys/secret_file.hpp"
#include "keys/wallet.hpp"

namespace {

using pylon::Result;
using pylon::Status;
namespace chain = pylon::chain;
namespace keys = pylon::keys;

constexpr std::uint64_t kTao = 1'000'000'000;

class Bootstrap {
 public:
  Bootstrap(chain::ChainClient& c, pylon::net::RpcClient& rpc) : chain_(c), rpc_(rpc) {}

  // One extrinsic of a block being assembled: who signs it, the call and its JSON arguments.
  struct Tx {
    const keys::Keypair* who;
    std::string call;
    std::string args;
  };

  static Tx sudo(const keys::Keypair& alice, const std::string& pallet, const std::string& call,
                 const std::string& args) {
    return {&alice, "Sudo.sudo", "{\"call\":{\"" + pallet + "\":{\"" + call + "\":" + args + "}}}"};
  }

  // Signs every Tx against the finalized head and seals them all in one block (the local chain
  // takes about a second a block, so the bootstrap's 19 extrinsics go in 7 blocks, not 19). A
  // signer's nonces follow one another in the order given, which is the order the pool puts its
  // extrinsics in the block. Fails on the first that did not succeed, a sudo whose inner call
  // failed included.
  Result<std::vector<chain::TxOutcome>> block_of(const std::vector<Tx>& txs) {
    PYLON_ASSIGN(auto head, chain_.finalized_head());
    PYLON_ASSIGN(chain::Header h, chain_.header(head));
    PYLON_ASSIGN(auto md, chain_.metadata(head));
    PYLON_ASSIGN(chain::RuntimeVersion v, chain_.runtime_version(head));
    PYLON_ASSIGN(auto genesis, chain_.genesis_hash());
    std::map<pylon::AccountId, std::uint64_t> nonces;
    std::vector<pylon::Bytes> signed_txs;
    for (const Tx& t : txs) {
      const pylon::AccountId who(t.who->public_key);
      auto nonce = nonces.find(who);
      if (nonce == nonces.end()) {
        PYLON_ASSIGN(std::uint64_t first, chain_.account_nonce(who));
        nonce = nonces.emplace(who, first).first;
      }
      PYLON_ASSIGN(pylon::Bytes encoded, pylon::extrinsic::encode_call_json(*md, t.call, t.args));
      pylon::extrinsic::TxParams p;
      p.genesis_hash = genesis;
      p.spec_version = v.spec_version;
      p.tx_version = v.transaction_version;
      p.nonce = nonce->second++;
      p.mortal = pylon::extrinsic::Mortality{64, h.number, head};
      PYLON_ASSIGN(auto x, pylon::extrinsic::build_signed(*md, encoded, *t.who, p));
      signed_txs.push_back(std::move(x.bytes));
    }
    PYLON_ASSIGN(std::vector<chain::TxOutcome> outs, chain_.submit_all_and_seal(signed_txs));
    for (std::size_t i = 0; i < txs.size(); ++i) {
      const std::string what = txs[i].call == "Sudo.sudo" ? "sudo " + txs[i].args : txs[i].call;
      if (!outs[i].success) return pylon::make_error(what + " failed: " + outs[i].error);
      for (const auto& e : outs[i].events)
        if (e.pallet == "Sudo" && e.name == "Sudid") {
          const pylon::codec::Value* r = e.data.field("sudo_result");
          if (r && r->kind == pylon::codec::Value::Kind::Variant && r->text == "Err")
            return pylon::make_error(what + " was dispatched but failed");
        }
      std::fprintf(stderr, "bootstrap: %s ok\n", what.c_str());
    }
    return outs;
  }

  Status blocks(int n) {
    PYLON_TRY(rpc_.call("dev_newBlock", "[{\"count\":" + std::to_string(n) + "}]", std::chrono::minutes(5)));
    return {};
  }

  // The netuid a register_network extrinsic's NetworkAdded event names.
  static Result<std::uint16_t> added_network(const chain::TxOutcome& out) {
    for (const auto& e : out.events)
      if (e.pallet == "SubtensorModule" && e.name == "NetworkAdded" &&
          e.data.kind == pylon::codec::Value::Kind::Array && !e.data.items.empty() &&
          e.data.items[0].kind == pylon::codec::Value::Kind::UInt)
        return static_cast<std::uint16_t>(e.data.items[0].uint);
    return pylon::make_error("register_network succeeded without a NetworkAdded event");
  }

  Result<bool> has_permit(std::uint16_t netuid, const pylon::AccountId& hotkey) {
    PYLON_ASSIGN(auto head, chain_.finalized_head());
    PYLON_ASSIGN(chain::Header h, chain_.header(head));
    PYLON_ASSIGN(auto md, chain_.metadata(head));
    PYLON_ASSIGN(auto view, pylon::codec::views::NeuronLiteView::resolve(md));
    const pylon::Bytes arg{static_cast<std::uint8_t>(netuid), static_cast<std::uint8_t>(netuid >> 8)};
    PYLON_ASSIGN(pylon::Bytes raw,
                 chain_.state_call("NeuronInfoRuntimeApi_get_neurons_lite", arg, {head, h.number}));
    PYLON_ASSIGN(auto rows, view.decode_all(raw));
    for (const auto& n : rows)
      if (n.hotkey == hotkey) return n.validator_permit;
    return false;
  }

  static std::string ss58(const pylon::keys::PublicKey& a) { return pylon::codec::ss58_encode(a); }

 private:
  chain::ChainClient& chain_;
  pylon::net::RpcClient& rpc_;
};

int fail(const std::string& m) {
  std::fprintf(stderr, "pylon localnet bootstrap: %s\n", m.c_str());
  return 1;
}

int localnet(std::span<char* const> args) {
  std::map<std::string, std::string> opt{
      {"owner-wallet", "owner"}, {"validator-wallet", "pylon"}, {"validator-hotkey", "pylon"}};
  CLI::App app("Prepare the bundled local chain with Pylon's own extrinsics.", "pylon localnet");
  app.require_subcommand(1);
  CLI::App* boot = app.add_subcommand(
      "bootstrap",
      "two subnets (commit-reveal off and on) with the validator registered, staked and permitted");
  boot->footer("The owner's coldkey password comes from PYLON_COLDKEY_PASSWORD_FILE.");
  boot->add_option("--url", opt["url"], "the local chain, e.g. ws://127.0.0.1:9944")->required();
  boot->add_option("--wallet-path", opt["wallet-path"], "folder of the owner and validator wallets")
      ->required();
  boot->add_option("--owner-wallet", opt["owner-wallet"], "the subnet owner's wallet")->capture_default_str();
  boot->add_option("--validator-wallet", opt["validator-wallet"], "the validator's wallet")
      ->capture_default_str();
  boot->add_option("--validator-hotkey", opt["validator-hotkey"], "the validator's hotkey")
      ->capture_default_str();
  if (auto exit = pylon::app::parse_args(app, args)) return *exit;
  const char* pw_file = std::getenv("PYLON_COLDKEY_PASSWORD_FILE");
  if (!pw_file) return fail("PYLON_COLDKEY_PASSWORD_FILE must name the owner coldkey's password file");
  auto password = keys::read_password_file(pw_file);
  if (!password.ok()) return fail(password.error().message);
  auto owner = keys::load_coldkey({opt["wallet-path"], opt["owner-wallet"]}, password->view());
  if (!owner.ok()) return fail("owner coldkey: " + owner.error().message);
  auto validator = keys::load_hotkey({opt["wallet-path"], opt["validator-wallet"]}, opt["validator-hotkey"]);
  if (!validator.ok()) return fail("validator hotkey: " + validator.error().message);
  auto alice = keys::key_from_uri("//Alice");
  auto owner_hot = keys::key_from_uri("//PylonOwnerHotkey");
  auto miner1 = keys::key_from_uri("//PylonMiner1");
  auto miner2 = keys::key_from_uri("//PylonMiner2");
  if (!alice.ok() || !owner_hot.ok() || !miner1.ok() || !miner2.ok())
    return fail("cannot derive the dev keys");

  pylon::net::NetContext net;
  pylon::net::RpcClientOptions ro;
  ro.endpoints = {opt["url"]};
  ro.request_timeout = std::chrono::minutes(2);
  auto rpc = pylon::net::RpcClient::create(net, ro);
  if (!rpc.ok()) return fail(rpc.error().message);
  if (auto s = (*rpc)->wait_connected(std::chrono::seconds(30)); !s.ok()) return fail(s.error().message);
  chain::ChainClient c(**rpc);
  Bootstrap b(c, **rpc);
  const std::string alice_ss58 = Bootstrap::ss58(alice->keypair.public_key);
  const std::string owner_ss58 = Bootstrap::ss58(owner->public_key);
  const std::string validator_ss58 = Bootstrap::ss58(validator->public_key);

  auto run = [&]() -> Result<std::pair<std::uint16_t, std::uint16_t>> {
    using Tx = Bootstrap::Tx;
    const keys::Keypair& sudo = alice->keypair;
    PYLON_TRY(b.blocks(1));  // signed extrinsics need a block after genesis
    const std::string fund = std::to_string(100'000 * kTao);
    PYLON_TRY(b.block_of({
        Bootstrap::sudo(sudo, "AdminUtils", "sudo_set_network_rate_limit", "{\"rate_limit\":0}"),
        Tx{&sudo, "Balances.transfer_keep_alive",
           "{\"dest\":{\"id\":\"" + owner_ss58 + "\"},\"value\":" + fund + "}"},
        Tx{&sudo, "Balances.transfer_keep_alive",
           "{\"dest\":{\"id\":\"" + validator_ss58 + "\"},\"value\":" + fund + "}"},
    }));
    const std::string register_args =
        "{\"hotkey\":\"" + Bootstrap::ss58(owner_hot->keypair.public_key) + "\"}";
    PYLON_ASSIGN(auto added, b.block_of({Tx{&*owner, "SubtensorModule.register_network", register_args},
                                         Tx{&*owner, "SubtensorModule.register_network", register_args}}));
    std::uint16_t netuids[2];
    for (int k = 0; k < 2; ++k) {
      PYLON_ASSIGN(netuids[k], Bootstrap::added_network(added[k]));
    }
    // Three registrations a subnet, one a subnet in each block: the runtime limits registrations
    // per subnet per block (MaxRegistrationsPerBlock). The hyperparameters go with the first.
    const keys::Keypair* registrants[3] = {&*owner, &sudo, &sudo};
    const pylon::keys::PublicKey* hotkeys[3] = {&validator->public_key, &miner1->keypair.public_key,
                                                &miner2->keypair.public_key};
    for (int r = 0; r < 3; ++r) {
      std::vector<Tx> txs;
      for (std::uint16_t n : netuids) {
        const std::string nu = std::to_string(n);
        txs.push_back(Tx{registrants[r], "SubtensorModule.burned_register",
                         "{\"netuid\":" + nu + ",\"hotkey\":\"" + Bootstrap::ss58(*hotkeys[r]) + "\"}"});
        if (r != 0) continue;
        txs.push_back(Bootstrap::sudo(sudo, "AdminUtils", "sudo_set_weights_set_rate_limit",
                                      "{\"netuid\":" + nu + ",\"weights_set_rate_limit\":0}"));
        txs.push_back(Bootstrap::sudo(
            sudo, "AdminUtils", "sudo_set_commit_reveal_weights_enabled",
            "{\"netuid\":" + nu + ",\"enabled\":" + (n == netuids[1] ? "true" : "false") + "}"));
      }
      PYLON_TRY(b.block_of(txs));
    }
    // DurationOfStartCall is 10 blocks on this runtime, counted from the registration's block,
    // three of which have passed.
    PYLON_TRY(b.blocks(8));
    // Staking opens with start_call: before it the runtime refuses add_stake, and the pool checks
    // each extrinsic against the block before, so the stakes go in the block after.
    std::vector<Tx> start, stake;
    for (std::uint16_t n : netuids) {
      const std::string nu = std::to_string(n);
      start.push_back(Tx{&*owner, "SubtensorModule.start_call", "{\"netuid\":" + nu + "}"});
      stake.push_back(Tx{&*owner, "SubtensorModule.add_stake",
                         "{\"hotkey\":\"" + validator_ss58 + "\",\"netuid\":" + nu +
                             ",\"amount_staked\":" + std::to_string(10'000 * kTao) + "}"});
    }
    PYLON_TRY(b.block_of(start));
    PYLON_TRY(b.block_of(stake));
    // Validator permits are computed at each epoch (tempo 10 here): make blocks until both exist.
    for (int round = 0; round < 12; ++round) {
      PYLON_TRY(b.blocks(10));
      PYLON_ASSIGN(bool p0, b.has_permit(netuids[0], pylon::AccountId(validator->public_key)));
      PYLON_ASSIGN(bool p1, b.has_permit(netuids[1], pylon::AccountId(validator->public_key)));
      if (p0 && p1) return std::pair{netuids[0], netuids[1]};
    }
    return pylon::make_error("the validator has no permit after 120 blocks");
  };
  auto r = run();
  if (!r.ok()) return fail(r.error().message);
  std::printf(
      "{\"netuid\":%u,\"netuid_commit_reveal\":%u,\"validator_hotkey\":\"%s\",\"owner_coldkey\":\"%s\","
      "\"sudo\":\"%s\"}\n",
      r->first, r->second, validator_ss58.c_str(), owner_ss58.c_str(), alice_ss58.c_str());
  return 0;
}

}  // namespace

PYLON_COMMAND("localnet", "prepare the bundled local chain (localnet bootstrap ...)", localnet);

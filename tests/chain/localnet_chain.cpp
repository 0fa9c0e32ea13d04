#include "localnet_chain.hpp"

#include "chain/storage_key.hpp"
#include "codec/ss58.hpp"
#include "extrinsic/call.hpp"
#include "keys/derive.hpp"
#include "localnet_env.hpp"

namespace pylon::net::testing {

std::unique_ptr<LocalnetChain> connect_localnet(RpcClientOptions options) {
  auto c = std::make_unique<LocalnetChain>();
  options.endpoints = {LocalnetEnv::get().url()};
  auto rpc = RpcClient::create(c->net, std::move(options));
  if (!rpc.ok()) return nullptr;
  c->rpc = std::move(rpc).value();
  if (!c->rpc->wait_connected(std::chrono::seconds(20)).ok()) return nullptr;
  c->chain = std::make_unique<chain::ChainClient>(*c->rpc);
  return c;
}

Result<BlockHash> new_blocks(RpcClient& rpc, std::uint32_t count,
                             std::optional<std::chrono::milliseconds> timeout) {
  PYLON_ASSIGN(std::string made,
               rpc.call("dev_newBlock", "[{\"count\":" + std::to_string(count) + "}]", timeout));
  if (made.size() < 2) return make_error("dev_newBlock answered " + made);
  return chain::parse_hash(std::string_view(made).substr(1, made.size() - 2));  // a JSON string
}

BlockMaker::BlockMaker(RpcClient& rpc, std::chrono::milliseconds every, std::function<bool()> after)
    : rpc_(rpc), thread_([this, every, after = std::move(after)] {
        // Kept: `after` is a caller's condition with no event (polled), and `every` is the block
        // time this thread plays the chain's block author with: the pause is the point.
        while (!stop_ && after && !after()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        while (!stop_) {
          std::this_thread::sleep_for(every);
          (void)rpc_.call("dev_newBlock", "[{\"count\":1}]");
        }
      }) {}

BlockMaker::~BlockMaker() {
  stop_ = true;
  thread_.join();
}

Result<chain::BlockRef> finalized_block(chain::ChainClient& c) {
  PYLON_ASSIGN(BlockHash h, c.finalized_head());
  PYLON_ASSIGN(chain::Header hdr, c.header(h));
  return chain::BlockRef{h, hdr.number};
}

Result<chain::BlockRef> best_block(RpcClient& rpc, chain::ChainClient& c) {
  PYLON_ASSIGN(std::string answer, rpc.call("chain_getBlockHash", "[]"));
  if (answer.size() < 4) return make_error("chain_getBlockHash answered " + answer);
  PYLON_ASSIGN(BlockHash h, chain::parse_hash(std::string_view(answer).substr(1, answer.size() - 2)));
  PYLON_ASSIGN(chain::Header hdr, c.header(h));
  return chain::BlockRef{h, hdr.number};
}

Result<std::optional<Bytes>> read_storage(chain::ChainClient& c, std::string_view pallet,
                                          std::string_view item, const std::vector<Bytes>& keys,
                                          const chain::BlockRef& at) {
  PYLON_ASSIGN(auto md, c.metadata(at.hash));
  PYLON_ASSIGN(Bytes key, chain::storage_key(*md, pallet, item, keys));
  return c.storage(key, at);
}

Result<extrinsic::SignedExtrinsic> sign_call(chain::ChainClient& c, const keys::Keypair& who,
                                             std::string_view call, std::string_view args) {
  PYLON_ASSIGN(chain::BlockRef at, finalized_block(c));
  PYLON_ASSIGN(auto md, c.metadata(at.hash));
  PYLON_ASSIGN(chain::RuntimeVersion v, c.runtime_version(at.hash));
  PYLON_ASSIGN(Bytes encoded, extrinsic::encode_call_json(*md, call, args));
  extrinsic::TxParams p;
  PYLON_ASSIGN(p.genesis_hash, c.genesis_hash());
  p.spec_version = v.spec_version;
  p.tx_version = v.transaction_version;
  PYLON_ASSIGN(p.nonce, c.account_nonce(AccountId(who.public_key)));
  p.mortal = extrinsic::Mortality{64, at.number, at.hash};
  return extrinsic::build_signed(*md, encoded, who, p);
}

Result<chain::TxOutcome> sign_and_seal(chain::ChainClient& c, const keys::Keypair& who, std::string_view call,
                                       std::string_view args) {
  PYLON_ASSIGN(auto x, sign_call(c, who, call, args));
  PYLON_ASSIGN(chain::TxOutcome out, c.submit_and_seal(x.bytes));
  if (!out.success) return make_error(std::string(call) + " failed: " + out.error);
  return out;
}

Result<std::uint16_t> register_subnet(chain::ChainClient& c, const keys::Keypair& owner,
                                      const std::string& hotkey_ss58, std::uint64_t fund_rao) {
  PYLON_TRY(sign_and_seal(c, owner, "Sudo.sudo",
                          R"({"call":{"AdminUtils":{"sudo_set_network_rate_limit":{"rate_limit":0}}}})"));
  if (fund_rao > 0)
    PYLON_TRY(sign_and_seal(
        c, owner, "Balances.transfer_keep_alive",
        R"({"dest":{"id":")" + hotkey_ss58 + R"("},"value":)" + std::to_string(fund_rao) + "}"));
  PYLON_ASSIGN(chain::TxOutcome reg, sign_and_seal(c, owner, "SubtensorModule.register_network",
                                                   R"({"hotkey":")" + hotkey_ss58 + R"("})"));
  for (const auto& e : reg.events)
    if (e.pallet == "SubtensorModule" && e.name == "NetworkAdded" && !e.data.items.empty())
      return static_cast<std::uint16_t>(e.data.items[0].uint);
  return make_error("register_network: no NetworkAdded event");
}

std::optional<LocalnetSetup> localnet_setup() {
  RpcClientOptions options;
  options.request_timeout = std::chrono::seconds(60);
  auto chain = connect_localnet(options);
  if (!chain) {
    ADD_FAILURE() << "no local chain";
    return std::nullopt;
  }
  auto alice = keys::key_from_uri("//Alice");
  if (!alice.ok()) {
    ADD_FAILURE() << alice.error().message;
    return std::nullopt;
  }
  return LocalnetSetup{std::move(chain), std::move(alice->keypair)};
}

Result<std::uint16_t> register_owned_subnet(LocalnetSetup& setup, const keys::Keypair& hotkey) {
  PYLON_TRY(new_blocks(*setup.chain->rpc, 1));
  return register_subnet(*setup.chain->chain, setup.alice, codec::ss58_encode(hotkey.public_key),
                         100000000000);
}

Bytes u16_key(std::uint16_t v) {
  return Bytes{static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}

}  // namespace pylon::net::testing

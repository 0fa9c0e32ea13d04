// A chain client on the binary's local chain (LocalnetEnv) and the chain plumbing the localnet
// tests share: blocks on request (chopsticks runs in manual mode, so nothing is built unless a
// test asks), the finalized and best heads, and raw storage reads with keys built from the
// metadata of the block read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "chain/chain_client.hpp"
#include "extrinsic/signed.hpp"
#include "keys/sr25519.hpp"
#include "net/net_context.hpp"
#include "net/rpc_client.hpp"

namespace pylon::net::testing {

struct LocalnetChain {
  NetContext net;
  std::unique_ptr<RpcClient> rpc;
  std::unique_ptr<chain::ChainClient> chain;
};

// Connects to LocalnetEnv's chain (the endpoint is filled in) and waits up to 20 s for the
// socket; nullptr when that fails.
std::unique_ptr<LocalnetChain> connect_localnet(RpcClientOptions options = {});

// dev_newBlock: chopsticks builds `count` blocks; the hash of the last one. The timeout is the
// client's unless given (many blocks at once can take longer than a request usually may).
Result<BlockHash> new_blocks(RpcClient& rpc, std::uint32_t count,
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt);

// Blocks from another thread while it lives, one about every `every` (300 ms), so that whatever
// waits for inclusion (a submission, the committer's window) gets there however slow the build.
// With `after`, only once that holds (e.g. so an epoch cannot move before a daemon has acted).
class BlockMaker {
 public:
  explicit BlockMaker(RpcClient& rpc, std::chrono::milliseconds every = std::chrono::milliseconds(300),
                      std::function<bool()> after = {});
  ~BlockMaker();
  BlockMaker(const BlockMaker&) = delete;
  BlockMaker& operator=(const BlockMaker&) = delete;

 private:
  RpcClient& rpc_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The finalized head with its number.
Result<chain::BlockRef> finalized_block(chain::ChainClient& c);
// The best head (chain_getBlockHash without a number) with its number.
Result<chain::BlockRef> best_block(RpcClient& rpc, chain::ChainClient& c);

// pallet.item(keys...) at `at` as stored (nullopt: no value), the key built from that block's
// metadata.
Result<std::optional<Bytes>> read_storage(chain::ChainClient& c, std::string_view pallet,
                                          std::string_view item, const std::vector<Bytes>& keys,
                                          const chain::BlockRef& at);

// `call` (Pallet.call, its arguments as JSON by field name) signed by `who` for the finalized head:
// that block's runtime, the account's next nonce, mortal for 64 blocks. For a test's own setup and
// probes; what is under test signs through the Submitter.
Result<extrinsic::SignedExtrinsic> sign_call(chain::ChainClient& c, const keys::Keypair& who,
                                             std::string_view call, std::string_view args);

// sign_call, then submitted and sealed into a block of its own; a call the chain refuses (its
// dispatch failed) is an error naming the call.
Result<chain::TxOutcome> sign_and_seal(chain::ChainClient& c, const keys::Keypair& who, std::string_view call,
                                       std::string_view args);

// A subnet registered by `owner` (a funded coldkey that is also the chain's sudo key, e.g. //Alice)
// with `hotkey_ss58` as its owner hotkey (uid 0), after lifting the network rate limit; with
// `fund_rao` > 0 that much is first moved to the hotkey for its fees. The netuid NetworkAdded names.
Result<std::uint16_t> register_subnet(chain::ChainClient& c, const keys::Keypair& owner,
                                      const std::string& hotkey_ss58, std::uint64_t fund_rao = 0);

// What the local-chain REST tests start from: the chain, its requests allowed 60 s (chopsticks
// builds a block in seconds on a loaded machine), and //Alice, the chain's sudo key and the funded
// owner of the tests' subnets. nullopt (with the reason as a test failure) when either is missing.
struct LocalnetSetup {
  std::unique_ptr<LocalnetChain> chain;
  keys::Keypair alice;
};
std::optional<LocalnetSetup> localnet_setup();

// A subnet owned by //Alice whose owner hotkey (uid 0) is `hotkey`, funded with 100 TAO for its
// fees: register_subnet after a fresh block.
Result<std::uint16_t> register_owned_subnet(LocalnetSetup& setup, const keys::Keypair& hotkey);

// A u16 storage key part (netuid, uid) as the hashers take it: little-endian.
Bytes u16_key(std::uint16_t v);

}  // namespace pylon::net::testing

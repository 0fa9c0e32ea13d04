// Fuzzes ChainClient's reading of a node's answers behind a scripted transport: the first line
// names the method, each further line is the node's next answer (tests/chain/scripted_transport.hpp).
// Whatever the node says, the client returns a value or an error with a kind, never crashes.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <string_view>

#include "../chain/scripted_transport.hpp"
#include "chain/chain_client.hpp"

using namespace pylon;
using namespace pylon::chain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  testing::ScriptedTransport node(nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1));
  ChainClient chain(node);
  const Bytes bytes{0x2c, 0x04, 0x00};
  const BlockRef at{BlockHash{}, 7};
  auto kinded = [](const auto& r) {  // every error says what kind of failure it is
    if (!r.ok() && r.error().domain == nullptr) std::abort();
  };
  const std::map<std::string_view, std::function<void()>> ops = {
      {"genesis_hash", [&] { kinded(chain.genesis_hash()); }},
      {"block_hash", [&] { kinded(chain.block_hash(7)); }},
      {"finalized_head", [&] { kinded(chain.finalized_head()); }},
      {"best_hash", [&] { kinded(chain.best_hash()); }},
      {"header", [&] { kinded(chain.header(BlockHash{})); }},
      {"runtime_version", [&] { kinded(chain.runtime_version(at)); }},
      {"metadata", [&] { kinded(chain.metadata(at)); }},
      {"timestamp", [&] { kinded(chain.timestamp(at)); }},
      {"block_extrinsics", [&] { kinded(chain.block_extrinsics(at)); }},
      {"state_call", [&] { kinded(chain.state_call("Api_method", bytes, at)); }},
      {"storage", [&] { kinded(chain.storage(bytes, at)); }},
      {"storage_by_prefix", [&] { kinded(chain.storage_by_prefix(bytes, at, 2)); }},
      {"account_nonce", [&] { kinded(chain.account_nonce(AccountId{})); }},
      {"outcome_in_block", [&] { kinded(chain.outcome_in_block(BlockHash{}, bytes)); }},
      {"submit_and_seal", [&] { kinded(chain.submit_and_seal(bytes)); }},
      {"submit_and_watch",
       [&] { kinded(chain.submit_and_watch(bytes, std::chrono::milliseconds(0), false)); }},
      {"submit_and_watch_finalized",
       [&] { kinded(chain.submit_and_watch(bytes, std::chrono::milliseconds(0), true)); }},
  };
  if (auto op = ops.find(in.substr(0, nl)); op != ops.end()) op->second();
  return 0;
}

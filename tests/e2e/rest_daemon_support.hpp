// What the REST daemon tests (rest_daemon_*_test.cpp) share: the fixture that runs one
// `build/pylon run` on the bootstrapped local chain's plain subnet for the whole suite, and the
// means to check its answers against the chain as the tests themselves read it, never against
// Pylon's own word: raw RPC (block hashes, block bodies, dev_newBlock), storage decoded here,
// subtensor's epoch formula walked block by block, and the daemon's SQLite store opened read-only.
//
// The fixture's daemon (plain subnet, the bootstrap's owner coldkey next to the shared hotkey) is
// started by the first test of the suite, whichever file and order it comes in, and stopped after
// the last (gtest runs a suite's tests together, also when shuffled). Its statics are defined once,
// in rest_daemon_support.cpp.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/hex.hpp"
#include "daemon_harness.hpp"
#include "localnet_chain.hpp"
#include "net/rpc_client.hpp"

namespace pylon::e2e {

struct Json {
  explicit Json(const std::string& text) { ok = !parser.parse(text).get(root); }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

// A field of a JSON object: ~0 / "" when it is missing or of another type.
std::uint64_t u64_of(const simdjson::dom::element& e, const char* field);
std::string str_of(const simdjson::dom::element& e, const char* field);

// An error answer as the API promises them: {"detail": text, "error": code}.
::testing::AssertionResult is_error(const HttpAnswer& a, int status, std::string_view code);

using net::testing::u16_key;

// A websocket client of the test's own on the local chain: raw RPC (chain_getBlockHash,
// chain_getBlock, dev_newBlock) beside the harness's ChainProbe.
struct Rpc {
  Rpc();
  // The JSON text of the call's result ("" on failure).
  std::string call(const std::string& method, const std::string& params = "[]");
  // chain_getBlockHash(n): "0x…", or "" when the chain has no such block.
  std::string block_hash(std::uint64_t n);
  // blake2-256 of every extrinsic in the block, hex.
  std::vector<std::string> extrinsic_hashes(const std::string& block_hash);
  // The first block in [from, to] holding the extrinsic of that hash.
  std::optional<std::uint64_t> find_extrinsic(std::uint64_t from, std::uint64_t to, const std::string& hash);

  net::NetContext net;
  std::unique_ptr<net::RpcClient> client;
};

// Blocks while a write waits for inclusion: the local-chain tests' one block maker, on the Rpc's
// client (with `after`, only once that holds).
using net::testing::BlockMaker;

// Chain storage read by the test: Pallet.Item(keys) at `at`, or the entry's default when absent.
std::optional<Bytes> storage_value(chain::ChainClient& c, const chain::BlockRef& at, std::string_view pallet,
                                   std::string_view item, const std::vector<Bytes>& keys);
std::optional<std::uint64_t> storage_uint(chain::ChainClient& c, const chain::BlockRef& at,
                                          std::string_view pallet, std::string_view item,
                                          const std::vector<Bytes>& keys);

// The block a daemon-side number names, as the chain has it.
chain::BlockRef block_ref(Rpc& rpc, std::uint64_t n);

// Subtensor's blocks_until_next_epoch(netuid, tempo, block) (seed-rest.md), and the epoch holding
// `block` found by walking it: from the last block where it is 0 up to the next one. Deliberately
// not Pylon's closed form, so the two are checked against each other.
std::uint64_t blocks_until_next_epoch(std::uint16_t netuid, std::uint64_t tempo, std::uint64_t block);
std::pair<std::uint64_t, std::uint64_t> epoch_by_walk(std::uint16_t netuid, std::uint64_t tempo,
                                                      std::uint64_t block);

// The daemon's SQLite store, opened read-only by the test: the weights of (netuid, epoch).
std::map<std::string, double> stored_weights(const std::string& db, std::uint16_t netuid,
                                             std::uint64_t epoch);
// Every row of the weights table (any epoch), to show that a refused request changed nothing.
std::string whole_weights_table(const std::string& db);
// How many commit attempts of (netuid, epoch) the store holds.
int stored_attempts(const std::string& db, std::uint16_t netuid, std::uint64_t epoch);

std::uint64_t latest_block(std::uint16_t port);

// Waits until the daemon's latest snapshot is the chain's head (the daemon follows finalized
// heads, which chopsticks finalizes at once); returns that head, 0 when it never got there.
std::uint64_t caught_up(DaemonProcess& d, ChainProbe& probe);

// A wallet folder for the daemon: the shared `pylon` hotkey and, as the wallet's coldkey, a copy of
// `coldkey_dir`'s coldkey files (the bootstrap's subnet owner, or a stranger).
std::string make_wallets(const std::string& root, const std::string& coldkey_dir);

struct Neuron {
  std::string hotkey;
  std::uint16_t uid = 0;
};

class RestDaemonLocalnet : public DaemonLocalnetTest {
 protected:
  struct Shared {
    keys::test::TempDir dir;
    std::string owner_password;  // empty: the bootstrap's owner coldkey is not usable here
    std::unique_ptr<DaemonProcess> daemon;
    std::unique_ptr<ChainProbe> probe;
    std::unique_ptr<Rpc> rpc;
    std::string me;  // the shared hotkey, SS58
    std::uint16_t my_uid = 0xffff;
    std::uint64_t first_block = 0;  // the daemon's first snapshot
    std::vector<Neuron> others;     // every other neuron of the subnet
    std::string start_error;
  };
  static Shared* shared_;

  static void TearDownTestSuite();
  void SetUp() override;
  static void start_shared();

  // The daemon caught up with the chain in an epoch whose store holds no weights yet: the current
  // one, or else the next (blocks are made up to it). {head, epoch}; head 0 when it never caught up.
  // Why: a commit then carries exactly the weights the test writes, whatever ran before it.
  std::pair<std::uint64_t, std::uint64_t> empty_weights_epoch();

  std::uint16_t netuid = 0;
  DaemonProcess* d = nullptr;
  ChainProbe* probe = nullptr;
  Rpc* rpc = nullptr;
};

}  // namespace pylon::e2e

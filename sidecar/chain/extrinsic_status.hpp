// The notifications of author_submitAndWatchExtrinsic: a transaction's status in the node's pool
// (Substrate's TransactionStatus, serialized as "ready" or {"inBlock":"0x…"}), parsed from the
// node's untrusted JSON into a typed value (fuzzed by tests/fuzz/fuzz_chain_notification.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/ids.hpp"
#include "common/result.hpp"

namespace pylon::chain {

struct ExtrinsicStatus {
  enum class Kind {
    kFuture,           // in the pool, waiting for an earlier nonce
    kReady,            // in the pool, ready to go into a block
    kBroadcast,        // sent to peers
    kInBlock,          // in a block (`block`), not final yet
    kRetracted,        // the block it was in left the best chain
    kFinalityTimeout,  // its block was not finalized in time: the node stops watching
    kFinalized,        // in a finalized block (`block`)
    kUsurped,          // another transaction took its place (same sender and nonce)
    kDropped,          // pushed out of a full pool
    kInvalid,          // no longer valid
  };
  Kind kind = Kind::kReady;
  std::optional<BlockHash> block;  // kInBlock, kRetracted, kFinalityTimeout, kFinalized
  // Whether the node stops watching the transaction after this one.
  bool final() const {
    return kind == Kind::kFinalized || kind == Kind::kUsurped || kind == Kind::kDropped ||
           kind == Kind::kInvalid || kind == Kind::kFinalityTimeout;
  }
};

// One notification's "result". An error (ChainErrc::kBadAnswer) for anything else: not JSON, an
// unknown status, a block that is not a 32-byte hex hash.
Result<ExtrinsicStatus> parse_extrinsic_status(std::string_view json);

}  // namespace pylon::chain

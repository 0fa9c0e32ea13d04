// Reading ahead: a block's reads asked all at once instead of one round trip each.
//
// Following many subnets, every finalized block asks the node the same questions for each subnet
// as the block before did, only at a new block hash: its neurons, hyperparameters, subnet state,
// mechanisms, epoch storage, commitments; about nine requests a subnet, each a round trip that
// wakes the network thread and the caller. Most of a block's CPU went into those wakeups, not
// into decoding. So a build records the requests it made (ReadPattern, while a
// ChainClient::Recording is alive on its thread), and at the next block ChainClient::read_ahead
// sends the recorded requests of several subnets at once, at the new block, pipelined on the one
// connection (net::RpcTransport::call_all); the builds then find each answer waiting instead of
// asking. The questions are learned, not listed, so no second list of what a build reads has to
// be kept in step with the code that reads (and reads that depend on earlier answers, such as the
// commitments under a prefix, are learned as well).
//
// Nothing is decided from a waiting answer that would not be decided from the node's: it is the
// node's answer to exactly that request (method and parameters, block hash included), and a
// block's state never changes. Errors are not kept: a read whose read-ahead failed asks again and
// sees its own error. A request the pattern did not foresee is asked as before; one it foresaw
// that is not asked again only costs its answer, dropped at the next read_ahead.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pylon::chain {

// The block-bound requests one build made, with the block hash taken out of their parameters.
// Thread contract: filled by the thread that records into it, read by read_ahead on that thread.
class ReadPattern {
 public:
  std::size_t size() const { return calls_.size(); }
  bool empty() const { return calls_.empty(); }
  void clear() { calls_.clear(); }

 private:
  friend class ChainClient;
  struct Call {
    std::string method;
    std::string before_hash;  // the parameters' JSON up to the block hash's hex
    std::string after_hash;   // and after it
  };
  std::vector<Call> calls_;
};

}  // namespace pylon::chain

// A loopback WebSocket JSON-RPC "node" that answers from recorded finney traffic, for tests and
// benchmarks of the chain client and the follower. It never invents an answer: a request that was
// not recorded gets a JSON-RPC error naming the method. What it adds to the recording, each rule
// derived from recorded data:
//   - metadata (state_call Metadata_metadata_at_version 0x0f000000, state_getMetadata) from
//     chain/finney-metadata-v15.option.hex, for blocks whose runtime is that file's spec (343);
//   - state_getRuntimeVersion(B) when only B's parent was recorded (the recorder, substrate-interface,
//     asks at the parent): the parent's answer. It differs only if B itself upgraded the runtime;
//   - the finalized head (chain_getFinalizedHead, chain_getHeader with no hash, chain_getBlockHash
//     with no number, and the chain_subscribeFinalizedHeads notification) is the recorded block
//     (chain_getHead's answer);
//   - synthetic blocks, only when the test or benchmark calls advance_head(): block N+k gets a made-up
//     hash (the recorded hash with its last 8 bytes = the number), a header whose parentHash is the
//     previous one, and every request at that hash is answered as at the recorded block N. They
//     model "new blocks with the same state", which is all a follower benchmark needs;
//   - state_getStorage(key, B) is answered from state_getStorageAt(key, B) when only that name was
//     recorded: the node serves both names with one method (state_getStorageAt is the alias).
// Faults (set_fault) make the node misbehave on purpose: drop connections, stall, garble answers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "recording.hpp"

namespace pylon::replay {

struct ReplayOptions {
  std::string shared_dir;              // holds chain/finney-recordings.json and the metadata file
  std::string scenario = "metagraph";  // block 6852690, netuid 1, spec 343
};

enum class Fault {
  kNone,
  kDrop,             // open connections are closed; new ones are accepted and closed at once
  kStall,            // requests are read and never answered (pushed notifications still go out)
  kGarble,           // every answer is cut in half: the frame is not JSON
  kCutLargeAnswers,  // answers over 64 KiB stop halfway through the message and the socket closes
};

class ReplayServer {
 public:
  // Loads the recordings and starts listening on 127.0.0.1 at an ephemeral port.
  static Result<std::unique_ptr<ReplayServer>> start(const ReplayOptions& options);
  ~ReplayServer();
  ReplayServer(const ReplayServer&) = delete;
  ReplayServer& operator=(const ReplayServer&) = delete;

  std::string url() const;
  std::uint64_t recorded_number() const;
  const std::string& recorded_hash() const;  // canonical hex
  const Recording& recording() const;

  void set_fault(Fault f);
  // Consulted before the recording: (method, canonical params) -> result JSON, or nullopt to go on.
  // Synthetic hashes in the params are already mapped onto the recorded block. Runs on the server
  // thread.
  using Override =
      std::function<std::optional<std::string>(std::string_view method, std::string_view params)>;
  void set_override(Override o);

  // Makes the next synthetic block the finalized head and notifies every subscriber. Returns its number.
  std::uint64_t advance_head();
  std::uint64_t head_number() const;

  int connections() const;         // accepted so far
  std::uint64_t answered() const;  // requests answered (results and errors)
  // Answers every batch of requests (a JSON array) with one error for no id, as a node with
  // batches disabled does (jsonrpsee: -32005). Single requests are answered as before.
  void refuse_batches(bool refuse);
  // Requests received with this method (answered or not): which node was asked for what.
  std::uint64_t requests(std::string_view method) const;

  // Acts as a pruned (non-archive) node whose state of the recorded block is gone: every state
  // read (state_call, state_getStorage, state_getKeysPaged, state_queryStorageAt,
  // state_getRuntimeVersion, state_getMetadata) is refused with the error finney gave in the
  // retry_archive recording (code 4003, "State already discarded for <hash>"). Blocks and headers
  // are still served.
  void set_state_pruned(bool pruned);

  // state_subscribeRuntimeVersion is served: the subscriber gets the recorded block's runtime
  // version at once (as a node sends the current one), then whatever this pushes (a runtime
  // version JSON object, e.g. with a higher specVersion to announce an upgrade).
  void announce_runtime_version(std::string version_json);
  // The recorded block's runtime version answer (JSON), as served.
  std::string recorded_runtime_version() const;

  struct Impl;

 private:
  explicit ReplayServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// The shared folder: env PYLON_SHARED_DIR, else the build's default; empty when the recordings
// are not there.
std::string find_shared_dir(const char* build_default);

}  // namespace pylon::replay

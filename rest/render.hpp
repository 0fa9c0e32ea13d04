// JSON bodies of the read endpoints, built from one snapshot. A RenderedSnapshot renders each
// body the first time it is asked for and keeps it, so every later response for that snapshot
// shares the same bytes. prepare(), run when the snapshot is published, renders them all and
// keeps the large ones compressed beside them (rest/compress.hpp).
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "follower/snapshot.hpp"
#include "rest/compress.hpp"
#include "rest/http_types.hpp"

namespace pylon::rest {

// Numbers as Python's json prints floats: shortest round-trip text, always with a fraction or
// exponent so clients typed for floats read floats.
void append_float(std::string& out, double v);
// Stored weights as the weights endpoints answer them: {"<ss58 hotkey>": weight, ...}.
void append_weight_map(std::string& out, const std::map<AccountId, double>& weights);
// The axon's IP as text: dotted IPv4, IPv6, "0.0.0.0" when unset.
std::string ip_text(const codec::views::AxonInfo& axon);

// One neuron's object as /metagraph renders it, without its closing brace: the v1 Neuron is the
// same object with `stakes` added (rest/v1/render.cpp).
void append_neuron_fields(std::string& out, const codec::views::NeuronLite& n, std::string_view hotkey,
                          std::string_view coldkey);
std::string render_metagraph(const follower::Snapshot& s);
// /metagraph?mechanism=N for N >= 1: the same object with mechanism m's incentive and last_update
// in place of the subnet's own (mechanism 0's); every other field is the subnet's in every
// mechanism. Not kept with the snapshot: rendered per request.
std::string render_metagraph(const follower::Snapshot& s, const follower::MechanismNeurons& m);
std::string render_latest_block(const follower::Snapshot& s);
std::string render_block_hash(const BlockHash& h);
// The subnet's hyperparameters by the chain's field names; requires s.hyperparams.
std::string render_hyperparams(const follower::Snapshot& s);
// {hotkey: "0x…"} of every commitment; requires s.commitments.
std::string render_commitments(const follower::Snapshot& s);

// Thread contract: every member function is safe from any thread at once; each body is made once.
class RenderedSnapshot {
 public:
  // The bodies kept compressed too: those of a whole snapshot, large enough for it to pay.
  enum class Body : std::uint8_t {
    metagraph,
    hyperparams,
    commitments,
    v1_commitments,
    v1_neurons,
    v1_validators
  };
  static constexpr std::size_t kBodies = 6;

  explicit RenderedSnapshot(follower::SnapshotPtr s) : snap_(std::move(s)) {}
  const follower::SnapshotPtr& snapshot() const { return snap_; }

  // Safe from any thread: each body is rendered once, by the first caller, and then shared.
  const std::shared_ptr<const std::string>& metagraph();
  // The same bytes in a file for sendfile (null when no file could be made).
  const std::shared_ptr<const FileBody>& metagraph_file();
  const std::shared_ptr<const std::string>& latest_block();
  const std::shared_ptr<const std::string>& block_hash();
  const std::shared_ptr<const std::string>& hyperparams();  // null when the snapshot has none
  const std::shared_ptr<const std::string>& commitments();  // null when the snapshot has none
  // The /api/v1 bodies (rest/v1/render.hpp), cached beside the legacy ones.
  const std::shared_ptr<const std::string>& v1_block_latest();
  const std::shared_ptr<const std::string>& v1_commitments();  // null when the snapshot has none
  const std::shared_ptr<const std::string>& v1_neurons();      // null without stakes
  const std::shared_ptr<const std::string>& v1_validators();   // null without stakes

  // Renders every body and compresses those of Body (compress_body), once, whichever thread calls
  // first; the others wait for it. Api::prepare_latest calls it on a worker when the follower
  // publishes the snapshot, so no request pays for compressing.
  void prepare();
  bool prepared() const { return prepared_.load(std::memory_order_acquire); }
  // The compressed forms of a body: null until prepare() finished, when the body is absent or
  // small, and for snapshots never prepared (those built for one request at a block not kept):
  // a request never compresses, it gets identity instead. Never blocks.
  std::shared_ptr<const CompressedBody> compressed(Body b) const;
  // A 200 answer of the body with its compressed forms when they are ready (the body must exist:
  // hyperparams, commitments and the v1 bodies may be null, see above).
  Response response(Body b);

 private:
  const std::shared_ptr<const std::string>& body(Body b);
  follower::SnapshotPtr snap_;
  std::shared_ptr<const std::string> metagraph_, latest_block_, block_hash_, hyperparams_, commitments_;
  std::shared_ptr<const FileBody> metagraph_file_;
  std::once_flag metagraph_once_, metagraph_file_once_, latest_block_once_, block_hash_once_,
      hyperparams_once_, commitments_once_;
  std::shared_ptr<const std::string> v1_block_latest_, v1_commitments_, v1_neurons_, v1_validators_;
  std::once_flag v1_block_latest_once_, v1_commitments_once_, v1_neurons_once_, v1_validators_once_;
  // Written once inside prepare_once_, before prepared_ is set (release); read only after an
  // acquire load of prepared_ saw it set.
  std::once_flag prepare_once_;
  std::array<std::shared_ptr<const CompressedBody>, kBodies> compressed_;
  std::atomic<bool> prepared_{false};
};

}  // namespace pylon::rest

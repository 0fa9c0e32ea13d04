// Signs and submits extrinsics for one key, one at a time (so nonces never race): builds the call
// from the metadata of the block at hand, signs it mortal, lets the caller persist the signed
// bytes and nonce before they leave the process, submits and watches to inclusion (or finality),
// and reads the outcome by name from the block's events. On a stale or too-low-priority nonce
// it re-reads the nonce and tries once more.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "chain/chain_client.hpp"
#include "common/sync.hpp"
#include "extrinsic/signed.hpp"
#include "keys/sr25519.hpp"

namespace pylon::committer {

struct SubmitterOptions {
  std::uint64_t mortal_period = 64;  // blocks
  std::chrono::milliseconds timeout{120000};
  bool wait_finalized = false;
};

struct Prepared {
  extrinsic::SignedExtrinsic signed_tx;
  std::uint64_t nonce = 0;
  std::uint64_t block = 0;         // the checkpoint block it was built at
  std::uint64_t mortal_until = 0;  // last block it can be included in
};

struct Submitted {
  Prepared prepared;
  chain::TxOutcome outcome;
};

class Submitter {
 public:
  // The keypair is moved in and zeroed when the submitter goes away.
  Submitter(chain::ChainClient& chain, keys::Keypair signer, SubmitterOptions options = {});

  AccountId account() const;

  // `call` is "Pallet.call_name", `args_json` its arguments as JSON (extrinsic::encode_call_json).
  // `before_submit` runs with the signed bytes before anything is sent; if it fails, nothing is
  // sent and its error is returned (this is where the committer persists the attempt).
  // `on_accepted` runs once the node has taken the extrinsic into its pool, before inclusion is
  // awaited (POST /force_commit_weights answers there).
  Result<Submitted> submit(std::string_view call, std::string_view args_json, const chain::BlockRef& at,
                           const std::function<Status(const Prepared&)>& before_submit = {},
                           const std::function<void(const Prepared&)>& on_accepted = {});

  // Whether a submission error is the node refusing the nonce (stale or future, or a transaction
  // with the same nonce already in the pool: too low priority), where re-reading the nonce helps.
  // Decided from the error's kind, the node's JSON-RPC code and its data, never from the message.
  static bool is_nonce_refusal(const Error& error);

  // submit() watching for at most `timeout` instead of SubmitterOptions::timeout: a REST write
  // (POST /api/v1/.../commitments) bounds each attempt by its own rule and the request's deadline
  // while sharing this submitter, and so the key's nonces, with the committer.
  Result<Submitted> submit_within(std::chrono::milliseconds timeout, std::string_view call,
                                  std::string_view args_json, const chain::BlockRef& at);

 private:
  Result<Submitted> submit_with(std::chrono::milliseconds timeout, std::string_view call,
                                std::string_view args_json, const chain::BlockRef& at,
                                const std::function<Status(const Prepared&)>& before_submit,
                                const std::function<void(const Prepared&)>& on_accepted);

  Result<Prepared> prepare(const codec::Metadata& md, ByteSpan call, const chain::BlockRef& at)
      PYLON_REQUIRES(mu_);

  chain::ChainClient& chain_;
  keys::Keypair signer_;
  SubmitterOptions options_;
  Mutex mu_;  // one submission at a time: nonces never race
  std::optional<BlockHash> genesis_ PYLON_GUARDED_BY(mu_);
};

}  // namespace pylon::committer

#include "committer/submitter.hpp"

#include <algorithm>
#include <cctype>

#include "extrinsic/call.hpp"
#include "extrinsic/era.hpp"

namespace pylon::committer {

Submitter::Submitter(chain::ChainClient& chain, keys::Keypair signer, SubmitterOptions options)
    : chain_(chain), signer_(std::move(signer)), options_(options) {}

const keys::PublicKey& Submitter::account() const {
  return signer_.public_key;
}

bool Submitter::is_nonce_refusal(std::string_view error) {
  // A node answers a stale nonce with JSON-RPC error 1010 ("Invalid Transaction", data
  // "Transaction is outdated"; the client keeps only code and message) and a same-nonce
  // replacement with 1014 ("Priority is too low"); a watched transaction can also turn "invalid"
  // once another with its nonce is included. chopsticks names the cause ("stale") in the message.
  std::string e(error);
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view needle : {"error 1010", "error 1014", "stale", "outdated", "priority is too low"})
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

Result<Prepared> Submitter::prepare(const codec::Metadata& md, ByteSpan call, const chain::BlockRef& at) {
  PYLON_ASSIGN(chain::RuntimeVersion v, chain_.runtime_version(at.hash));
  if (!genesis_) {
    PYLON_ASSIGN(genesis_, chain_.genesis_hash());
  }
  extrinsic::TxParams p;
  p.genesis_hash = *genesis_;
  p.spec_version = v.spec_version;
  p.tx_version = v.transaction_version;
  PYLON_ASSIGN(p.nonce, chain_.account_nonce(signer_.public_key));
  p.mortal = extrinsic::Mortality{options_.mortal_period, at.number, at.hash};
  PYLON_ASSIGN(extrinsic::SignedExtrinsic x, extrinsic::build_signed(md, call, signer_, p));
  const extrinsic::Era era = extrinsic::Era::mortal_at(options_.mortal_period, at.number);
  Prepared out;
  out.signed_tx = std::move(x);
  out.nonce = p.nonce;
  out.block = at.number;
  out.mortal_until = era.birth(at.number) + era.period - 1;
  return out;
}

Result<Submitted> Submitter::submit(std::string_view call, std::string_view args_json,
                                    const chain::BlockRef& at,
                                    const std::function<Status(const Prepared&)>& before_submit,
                                    const std::function<void(const Prepared&)>& on_accepted) {
  std::lock_guard lock(mu_);
  PYLON_ASSIGN(auto md, chain_.metadata(at.hash));
  PYLON_ASSIGN(Bytes encoded, extrinsic::encode_call_json(*md, call, args_json));
  for (int round = 0;; ++round) {
    PYLON_ASSIGN(Prepared prepared, prepare(*md, encoded, at));
    if (before_submit) PYLON_TRY(before_submit(prepared));
    auto accepted = [&] {
      if (on_accepted) on_accepted(prepared);
    };
    auto out = chain_.submit_and_watch(prepared.signed_tx.bytes, options_.timeout, options_.wait_finalized,
                                       accepted);
    const bool refused =
        !out.ok() ? is_nonce_refusal(out.error().message) : out->status == chain::TxOutcome::Status::Invalid;
    if (refused && round == 0) continue;  // the nonce moved under us: read it again, once
    if (!out.ok()) return make_error(std::string(call) + ": " + out.error().message);
    return Submitted{std::move(prepared), std::move(out).value()};
  }
}

}  // namespace pylon::committer

#include "committer/submitter.hpp"

#include <simdjson.h>

#include "extrinsic/call.hpp"
#include "extrinsic/era.hpp"

namespace pylon::committer {

Submitter::Submitter(chain::ChainClient& chain, keys::Keypair signer, SubmitterOptions options)
    : chain_(chain), signer_(std::move(signer)), options_(options) {}

AccountId Submitter::account() const {
  return AccountId(signer_.public_key);
}

namespace {
// The JSON-RPC codes of substrate's author API (sc-rpc-api author::error: BASE_ERROR 1000 + n).
constexpr std::int64_t kPoolInvalidTx = 1010;       // "Invalid Transaction", data: why
constexpr std::int64_t kPoolTooLowPriority = 1014;  // a transaction with this nonce is in the pool
}  // namespace

bool Submitter::is_nonce_refusal(const Error& error) {
  if (!error.is(net::RpcErrc::kNodeError)) return false;
  if (error.code == kPoolTooLowPriority) return true;
  if (error.code != kPoolInvalidTx) return false;
  // A substrate node gives the InvalidTransaction's text as the error's data (its
  // `From<InvalidTransaction> for &'static str`): Stale and Future are the nonce's. chopsticks
  // answers 1010 for every invalid transaction and gives no data (the validity error is in its
  // message only): the cause is unknown, and one retry with a freshly read nonce is cheap and
  // harmless (a refusal for another cause is refused again and reported).
  if (error.peer_data.empty()) return true;
  simdjson::dom::parser parser;
  simdjson::dom::element data;
  if (parser.parse(error.peer_data).get(data) != simdjson::SUCCESS) return false;
  std::string_view text;
  if (data.get_string().get(text) != simdjson::SUCCESS) return false;
  return text == "Transaction is outdated" || text == "Transaction will be valid in the future";
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
  PYLON_ASSIGN(p.nonce, chain_.account_nonce(account()));
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
  return submit_with(options_.timeout, call, args_json, at, before_submit, on_accepted);
}

Result<Submitted> Submitter::submit_within(std::chrono::milliseconds timeout, std::string_view call,
                                           std::string_view args_json, const chain::BlockRef& at) {
  return submit_with(timeout, call, args_json, at, {}, {});
}

Result<Submitted> Submitter::submit_with(std::chrono::milliseconds timeout, std::string_view call,
                                         std::string_view args_json, const chain::BlockRef& at,
                                         const std::function<Status(const Prepared&)>& before_submit,
                                         const std::function<void(const Prepared&)>& on_accepted) {
  Lock lock(mu_);
  PYLON_ASSIGN(auto md, chain_.metadata(at.hash));
  PYLON_ASSIGN(Bytes encoded, extrinsic::encode_call_json(*md, call, args_json));
  for (int round = 0;; ++round) {
    PYLON_ASSIGN(Prepared prepared, prepare(*md, encoded, at));
    if (before_submit) PYLON_TRY(before_submit(prepared));
    auto accepted = [&] {
      if (on_accepted) on_accepted(prepared);
    };
    auto out = chain_.submit_and_watch(prepared.signed_tx.bytes, timeout, options_.wait_finalized, accepted);
    // A watched transaction turning "invalid" after the pool took it is the nonce being used by
    // another transaction included first (the pool re-validates on each block).
    const bool refused =
        !out.ok() ? is_nonce_refusal(out.error()) : out->status == chain::TxOutcome::Status::Invalid;
    if (refused && round == 0) continue;  // the nonce moved under us: read it again, once
    if (!out.ok()) return with_context(call, std::move(out).error());
    return Submitted{std::move(prepared), std::move(out).value()};
  }
}

}  // namespace pylon::committer

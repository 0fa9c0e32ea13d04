// Writes that go straight to the chain as extrinsics (on a worker, they wait for inclusion):
// /set_commitment signed by the validator's hotkey, /set_hyperparam signed by the subnet owner's
// coldkey through AdminUtils.
#include "chain/storage_key.hpp"
#include "committer/submitter.hpp"
#include "common/json_writer.hpp"
#include "extrinsic/call.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"

namespace pylon::rest {
namespace {

// The answer to a submitted extrinsic: 200 when it succeeded, 400 when the chain refused it in
// dispatch (the request's content), 502 when it never got in.
Response outcome_response(const Result<committer::Submitted>& s, std::string_view what) {
  if (!s.ok()) return error_response(502, code::chain_error, std::string(what) + ": " + s.error().message);
  const auto& o = s->outcome;
  using St = chain::TxOutcome::Status;
  const bool in_block = o.status == St::Included || o.status == St::Finalized;
  if (!in_block)
    return error_response(502, code::chain_error,
                          std::string(what) + ": the extrinsic was not included: " + o.error);
  if (!o.success)
    return error_response(400, code::bad_request, std::string(what) + ": the chain refused it: " + o.error);
  std::string out = "{\"detail\":";
  append_json_string(out, std::string(what) + ": done");
  out += ",\"extrinsic_hash\":\"";
  append_hex(out, s->prepared.signed_tx.hash);
  out += "\",\"block_hash\":\"";
  append_hex(out, o.block);
  out += "\"}";
  return json_response(200, std::move(out));
}

}  // namespace

void Api::post_set_commitment(const Request& req, Reply reply) {
  auto body = decode_set_commitment(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.chain || !deps_.hotkey_submitter)
    return reply(error_response(503, code::unavailable, "no chain or hotkey is configured"));
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  const chain::BlockRef at{l->snapshot()->block_hash, l->snapshot()->block};
  // Commitments.set_commitment(netuid, CommitmentInfo { fields: [Data::RawN(bytes)] }).
  std::string args = "{\"netuid\":" + std::to_string(deps_.netuid) + ",\"info\":{\"fields\":[{\"raw" +
                     std::to_string(body->data.size()) + "\":\"";
  append_hex(args, body->data);
  args += "\"}]}}";
  blocking(
      [this, args = std::move(args), at]() -> Response {
        auto s = deps_.hotkey_submitter->submit("Commitments.set_commitment", args, at);
        metrics_.count_chain_call(s.ok());
        return outcome_response(s, "set_commitment");
      },
      std::move(reply));
}

void Api::put_set_hyperparam(const Request& req, Reply reply) {
  auto body = decode_set_hyperparam(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.chain) return reply(error_response(503, code::unavailable, "no chain is configured"));
  if (!deps_.load_coldkey)
    return reply(error_response(
        503, code::unavailable,
        "no coldkey is available: set PYLON_COLDKEY_PASSWORD_FILE to sign as the subnet owner"));
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  const chain::BlockRef at{l->snapshot()->block_hash, l->snapshot()->block};
  blocking(
      [this, b = std::move(body).value(), at]() -> Response {
        auto md = deps_.chain->metadata(at.hash);
        metrics_.count_chain_call(md.ok());
        if (!md.ok()) return error_response(502, code::chain_error, "metadata: " + md.error().message);
        const std::string call = "AdminUtils.sudo_set_" + b.name;
        auto ref = extrinsic::find_call(**md, call);
        if (!ref.ok())
          return error_response(400, code::bad_request,
                                "unknown hyperparameter \"" + b.name + "\": this runtime has no " + call);
        const auto& fields = ref->call->fields;
        if (fields.size() != 2 || fields[0].name != "netuid")
          return error_response(
              400, code::bad_request,
              call + " does not take (netuid, value); it cannot be set through this endpoint");
        std::string args = "{\"netuid\":" + std::to_string(deps_.netuid) + ",";
        append_json_string(args, fields[1].name);
        args += ':' + b.value_json + '}';
        if (auto enc = extrinsic::encode_call_json(**md, call, args); !enc.ok())
          return error_response(400, code::bad_request, "value for " + b.name + ": " + enc.error().message);

        // Only the subnet owner may: SubtensorModule.SubnetOwner(netuid) must be the coldkey.
        auto coldkey = deps_.load_coldkey();
        if (!coldkey.ok())
          return error_response(503, code::unavailable, "coldkey: " + coldkey.error().message);
        const Bytes netuid_le{static_cast<std::uint8_t>(deps_.netuid & 0xff),
                              static_cast<std::uint8_t>(deps_.netuid >> 8)};
        auto key = chain::storage_key(**md, "SubtensorModule", "SubnetOwner", {netuid_le});
        if (!key.ok()) return error_response(502, code::chain_error, "SubnetOwner: " + key.error().message);
        auto owner = deps_.chain->storage(*key, at);
        metrics_.count_chain_call(owner.ok());
        if (!owner.ok())
          return error_response(502, code::chain_error, "SubnetOwner: " + owner.error().message);
        if (!*owner || (*owner)->size() != 32 ||
            !std::equal((*owner)->begin(), (*owner)->end(), coldkey->public_key.begin()))
          return error_response(403, code::forbidden,
                                "the wallet's coldkey " + codec::ss58_encode(coldkey->public_key) +
                                    " does not own subnet " + std::to_string(deps_.netuid));

        committer::Submitter submitter(*deps_.chain, std::move(coldkey).value());
        auto s = submitter.submit(call, args, at);
        metrics_.count_chain_call(s.ok());
        return outcome_response(s, "set_hyperparam " + b.name);
      },
      std::move(reply));
}

}  // namespace pylon::rest

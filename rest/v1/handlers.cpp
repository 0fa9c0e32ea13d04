// The /api/v1 handlers (pylon-v1.md §2): members of Api so they share its snapshot cache, the
// weights Writer and the worker pool with the legacy surface. The guard (rest/v1/guard.hpp) has
// admitted the request: the route, the timeout header, the token and the identity's netuid are
// checked; bodies are validated here.
#include <simdjson.h>

#include "codec/ss58.hpp"
#include "committer/submitter.hpp"
#include "common/hex.hpp"
#include "common/json_writer.hpp"
#include "common/log.hpp"
#include "keys/ed25519.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"
#include "rest/v1/bodies.hpp"
#include "rest/v1/certificates.hpp"
#include "rest/v1/commitment_write.hpp"
#include "rest/v1/errors.hpp"
#include "rest/v1/render.hpp"
#include "rest/v1/revealed.hpp"
#include "rest/v1/routes.hpp"
#include "timelock/timelock.hpp"
#include "weights/writer.hpp"

namespace pylon::rest {
namespace {

// Answers of the helpers shared with the legacy surface (no snapshot yet, the epoch, the store)
// carry the legacy error body {"detail", "error"}: re-shaped to the v1 body, same status and
// detail, so every error under /api/v1 has one shape.
Reply v1_shaped(Reply reply) {
  return [reply = std::move(reply)](Response r) {
    if (r.status < 400 || !r.body || r.body->find("\"status_code\"") != std::string::npos)
      return reply(std::move(r));
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view detail;
    if (parser.parse(*r.body).get(root) || root["detail"].get_string().get(detail)) detail = "";
    Response v = v1::error(r.status, detail);
    v.extra_headers = std::move(r.extra_headers);
    reply(std::move(v));
  };
}

// A subnet read with no followed subnet to answer it and no chain to read it from; or a netuid
// no subnet can have.
Response not_followed(std::uint64_t asked, const std::vector<SubnetContext*>& followed) {
  std::string which;
  for (const auto* sub : followed) which += (which.empty() ? "" : ", ") + std::to_string(sub->netuid());
  if (asked > 65535)
    return v1::error(404, "Subnet " + std::to_string(asked) + " does not exist (netuids are 0..65535)");
  return v1::error(404, "Subnet " + std::to_string(asked) +
                            " is not followed by this Pylon (it follows subnet" +
                            (followed.size() > 1 ? "s " : " ") + which + ")");
}

}  // namespace

void Api::dispatch_v1(const RouteMatch& m, const Request& req, const v1::Admitted& admitted, Reply reply) {
  reply = v1_shaped(std::move(reply));
  switch (m.route) {
    case Route::v1_identities:
      return reply(shared_response(200, v1_identities_body_));
    case Route::v1_block_latest: {
      auto l = latest();
      if (!l) return reply(no_snapshot_response());
      return reply(shared_response(200, l->v1_block_latest()));
    }
    case Route::v1_login: {
      auto body = v1::decode_login(req.body);
      if (auto* bad = std::get_if<std::vector<v1::FieldError>>(&body))
        return reply(v1::validation_error("POST", req.path, *bad));
      for (const auto& id : options_.v1.identities) {
        if (id.name != m.v1_params.identity) continue;
        if (!token_matches(std::get<std::string>(body), id.token->view()))
          return reply(v1::error(401, "Invalid token"));
        JsonWriter w;
        w.begin_object();
        w.key("netuid");
        w.number(static_cast<std::uint64_t>(id.netuid));
        w.key("identity_name");
        w.string(id.name);
        w.end_object();
        return reply(json_response(200, w.take()));
      }
      return reply(v1::error(404, "Identity '" + std::string(m.v1_params.identity) + "' not found"));
    }
    case Route::v1_extrinsic:
      // Always a read from the node (the archive past its cutoff): bounded by the deadline.
      if (deps_.chain) reply = deadlines_.bounded(std::move(reply), admitted.deadline_seconds);
      return get_v1_extrinsic(m.v1_params.block, m.v1_params.index, std::move(reply));
    case Route::v1_id_put_weights:
    case Route::v1_id_post_commitments:
    case Route::v1_id_post_certificate_self:
    case Route::v1_id_post_revealed: {
      // The guard admitted the path's netuid as the identity's: its writes go to that subnet's
      // parts (its Writer, its signer), which exist only for a followed subnet.
      SubnetContext* sub = followed(admitted.identity->netuid);
      if (sub == nullptr)
        return reply(v1::error(503, "subnet " + std::to_string(admitted.identity->netuid) + " of identity '" +
                                        admitted.identity->name + "' is not followed by this Pylon"));
      if (m.route == Route::v1_id_put_weights)
        return put_v1_weights(*sub, req, *admitted.identity, std::move(reply));
      if (m.route == Route::v1_id_post_commitments)
        return post_v1_commitment(*sub, req, admitted, std::move(reply));
      if (m.route == Route::v1_id_post_revealed)
        return post_v1_revealed(*sub, req, admitted, std::move(reply));
      return post_v1_certificate(*sub, req, admitted, std::move(reply));
    }
    default:
      break;
  }
  // The subnet reads, the same under both prefixes.
  const v1::Read read = v1::read_of(m.route);
  if (read == v1::Read::neurons_recent) return get_v1_recent_neurons(m.v1_params.netuid, std::move(reply));
  const std::uint64_t asked = m.v1_params.netuid;
  if (read == v1::Read::revealed || read == v1::Read::revealed_of || read == v1::Read::revealed_self)
    return get_v1_revealed(asked, read, m.v1_params.hotkey, admitted, std::move(reply));
  const bool at_block = read == v1::Read::neurons_at || read == v1::Read::validators_at;
  // Owned: the request's views do not outlive this call, and the snapshot may come later.
  auto answer = [this, read, hotkey = std::string(m.v1_params.hotkey), admitted](const Rendered& l,
                                                                                 Reply rep) {
    answer_v1_read(read, hotkey, l, admitted, std::move(rep));
  };
  if (at_block) {
    // Every 404 on the way (past the head, no such block, the subnet absent then) is the
    // contract's "Block N not found.".
    const std::uint64_t block = m.v1_params.block;
    reply = [block, reply = std::move(reply)](Response r) {
      if (r.status == 404) return reply(v1::error(404, "Block " + std::to_string(block) + " not found."));
      reply(std::move(r));
    };
  }
  SubnetContext* sub = asked <= 65535 ? followed(static_cast<std::uint16_t>(asked)) : nullptr;
  if (sub != nullptr) {
    // The snapshots kept for recent blocks, else one built from the node (the archive past its
    // cutoff) on a worker, as the legacy /metagraph/{block} does.
    if (at_block) {
      // A block not kept is read from the node: the request's deadline bounds the wait for it.
      if (!sub->kept(m.v1_params.block))
        reply = deadlines_.bounded(std::move(reply), admitted.deadline_seconds);
      return with_snapshot_at(*sub, m.v1_params.block, std::move(reply), std::move(answer));
    }
    auto l = sub->latest();
    if (!l) return reply(no_snapshot_response());
    return answer(l, std::move(reply));
  }
  // Any other subnet: read from the chain on request, kept per (netuid, block).
  if (asked > 65535 || !deps_.chain) return reply(not_followed(asked, followed_subnets()));
  // A (netuid, block) not kept is built from the node: bounded by the request's deadline (a build
  // that outlives it still completes and is kept for the next request).
  if (auto l = latest()) {
    const std::uint64_t at = at_block ? m.v1_params.block : l->snapshot()->block;
    if (!on_demand_.find(static_cast<std::uint16_t>(asked), at))
      reply = deadlines_.bounded(std::move(reply), admitted.deadline_seconds);
  }
  with_unfollowed_at(static_cast<std::uint16_t>(asked),
                     at_block ? std::optional<std::uint64_t>(m.v1_params.block) : std::nullopt,
                     std::move(reply), std::move(answer));
}

void Api::answer_v1_read(v1::Read read, const std::string& hotkey_param, const Rendered& l,
                         const v1::Admitted& admitted, Reply reply) {
  switch (read) {
    case v1::Read::neurons:
    case v1::Read::neurons_at:
      return reply(v1_neurons_response(*l, false));
    case v1::Read::validators:
    case v1::Read::validators_at:
      return reply(v1_neurons_response(*l, true));
    case v1::Read::certificates:
    case v1::Read::certificate:
    case v1::Read::certificate_self:
      return get_v1_certificates(*l->snapshot(), read, hotkey_param, admitted, std::move(reply));
    default:
      break;
  }
  const auto& s = *l->snapshot();
  if (!s.commitments) return reply(v1::error(503, "commitments are not known: " + s.unavailable_reason));
  switch (read) {
    case v1::Read::commitments:
      return reply(l->response(RenderedSnapshot::Body::v1_commitments));
    case v1::Read::commitment:
    case v1::Read::commitment_self: {
      AccountId hotkey{};
      if (read == v1::Read::commitment_self) {
        hotkey = admitted.identity->hotkey;
      } else {
        auto hk = parse_hotkey(hotkey_param);
        if (!hk.ok()) return reply(v1::error(404, "Commitment not found."));
        hotkey = hk->account;
      }
      auto one = v1::render_commitment(s, hotkey);
      switch (one.lookup) {
        case v1::CommitmentLookup::found:
          return reply(json_response(200, std::move(one.body)));
        case v1::CommitmentLookup::timelocked:
          return reply(v1::error(404, ""));  // the 2.x service's answer to a timelocked one
        case v1::CommitmentLookup::absent:
          break;
      }
      return reply(v1::error(404, "Commitment not found."));
    }
    default:
      return reply(v1::error(404, "Not Found"));
  }
}

template <class Cache, class Read, class Answer>
void Api::read_kept_per_block(Cache& cache, std::uint16_t netuid, const chain::BlockRef& at,
                              std::string_view what, const v1::Admitted& admitted, Read read, Answer answer,
                              Reply reply) {
  if (auto kept = cache.find(netuid, at.hash)) return reply(answer(*kept));
  if (!deps_.chain) return reply(v1::error(503, "no chain is configured to read " + std::string(what)));
  reply = deadlines_.bounded(std::move(reply), admitted.deadline_seconds);  // a read from the node
  blocking(
      [this, &cache, netuid, at, what = std::string(what), read = std::move(read),
       answer = std::move(answer)]() -> Response {
        auto block = read(*deps_.chain, netuid, at);
        metrics_.count_chain_call(block.ok());
        if (!block.ok()) {
          log::warn("rest", what + " could not be read",
                    {{"block", std::to_string(at.number)}, {"error", block.error().message}});
          return v1::error(502, "the " + what + " at block " + std::to_string(at.number) +
                                    " could not be read: " + block.error().message);
        }
        cache.keep(*block);
        return answer(**block);
      },
      std::move(reply));
}

// GET .../block/latest/certificates[/{hotkey}|/self] (rest/v1/certificates.hpp): the subnet's
// NeuronCertificates at the latest snapshot's block, from the cache or read once on a worker. A
// hotkey that is not SS58, or has no certificate, is the 2.x service's 404; a read that fails or
// a value that does not fit the block's metadata is 502 (pylon-v1.md §4), never a partial map.
void Api::get_v1_certificates(const follower::Snapshot& s, v1::Read read, std::string_view hotkey_param,
                              const v1::Admitted& admitted, Reply reply) {
  static constexpr std::string_view kNotFound = "Certificate not found or error fetching.";
  std::optional<AccountId> hotkey;
  if (read == v1::Read::certificate_self) {
    hotkey = admitted.identity->hotkey;
  } else if (read == v1::Read::certificate) {
    auto hk = parse_hotkey(hotkey_param);
    if (!hk.ok()) return reply(v1::error(404, kNotFound));
    hotkey = hk->account;
  }
  auto answer = [hotkey](const v1::BlockCertificates& c) -> Response {
    if (!hotkey) return shared_response(200, c.map_body);
    const auto it = c.certificates.find(*hotkey);
    if (it == c.certificates.end()) return v1::error(404, kNotFound);
    return json_response(200, v1::render_certificate(it->second));
  };
  const auto read_certificates =
      [](chain::ChainClient& node, std::uint16_t netuid,
         const chain::BlockRef& at) -> Result<std::shared_ptr<const v1::BlockCertificates>> {
    PYLON_ASSIGN(auto certs, chain::read_certificates(node, netuid, at));
    return v1::make_block_certificates(netuid, at.hash, std::move(certs));
  };
  read_kept_per_block(certificates_, s.netuid, chain::BlockRef{s.block_hash, s.block}, "certificates",
                      admitted, read_certificates, std::move(answer), std::move(reply));
}

// GET .../block/latest/commitments/revealed[/{hotkey}|/self] (rest/v1/revealed.hpp): the subnet's
// Commitments.RevealedCommitments at the latest block (a followed subnet's latest snapshot's, any
// other subnet's at the default subnet's latest, the newest finalized block the follower read),
// from the cache or read once on a worker under the request's deadline (504 past it). Every
// hotkey with entries is in the map, registered or not (the 2.x service does not filter these).
// A hotkey that is not SS58, or has no entry, is the contract's 404 `Commitments not found.`; a
// failed read or a value that does not fit the block's metadata 502, never a partial map.
void Api::get_v1_revealed(std::uint64_t netuid, v1::Read read, std::string_view hotkey_param,
                          const v1::Admitted& admitted, Reply reply) {
  static constexpr std::string_view kNotFound = "Commitments not found.";
  if (netuid > 65535) return reply(not_followed(netuid, followed_subnets()));
  std::optional<AccountId> hotkey;
  if (read == v1::Read::revealed_self) {
    hotkey = admitted.identity->hotkey;
  } else if (read == v1::Read::revealed_of) {
    auto hk = parse_hotkey(hotkey_param);
    if (!hk.ok()) return reply(v1::error(404, kNotFound));
    hotkey = hk->account;
  }
  SubnetContext* sub = followed(static_cast<std::uint16_t>(netuid));
  auto l = sub != nullptr ? sub->latest() : latest();
  if (!l) return reply(no_snapshot_response());
  const chain::BlockRef at{l->snapshot()->block_hash, l->snapshot()->block};
  auto answer = [hotkey](const v1::BlockRevealed& r) -> Response {
    if (!hotkey) return shared_response(200, r.map_body);
    auto one = v1::render_revealed_of(r, *hotkey);
    if (!one) return v1::error(404, kNotFound);
    return json_response(200, std::move(*one));
  };
  const auto read_revealed =
      [](chain::ChainClient& node, std::uint16_t n,
         const chain::BlockRef& at) -> Result<std::shared_ptr<const v1::BlockRevealed>> {
    PYLON_ASSIGN(auto map, v1::read_revealed(node, n, at));
    return v1::make_block_revealed(n, at, std::move(map));
  };
  read_kept_per_block(revealed_, static_cast<std::uint16_t>(netuid), at, "revealed commitments", admitted,
                      read_revealed, std::move(answer), std::move(reply));
}

// POST .../certificates/self (pylon-v1.md §2): a fresh Ed25519 keypair whose public key the
// identity's hotkey serves on chain with SubtensorModule.serve_axon_tls, its axon kept as the
// latest snapshot of the identity's subnet has it (chain/certificates.hpp). Signed by that
// Submitter of the identity's hotkey (its lane's, Api::lane_of: the committer's own): one signer
// per key, so the two never race for a nonce.
// 201 only once the extrinsic is in a block and its events say it succeeded; anything else is 502
// with the reason (the 2.x service's "Could not generate certificate pair."), and the keypair is
// dropped. The private key is never logged nor put in an error: the 201 body is the one place it
// leaves the keypair's SecretBytes (rest/v1/certificates.hpp zeroes that body once it is sent).
// The submission is bounded by the Submitter's own watch timeout (30 s in the daemon, under the
// default request deadline of 60 s).
void Api::post_v1_certificate(SubnetContext& sub, const Request& req, const v1::Admitted& admitted,
                              Reply reply) {
  static constexpr std::string_view kFailed = "Could not generate certificate pair: ";
  auto decoded = v1::decode_certificate_request(req.body);
  if (auto* bad = std::get_if<std::vector<v1::FieldError>>(&decoded))
    return reply(v1::validation_error("POST", req.path, *bad));
  const AccountId hotkey = admitted.identity->hotkey;
  committer::Submitter* signer = lane_of(sub, *admitted.identity).submitter;  // its hotkey's lane
  if (!deps_.chain || !signer || signer->account() != hotkey)
    return reply(v1::error(503, "no chain or signer for the identity's hotkey is configured"));
  auto l = sub.latest();
  if (!l) return reply(no_snapshot_response());
  const auto& s = *l->snapshot();
  const auto* neuron = s.neuron_by_hotkey(hotkey);
  if (neuron == nullptr)
    return reply(v1::error(502, std::string(kFailed) + "the hotkey " + codec::ss58_encode(hotkey) +
                                    " is not registered on subnet " + std::to_string(sub.netuid()) +
                                    " at block " + std::to_string(s.block)));
  const chain::BlockRef at{s.block_hash, s.block};
  blocking(
      [this, signer, netuid = sub.netuid(), at, hotkey, axon = neuron->axon]() -> Response {
        auto key = keys::generate_ed25519();
        if (!key.ok()) return v1::error(502, std::string(kFailed) + key.error().message);
        const chain::NeuronCertificate cert{static_cast<std::uint8_t>(v1::CertificateAlgorithm::ed25519),
                                            Bytes(key->public_key.begin(), key->public_key.end())};
        auto sent = signer->submit("SubtensorModule.serve_axon_tls",
                                   chain::serve_axon_tls_args(netuid, axon, cert), at);
        metrics_.count_chain_call(sent.ok());
        std::string why;
        if (!sent.ok()) {
          why = sent.error().message;
        } else if (const auto& o = sent->outcome; o.status != chain::TxOutcome::Status::Included &&
                                                  o.status != chain::TxOutcome::Status::Finalized) {
          why = "serve_axon_tls was not included: " + o.error;
        } else if (!o.success) {
          why = "serve_axon_tls failed in block " + to_hex(o.block) + ": " + o.error;
        }
        if (!why.empty()) {
          log::warn("rest", "certificate not served",
                    {{"hotkey", codec::ss58_encode(hotkey)}, {"error", why}});
          return v1::error(502, std::string(kFailed) + why);
        }
        log::info("rest", "certificate served on chain",
                  {{"hotkey", codec::ss58_encode(hotkey)},
                   {"public_key", to_hex(cert.public_key)},
                   {"block", to_hex(sent->outcome.block)}});
        return v1::certificate_keypair_response(cert, key->seed);
      },
      std::move(reply));
}

// Neurons or validators of one snapshot. Every field of a v1 Neuron is required by the 2.x client,
// `stakes` included, so a snapshot without the subnet state's stakes answers 503 (the client's
// PylonResponseException) rather than a body the client would reject or invented zeros.
Response Api::v1_neurons_response(RenderedSnapshot& r, bool validators) {
  const auto& body = validators ? r.v1_validators() : r.v1_neurons();
  if (!body)
    return v1::error(503, "Neuron stakes are not known at block " + std::to_string(r.snapshot()->block) +
                              ": " + r.snapshot()->stakes_unavailable);
  return r.response(validators ? RenderedSnapshot::Body::v1_validators : RenderedSnapshot::Body::v1_neurons);
}

// GET .../block/recent/neurons (pylon-v1.md §6.4). The 2.x service refreshes a cache every
// 1080 s; Pylon's follower already holds the subnet at every finalized block, so the "cache" is
// the latest snapshot and its age is the wall-clock time since it was built, in blocks of
// block_duration_seconds, rounded down. Past the hard limit: 503 stale; past the soft limit:
// served, with a warning logged. A subnet this Pylon does not follow (read on request, not cached), no
// snapshot yet, or a latest snapshot without stakes: 503 missing, as the 2.x service answers a subnet it does
// not cache.
void Api::get_v1_recent_neurons(std::uint64_t netuid, Reply reply) {
  const auto missing = [] {
    return v1::error(503,
                     "Recent neurons data is not available. Cache update may not have finished yet or subnet "
                     "may not be configured for caching recent objects.");
  };
  SubnetContext* sub = netuid <= 65535 ? followed(static_cast<std::uint16_t>(netuid)) : nullptr;
  if (sub == nullptr) return reply(missing());
  auto l = sub->latest();
  if (!l || !l->v1_neurons()) return reply(missing());
  const auto& o = options_.v1;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - l->snapshot()->built_at).count();
  const auto age = static_cast<std::uint64_t>(std::max(0.0, seconds) / o.block_duration_seconds);
  if (age > o.recent_hard_limit_blocks)
    return reply(v1::error(503, "Recent neurons data is stale. Cache update may be failing."));
  if (age > o.recent_soft_limit_blocks)
    log::warn("rest", "serving recent neurons past the soft limit",
              {{"block", std::to_string(l->snapshot()->block)}, {"age_blocks", std::to_string(age)}});
  reply(l->response(RenderedSnapshot::Body::v1_neurons));
}

// PUT .../weights: the request's weights become the identity's weights of its subnet's current
// epoch, in one transaction through the Writer of the identity's lane (its subnet and hotkey:
// lane_of; the default subnet's default lane's is PUT /set_weights' too), before the 200. That
// lane's committer commits them: another hotkey's identity on the same subnet has its own lane,
// weights and committer, and never sees these. Latest request wins: the batch replaces the lane's
// epoch weight set (weights::replacing: hotkeys stored for this epoch and absent from the request
// become 0 in the same transaction), so two concurrent PUTs never leave the union of their
// hotkeys behind.
void Api::put_v1_weights(SubnetContext& sub, const Request& req, const v1::Identity& identity, Reply reply) {
  auto decoded = v1::decode_weights(req.body);
  if (auto* bad = std::get_if<std::vector<v1::FieldError>>(&decoded))
    return reply(v1::validation_error("PUT", req.path, *bad));
  weights::Writer* writer = lane_of(sub, identity).writer;
  if (!writer || !deps_.store) return reply(v1::error(503, "no weights store is configured"));
  with_current_epoch(
      sub, std::move(reply),
      [writer, netuid = sub.netuid(), body = std::get<v1::WeightsBody>(std::move(decoded))](
          EpochAnswer e, Reply rep) mutable {
        std::map<AccountId, double> latest;
        for (const auto& [hk, w] : body.weights) latest[hk] = w;
        const std::size_t count = body.count;
        writer->submit(weights::replacing(netuid, e.start, 0, latest), [rep = std::move(rep), count](
                                                                           Result<std::vector<double>> r) {
          if (!r.ok())
            return rep(v1::error(r.error().is(weights::StoreErrc::kStopped) ? 503 : 500, r.error().message));
          rep(v1_accepted(count));
        });
      });
}

// POST .../commitments (pylon-v1.md §6.2): the bytes become the identity's hotkey's commitment
// on its subnet while the request waits. Each attempt builds Commitments.set_commitment from the
// metadata of the subnet's latest snapshot's block and signs it through that subnet's hotkey
// Submitter (one per key, the committer's too: nonces are per account, so two submitters of one
// key would race), watching
// for inclusion at most 120 s and never past the request's deadline (the reads before it, nonce
// and runtime version, are bounded by the RPC client's own timeout). 201 once a block holds it
// and its events say ExtrinsicSuccess; after a failed attempt the next one follows a backoff from
// PYLON_COMMITMENT_RETRY_DELAY_SECONDS doubling up to 10x; 502 with the last error once
// PYLON_COMMITMENT_RETRY_ATTEMPTS are spent; 504 `Request timed out` when the deadline comes
// first. Data longer than the runtime's Data type holds (Raw128 on subtensor) is refused as a
// validation failure (400) before anything is signed: no block would take it.
void Api::post_v1_commitment(SubnetContext& sub, const Request& req, const v1::Admitted& admitted,
                             Reply reply) {
  auto decoded = v1::decode_commitment(req.body);
  if (auto* bad = std::get_if<std::vector<v1::FieldError>>(&decoded))
    return reply(v1::validation_error("POST", req.path, *bad));
  // The identity signs with its own hotkey: its lane's Submitter (lane_of), the one its committer
  // signs with too, so the two never race for a nonce.
  committer::Submitter* signer = lane_of(sub, *admitted.identity).submitter;
  if (!deps_.chain || !signer)
    return reply(v1::error(503, "no chain or hotkey is configured to write commitments"));
  if (admitted.identity->hotkey != signer->account())
    return reply(v1::error(
        503, "identity '" + admitted.identity->name + "' signs with another hotkey than this Pylon's"));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(admitted.deadline_seconds));
  // Owned copies: the request's views do not outlive this call.
  blocking(
      [this, &sub, signer, data = std::get<Bytes>(std::move(decoded)), path = std::string(req.path),
       deadline]() {
        return write_v1_commitment(
            sub, [&](const codec::Metadata& md) { return v1::set_commitment_args(md, sub.netuid(), data); },
            path, deadline,
            [] {
              JsonWriter w;
              w.begin_object();
              w.key("detail");
              w.string("Commitment set successfully.");
              w.end_object();
              return json_response(201, w.take());
            },
            signer);
      },
      std::move(reply));
}

// POST .../commitments/revealed (pylon-v1.md §2; the bittensor SDK's set_reveal_commitment, which
// the 2.x service calls): the commitment string, SCALE-encoded as the SDK does (compact length +
// UTF-8), timelock-encrypted with Pylon's own code (sidecar/timelock) to the drand quicknet round
// blocks_until_reveal blocks of PYLON_BLOCK_DURATION_SECONDS from now, then written as
// Commitments.set_commitment(netuid, {fields: [TimelockEncrypted{encrypted, reveal_round}]})
// through the same attempts as POST .../commitments (the identity's subnet's hotkey Submitter,
// retries, backoff, 120 s per attempt, never past the deadline). subtensor opens it once the
// round's pulse is stored and moves the bytes to Commitments.RevealedCommitments, which the
// GET .../commitments/revealed routes read. 201 {"reveal_round": R} once a block holds it. The
// round is fixed once, when the request arrives: every attempt sends the same ciphertext (the 2.x
// service encrypts again per attempt, so its answer names the last attempt's round).
void Api::post_v1_revealed(SubnetContext& sub, const Request& req, const v1::Admitted& admitted,
                           Reply reply) {
  auto decoded = v1::decode_revealed_commitment(req.body);
  if (auto* bad = std::get_if<std::vector<v1::FieldError>>(&decoded))
    return reply(v1::validation_error("POST", req.path, *bad));
  auto body = std::get<v1::RevealedCommitmentBody>(std::move(decoded));
  committer::Submitter* signer = lane_of(sub, *admitted.identity).submitter;  // its hotkey's lane
  if (!deps_.chain || !signer)
    return reply(v1::error(503, "no chain or hotkey is configured to write commitments"));
  if (admitted.identity->hotkey != signer->account())
    return reply(v1::error(
        503, "identity '" + admitted.identity->name + "' signs with another hotkey than this Pylon's"));
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto round = v1::reveal_round_after(static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0)),
                                            body.blocks_until_reveal, options_.v1.block_duration_seconds);
  if (!round)
    return reply(v1::validation_error(
        "POST", req.path,
        {{"blocks_until_reveal",
          "Value error, blocks_until_reveal is too large: the reveal would be past 2^64 seconds"}}));
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                             std::chrono::duration<double>(admitted.deadline_seconds));
  blocking(
      [this, &sub, signer, body = std::move(body), path = std::string(req.path), deadline, round = *round]() {
        auto ciphertext = timelock::encrypt(round, v1::scale_string(body.commitment));
        if (!ciphertext.ok())
          return v1::error(502, "the commitment could not be encrypted: " + ciphertext.error().message);
        return write_v1_commitment(
            sub,
            [&](const codec::Metadata& md) {
              return v1::timelocked_commitment_args(md, sub.netuid(), *ciphertext, round);
            },
            path, deadline,
            [round] {
              JsonWriter w;
              w.begin_object();
              w.key("reveal_round");
              w.number(round);
              w.end_object();
              return json_response(201, w.take());
            },
            signer);
      },
      std::move(reply));
}

Response Api::write_v1_commitment(SubnetContext& sub, const CommitmentArgs& build_args, std::string_view path,
                                  std::chrono::steady_clock::time_point deadline,
                                  const std::function<Response()>& landed, committer::Submitter* signer) {
  if (signer == nullptr) signer = sub.parts().hotkey_submitter;
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  static constexpr milliseconds kPerAttempt{120000};
  const auto timed_out = [] { return v1::error(504, "Request timed out"); };
  const std::uint32_t attempts = std::max<std::uint32_t>(options_.v1.commitment_retry_attempts, 1);
  enum class Attempt : std::uint8_t { landed, failed, too_long, no_call };
  std::string last_error;
  // One attempt: the block at hand, its metadata, the call built from it, the submission.
  const auto attempt_once = [&](milliseconds left) -> Attempt {
    auto snap = sub.snapshots().latest();
    if (!snap) {
      last_error = "no snapshot of the chain yet";
      return Attempt::failed;
    }
    const chain::BlockRef at{snap->block_hash, snap->block};
    auto md = deps_.chain->metadata(at.hash);
    metrics_.count_chain_call(md.ok());
    if (!md.ok()) {
      last_error = "metadata at block " + std::to_string(at.number) + ": " + md.error().message;
      return Attempt::failed;
    }
    auto args = build_args(**md);
    if (!args.ok()) {
      last_error = args.error().message;
      return args.error().is(v1::CommitmentCallErrc::kTooLong) ? Attempt::too_long : Attempt::no_call;
    }
    auto s = signer->submit_within(std::min(kPerAttempt, left), "Commitments.set_commitment", *args, at);
    metrics_.count_chain_call(s.ok());
    if (!s.ok()) {
      last_error = s.error().message;
      return Attempt::failed;
    }
    using St = chain::TxOutcome::Status;
    const auto& o = s->outcome;
    if (o.status != St::Included && o.status != St::Finalized) {
      last_error = "set_commitment: the extrinsic was not included: " + o.error;
      return Attempt::failed;
    }
    if (!o.success) {
      last_error = "set_commitment: the chain refused it: " + o.error;
      return Attempt::failed;
    }
    return Attempt::landed;
  };
  for (std::uint32_t attempt = 1;; ++attempt) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds(0)) return timed_out();
    switch (attempt_once(left)) {
      case Attempt::landed:
        return landed();
      // What no later block changes is answered at once: data longer than the runtime's Data
      // holds is the request's fault (400, as a validation failure, nothing signed), a runtime
      // without the call the chain's (502).
      case Attempt::too_long:
        return v1::validation_error("POST", path, {{"commitment", "Value error, " + last_error}});
      case Attempt::no_call:
        return v1::error(502, last_error);
      case Attempt::failed:
        break;
    }
    log::warn(
        "rest", "commitment attempt failed",
        {{"attempt", std::to_string(attempt)}, {"of", std::to_string(attempts)}, {"error", last_error}});
    if (attempt == attempts) return v1::error(502, last_error);
    const auto wait = v1::commitment_backoff(options_.v1.commitment_retry_delay_seconds, attempt);
    if (Clock::now() + wait >= deadline) return timed_out();
    Lock lock(stop_mu_);
    if (lock.wait_for(stop_cv_, wait, [this]() PYLON_REQUIRES(stop_mu_) { return stopping_; }))
      return v1::error(503, "Pylon is stopping");
  }
}

Response Api::v1_accepted(std::size_t count) {
  JsonWriter w;
  w.begin_object();
  w.key("detail");
  w.string("weights update scheduled");
  w.key("count");
  w.number(static_cast<std::uint64_t>(count));
  w.end_object();
  return json_response(200, w.take());
}

}  // namespace pylon::rest

// The read endpoints: the latest snapshot's pre-rendered bodies, kept snapshots for recent
// blocks, and snapshots built from the chain (on a worker) for older ones.
#include <exception>

#include "committer/epoch.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"
#include "rest/long_poll.hpp"

namespace pylon::rest {
namespace {

Response chain_failed(std::string_view what, const Error& e) {
  return error_response(502, code::chain_error, std::string(what) + ": " + e.message);
}

// What a read at a block not kept may find that is an answer rather than a failure.
enum class ReadErrc : std::uint8_t {
  kNoSuchBlock,  // the chain has no block of that number (yet)
};

// /metagraph?mechanism=N for N >= 1 from the snapshot's own mechanisms (read at its block): 400
// for a mechanism the subnet does not have then, 503 when the snapshot could not read them.
Response mechanism_metagraph(const follower::Snapshot& s, std::uint8_t m) {
  const std::string at = " at block " + std::to_string(s.block);
  if (!s.mechanisms)
    return error_response(503, code::unavailable,
                          "the subnet's mechanisms could not be read" + at + ": " + s.mechanisms_unavailable);
  if (m >= s.mechanisms->count)
    return error_response(400, code::bad_request,
                          "mechanism " + std::to_string(m) + " is out of range: subnet " +
                              std::to_string(s.netuid) + " has " + std::to_string(s.mechanisms->count) +
                              " mechanism(s)" + at);
  const follower::MechanismNeurons* fields = s.mechanism(m);
  if (fields == nullptr)
    return error_response(503, code::unavailable,
                          "mechanism " + std::to_string(m) + "'s fields could not be read" + at + ": " +
                              s.mechanisms_unavailable);
  return json_response(200, render_metagraph(s, *fields));
}

Response no_such_block(std::uint64_t block) {
  return error_response(404, code::not_found, "block " + std::to_string(block) + " does not exist");
}

// A failed build of a snapshot at `block`: no such block and a subnet absent then are answers
// (404), anything else a failure to read the chain (502).
Response build_failure(std::uint64_t block, const Error& e) {
  if (auto kind = e.kind_of<ReadErrc>()) {
    switch (*kind) {
      case ReadErrc::kNoSuchBlock:
        return no_such_block(block);
    }
  }
  if (auto kind = e.kind_of<follower::SnapshotErrc>()) {
    switch (*kind) {
      case follower::SnapshotErrc::kSubnetAbsent:
        return error_response(404, code::not_found, e.message);
    }
  }
  return chain_failed("reading block " + std::to_string(block), e);
}

Response past_the_head(std::uint64_t block, std::uint64_t head) {
  return error_response(404, code::not_found,
                        "block " + std::to_string(block) + " is past the latest finalized block " +
                            std::to_string(head));
}

}  // namespace

Result<follower::SnapshotPtr> Api::build_from_chain(std::uint16_t netuid, std::uint64_t block,
                                                    std::optional<BlockHash> hash) {
  if (!hash) {
    auto h = deps_.chain->block_hash(block);
    metrics_.count_chain_call(h.ok());
    PYLON_TRY(h);
    if (!*h) return make_error(ReadErrc::kNoSuchBlock, "no such block");
    hash = **h;
  }
  follower::BuildOptions o;
  o.hyperparams = deps_.build_hyperparams;
  o.commitments = deps_.build_commitments;
  o.timestamp = false;
  auto s = follower::build_snapshot(*deps_.chain, netuid, chain::BlockRef{*hash, block}, o);
  metrics_.count_chain_call(s.ok());
  PYLON_TRY(s);
  return follower::SnapshotPtr(std::make_shared<const follower::Snapshot>(std::move(s).value()));
}

void Api::with_snapshot_at(SubnetContext& sub, std::uint64_t block, Reply reply,
                           std::function<void(const Rendered&, Reply)> then) {
  auto l = sub.latest();
  if (!l) return reply(no_snapshot_response());
  if (block > l->snapshot()->block) return reply(past_the_head(block, l->snapshot()->block));
  if (auto r = sub.kept(block)) return then(r, std::move(reply));
  if (!deps_.chain)
    return reply(error_response(
        404, code::not_found, "block " + std::to_string(block) + " is not kept and no chain is configured"));
  metrics_.worker_queued();
  on_worker_([this, &sub, block, reply = std::move(reply), then = std::move(then)]() mutable {
    auto built = build_from_chain(sub.netuid(), block, std::nullopt);
    metrics_.worker_done();
    if (!built.ok()) return reply(build_failure(block, built.error()));
    on_io_([&sub, s = std::move(built).value(), reply = std::move(reply), then = std::move(then)]() mutable {
      auto r = std::make_shared<RenderedSnapshot>(std::move(s));
      sub.remember(r);
      then(r, std::move(reply));
    });
  });
}

// The block asked for, else the default subnet's latest (the block every followed subnet's
// latest snapshot is of, or is about to be). One build per (netuid, block) however many ask at
// once (OnDemandSnapshots::join); its result is kept for the next ones.
void Api::with_unfollowed_at(std::uint16_t netuid, std::optional<std::uint64_t> block, Reply reply,
                             std::function<void(const Rendered&, Reply)> then) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  const auto& head = *l->snapshot();
  if (block && *block > head.block) return reply(past_the_head(*block, head.block));
  const std::uint64_t at = block.value_or(head.block);
  if (auto r = on_demand_.find(netuid, at)) return then(r, std::move(reply));
  if (!deps_.chain)
    return reply(error_response(404, code::not_found,
                                "subnet " + std::to_string(netuid) +
                                    " is not followed and no chain is configured to read it"));
  // The hash of a block the default subnet's store keeps is known: no read for it.
  std::optional<BlockHash> hash;
  if (at == head.block) {
    hash = head.block_hash;
  } else if (auto kept = default_->snapshots().at_block(at)) {
    hash = kept->block_hash;
  }
  auto waiter = [this, at, reply = std::move(reply), then = std::move(then)](const Result<Rendered>& r) mutable {
    if (!r.ok()) return reply(build_failure(at, r.error()));
    on_io_([r = *r, reply = std::move(reply), then = std::move(then)]() mutable { then(r, std::move(reply)); });
  };
  if (!on_demand_.join(netuid, at, std::move(waiter))) return;  // a build of it is in flight
  metrics_.worker_queued();
  on_worker_([this, netuid, at, hash] {
    Result<Rendered> r = make_error("the build did not finish");
    try {
      auto built = build_from_chain(netuid, at, hash);
      if (built.ok()) {
        r = std::make_shared<RenderedSnapshot>(std::move(built).value());
      } else {
        r = std::move(built).error();
      }
    } catch (const std::exception& e) {
      // Only Boost and the standard library throw; the waiters must hear of it all the same.
      r = make_error(std::string("internal error: ") + e.what());
    }
    metrics_.worker_done();
    on_demand_.finish(netuid, at, r);
  });
}

void Api::with_epoch_at(SubnetContext& sub, std::uint64_t block, Reply reply,
                        std::function<void(EpochAnswer, Reply)> then) {
  auto l = sub.latest();
  if (!l) return reply(no_snapshot_response());
  if (auto e = sub.known_epoch(block)) return then(*e, std::move(reply));
  // A snapshot carries its block's epoch when the follower was given the rule.
  if (auto r = sub.kept(block); r && r->snapshot()->epoch) {
    const EpochAnswer e{r->snapshot()->epoch->start, r->snapshot()->epoch->end};
    sub.remember_epoch(block, e);
    return then(e, std::move(reply));
  }
  if (!sub.parts().epoch_at) {
    auto tempo = l->snapshot()->hyperparams ? l->snapshot()->hyperparams->u64("tempo") : std::nullopt;
    if (!tempo || *tempo == 0 || *tempo > 65535)
      return reply(error_response(503, code::not_ready, "the subnet's tempo is not known yet"));
    // The committer's rule, the one home of epoch arithmetic (tempo is not 0 here).
    auto span = committer::epoch_by_formula(sub.netuid(), static_cast<std::uint16_t>(*tempo), block);
    if (!span.ok()) return reply(error_response(503, code::not_ready, span.error().message));
    const EpochAnswer e{span->start, span->end};
    sub.remember_epoch(block, e);
    return then(e, std::move(reply));
  }
  if (block > l->snapshot()->block) return reply(past_the_head(block, l->snapshot()->block));
  std::optional<chain::BlockRef> ref;
  if (auto r = sub.kept(block)) ref = chain::BlockRef{r->snapshot()->block_hash, block};
  if (!ref && !deps_.chain)
    return reply(error_response(
        404, code::not_found, "block " + std::to_string(block) + " is not kept and no chain is configured"));
  metrics_.worker_queued();
  on_worker_([this, &sub, block, ref, reply = std::move(reply), then = std::move(then)]() mutable {
    auto span = [&]() -> Result<EpochAnswer> {
      if (!ref) {
        auto hash = deps_.chain->block_hash(block);
        metrics_.count_chain_call(hash.ok());
        PYLON_TRY(hash);
        if (!*hash) return make_error(ReadErrc::kNoSuchBlock, "no such block");
        ref = chain::BlockRef{**hash, block};
      }
      return sub.parts().epoch_at(*ref);
    }();
    metrics_.worker_done();
    if (!span.ok()) {
      if (auto kind = span.error().kind_of<ReadErrc>()) {
        switch (*kind) {
          case ReadErrc::kNoSuchBlock:
            return reply(no_such_block(block));
        }
      }
      return reply(chain_failed("the epoch of block " + std::to_string(block), span.error()));
    }
    on_io_([&sub, block, e = *span, reply = std::move(reply), then = std::move(then)]() mutable {
      sub.remember_epoch(block, e);
      then(e, std::move(reply));
    });
  });
}

// ?mechanism=N (0..255, default 0): mechanism N's incentive and last_update in place of the
// subnet's own. Mechanism 0 is the body rendered once per snapshot; another is rendered per
// request, on a worker so that formatting a whole metagraph never holds up an I/O loop.
void Api::get_metagraph(const Request& req, std::string_view param, Reply reply) {
  std::uint8_t mechanism = 0;
  if (auto p = query_param(req.query, "mechanism")) {
    auto n = parse_block_number(*p, "mechanism");
    if (!n.ok()) return reply(error_response(400, code::bad_request, n.error().message));
    if (*n > 255)
      return reply(
          error_response(400, code::bad_request,
                         "mechanism " + std::to_string(*n) + " is out of range: mechanism ids are 0..255"));
    mechanism = static_cast<std::uint8_t>(*n);
  }
  if (mechanism != 0) {
    auto answer = [this, mechanism](const Rendered& r, Reply rep) {
      metrics_.worker_queued();
      on_worker_([this, snap = r->snapshot(), mechanism, rep = std::move(rep)]() mutable {
        Response resp = mechanism_metagraph(*snap, mechanism);
        metrics_.worker_done();
        rep(std::move(resp));
      });
    };
    if (param.empty()) {
      auto l = latest();
      if (!l) return reply(no_snapshot_response());
      return answer(l, std::move(reply));
    }
    auto block = parse_block_number(param, "block_number");
    if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
    return with_snapshot_at(*default_, *block, std::move(reply), answer);
  }
  if (param.empty()) {
    auto l = latest();
    if (!l) return reply(no_snapshot_response());
    return reply(l->response(RenderedSnapshot::Body::metagraph));
  }
  auto block = parse_block_number(param, "block_number");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  with_snapshot_at(*default_, *block, std::move(reply),
                   [](const Rendered& r, Reply rep) { rep(r->response(RenderedSnapshot::Body::metagraph)); });
}

// Without after/timeout the answer of the seed contract, byte for byte. With ?after=N it waits
// (parked, no thread held) until a block after N is published or the timeout passes, then answers
// the same way: 200 {"block": latest} (after the timeout that block may be N or below), or 503
// when no snapshot exists yet. Beyond RestOptions::max_long_polls parked: 503 with Retry-After.
void Api::get_latest_block(const Request& req, Reply reply) {
  auto poll = parse_long_poll_query(req.query);
  if (!poll.ok()) return reply(error_response(400, code::bad_request, poll.error().message));
  auto l = latest();
  const bool now =
      !*poll || !long_polls_ || (l && l->snapshot()->block > (*poll)->after) || (*poll)->timeout.count() == 0;
  if (now) return answer_latest_block(reply);
  if (long_polls_->park((*poll)->after, (*poll)->timeout, [this, reply] { answer_latest_block(reply); }))
    return;
  Response busy = error_response(503, code::unavailable,
                                 "too many requests are waiting for a block (at most " +
                                     std::to_string(options_.max_long_polls) + "); retry shortly");
  busy.extra_headers = "Retry-After: 1\r\n";
  reply(std::move(busy));
}

void Api::answer_latest_block(const Reply& reply) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  reply(shared_response(200, l->latest_block()));
}

void Api::get_block_hash(std::string_view param, Reply reply) {
  auto block = parse_block_number(param, "block_number");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  if (*block > l->snapshot()->block) return reply(past_the_head(*block, l->snapshot()->block));
  if (auto r = default_->kept(*block)) return reply(shared_response(200, r->block_hash()));
  if (!deps_.chain)
    return reply(error_response(
        404, code::not_found, "block " + std::to_string(*block) + " is not kept and no chain is configured"));
  blocking(
      [this, n = *block]() -> Response {
        auto hash = deps_.chain->block_hash(n);
        metrics_.count_chain_call(hash.ok());
        if (!hash.ok()) return chain_failed("block hash of " + std::to_string(n), hash.error());
        if (!*hash) return no_such_block(n);
        return json_response(200, render_block_hash(**hash));
      },
      std::move(reply));
}

void Api::get_epoch(std::string_view param, Reply reply) {
  std::uint64_t block = 0;
  if (param.empty()) {
    auto l = latest();
    if (!l) return reply(no_snapshot_response());
    block = l->snapshot()->block;
  } else {
    auto b = parse_block_number(param, "block_number");
    if (!b.ok()) return reply(error_response(400, code::bad_request, b.error().message));
    block = *b;
  }
  with_epoch_at(*default_, block, std::move(reply), [](EpochAnswer e, Reply rep) {
    rep(json_response(200, "{\"epoch_start\":" + std::to_string(e.start) +
                               ",\"epoch_end\":" + std::to_string(e.end) + "}"));
  });
}

void Api::get_hyperparams(Reply reply) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  const auto& body = l->hyperparams();
  if (!body)
    return reply(error_response(
        503, code::not_ready, "the hyperparameters are not known yet: " + l->snapshot()->unavailable_reason));
  reply(l->response(RenderedSnapshot::Body::hyperparams));
}

// ?block=N picks the snapshot; absent, the latest.
void Api::with_block_param(const Request& req, Reply reply,
                           std::function<void(const Rendered&, Reply)> then) {
  auto param = query_param(req.query, "block");
  if (!param) {
    auto l = latest();
    if (!l) return reply(no_snapshot_response());
    return then(l, std::move(reply));
  }
  auto block = parse_block_number(*param, "block");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  with_snapshot_at(*default_, *block, std::move(reply), std::move(then));
}

void Api::get_commitment(const Request& req, std::string_view hotkey, Reply reply) {
  auto hk = parse_hotkey(hotkey);
  if (!hk.ok()) return reply(error_response(400, code::bad_request, hk.error().message));
  with_block_param(req, std::move(reply), [hk = std::move(hk).value()](const Rendered& r, Reply rep) {
    const auto& s = *r->snapshot();
    if (!s.commitments)
      return rep(error_response(503, code::not_ready, "commitments are not known: " + s.unavailable_reason));
    for (const auto& c : *s.commitments) {
      if (c.hotkey != hk.account) continue;
      std::string out = "{\"hotkey\":\"" + hk.text + "\",\"commitment\":\"";
      append_hex(out, c.commitment.concatenated());
      out += "\"}";
      return rep(json_response(200, std::move(out)));
    }
    rep(error_response(404, code::not_found,
                       "no commitment for " + hk.text + " at block " + std::to_string(s.block)));
  });
}

void Api::get_commitments(const Request& req, Reply reply) {
  with_block_param(req, std::move(reply), [](const Rendered& r, Reply rep) {
    const auto& body = r->commitments();
    if (!body)
      return rep(error_response(503, code::not_ready,
                                "commitments are not known: " + r->snapshot()->unavailable_reason));
    rep(r->response(RenderedSnapshot::Body::commitments));
  });
}

}  // namespace pylon::rest

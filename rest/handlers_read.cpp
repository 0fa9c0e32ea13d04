// The read endpoints: the latest snapshot's pre-rendered bodies, kept snapshots for recent
// blocks, and snapshots built from the chain (on a worker) for older ones.
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

Response no_such_block(std::uint64_t block) {
  return error_response(404, code::not_found, "block " + std::to_string(block) + " does not exist");
}

}  // namespace

Api::Rendered Api::latest() {
  Lock lock(cache_mu_);
  return latest_locked();
}

Api::Rendered Api::latest_locked() {
  auto s = deps_.snapshots.latest();
  if (!s) return nullptr;
  if (!latest_ || latest_->snapshot() != s) {
    if (latest_) remember_locked(latest_);
    latest_ = std::make_shared<RenderedSnapshot>(std::move(s));
  }
  return latest_;
}

void Api::remember(const Rendered& r) {
  Lock lock(cache_mu_);
  remember_locked(r);
}

void Api::remember_locked(const Rendered& r) {
  old_.remove(r);
  old_.push_front(r);
  while (old_.size() > std::max<std::size_t>(options_.old_block_cache, 1)) old_.pop_back();
}

Api::Rendered Api::kept(std::uint64_t block) {
  Lock lock(cache_mu_);
  auto l = latest_locked();
  if (l && l->snapshot()->block == block) return l;
  for (const auto& r : old_)
    if (r->snapshot()->block == block) return r;
  if (auto s = deps_.snapshots.at_block(block)) {
    auto r = std::make_shared<RenderedSnapshot>(std::move(s));
    remember_locked(r);
    return r;
  }
  return nullptr;
}

void Api::with_snapshot_at(std::uint64_t block, Reply reply,
                           std::function<void(const Rendered&, Reply)> then) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  if (block > l->snapshot()->block)
    return reply(error_response(404, code::not_found,
                                "block " + std::to_string(block) + " is past the latest finalized block " +
                                    std::to_string(l->snapshot()->block)));
  if (auto r = kept(block)) return then(r, std::move(reply));
  if (!deps_.chain)
    return reply(error_response(
        404, code::not_found, "block " + std::to_string(block) + " is not kept and no chain is configured"));
  metrics_.worker_queued();
  on_worker_([this, block, reply = std::move(reply), then = std::move(then)]() mutable {
    auto built = [&]() -> Result<follower::SnapshotPtr> {
      auto hash = deps_.chain->block_hash(block);
      metrics_.count_chain_call(hash.ok());
      PYLON_TRY(hash);
      if (!*hash) return make_error(ReadErrc::kNoSuchBlock, "no such block");
      follower::BuildOptions o;
      o.hyperparams = deps_.build_hyperparams;
      o.commitments = deps_.build_commitments;
      o.timestamp = false;
      auto s = follower::build_snapshot(*deps_.chain, deps_.netuid, chain::BlockRef{**hash, block}, o);
      metrics_.count_chain_call(s.ok());
      PYLON_TRY(s);
      return follower::SnapshotPtr(std::make_shared<const follower::Snapshot>(std::move(s).value()));
    }();
    metrics_.worker_done();
    if (!built.ok()) {
      if (auto kind = built.error().kind_of<ReadErrc>()) {
        switch (*kind) {
          case ReadErrc::kNoSuchBlock:
            return reply(no_such_block(block));
        }
      }
      if (auto kind = built.error().kind_of<follower::SnapshotErrc>()) {
        switch (*kind) {
          case follower::SnapshotErrc::kSubnetAbsent:
            return reply(error_response(404, code::not_found, built.error().message));
        }
      }
      return reply(chain_failed("reading block " + std::to_string(block), built.error()));
    }
    on_io_([this, s = std::move(built).value(), reply = std::move(reply), then = std::move(then)]() mutable {
      auto r = std::make_shared<RenderedSnapshot>(std::move(s));
      remember(r);
      then(r, std::move(reply));
    });
  });
}

std::optional<EpochAnswer> Api::known_epoch(std::uint64_t block) {
  Lock lock(cache_mu_);
  if (auto it = epochs_.find(block); it != epochs_.end()) return it->second;
  return std::nullopt;
}

void Api::with_epoch_at(std::uint64_t block, Reply reply, std::function<void(EpochAnswer, Reply)> then) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  if (auto e = known_epoch(block)) return then(*e, std::move(reply));
  auto remember_epoch = [this](std::uint64_t b, EpochAnswer e) PYLON_EXCLUDES(cache_mu_) {
    Lock lock(cache_mu_);
    if (epochs_.size() > 4096) epochs_.clear();
    epochs_[b] = e;
  };
  // A snapshot carries its block's epoch when the follower was given the rule.
  if (auto r = kept(block); r && r->snapshot()->epoch) {
    const EpochAnswer e{r->snapshot()->epoch->start, r->snapshot()->epoch->end};
    remember_epoch(block, e);
    return then(e, std::move(reply));
  }
  if (!deps_.epoch_at) {
    auto tempo = l->snapshot()->hyperparams ? l->snapshot()->hyperparams->u64("tempo") : std::nullopt;
    if (!tempo || *tempo == 0 || *tempo > 65535)
      return reply(error_response(503, code::not_ready, "the subnet's tempo is not known yet"));
    // The committer's rule, the one home of epoch arithmetic (tempo is not 0 here).
    auto span = committer::epoch_by_formula(deps_.netuid, static_cast<std::uint16_t>(*tempo), block);
    if (!span.ok()) return reply(error_response(503, code::not_ready, span.error().message));
    const EpochAnswer e{span->start, span->end};
    remember_epoch(block, e);
    return then(e, std::move(reply));
  }
  if (block > l->snapshot()->block)
    return reply(error_response(404, code::not_found,
                                "block " + std::to_string(block) + " is past the latest finalized block " +
                                    std::to_string(l->snapshot()->block)));
  std::optional<chain::BlockRef> ref;
  if (auto r = kept(block)) ref = chain::BlockRef{r->snapshot()->block_hash, block};
  if (!ref && !deps_.chain)
    return reply(error_response(
        404, code::not_found, "block " + std::to_string(block) + " is not kept and no chain is configured"));
  metrics_.worker_queued();
  on_worker_([this, block, ref, reply = std::move(reply), then = std::move(then), remember_epoch]() mutable {
    auto span = [&]() -> Result<EpochAnswer> {
      if (!ref) {
        auto hash = deps_.chain->block_hash(block);
        metrics_.count_chain_call(hash.ok());
        PYLON_TRY(hash);
        if (!*hash) return make_error(ReadErrc::kNoSuchBlock, "no such block");
        ref = chain::BlockRef{**hash, block};
      }
      return deps_.epoch_at(*ref);
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
    on_io_([block, e = *span, reply = std::move(reply), then = std::move(then), remember_epoch]() mutable {
      remember_epoch(block, e);
      then(e, std::move(reply));
    });
  });
}

void Api::get_metagraph(std::string_view param, Reply reply) {
  if (param.empty()) {
    auto l = latest();
    if (!l) return reply(no_snapshot_response());
    return reply(l->response(RenderedSnapshot::Body::metagraph));
  }
  auto block = parse_block_number(param, "block_number");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  with_snapshot_at(*block, std::move(reply),
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
  if (*block > l->snapshot()->block)
    return reply(error_response(404, code::not_found,
                                "block " + std::to_string(*block) + " is past the latest finalized block " +
                                    std::to_string(l->snapshot()->block)));
  if (auto r = kept(*block)) return reply(shared_response(200, r->block_hash()));
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
  with_epoch_at(block, std::move(reply), [](EpochAnswer e, Reply rep) {
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
  with_snapshot_at(*block, std::move(reply), std::move(then));
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

// The weights endpoints: writes go through the Writer (one synced transaction per group of
// requests) into the current epoch, the one holding the latest snapshot's block; reads come from
// the store on a worker.
#include "codec/ss58.hpp"
#include "committer/committer.hpp"
#include "common/json_writer.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"
#include "weights/store.hpp"
#include "weights/writer.hpp"

namespace pylon::rest {
namespace {

// A failed write by its kind: the request's fault (400), a store that could not write or read (500) or
// a writer that is stopping (503). An error of no store kind is not the client's to fix: 500.
Response store_error(const Error& e) {
  const auto kind = e.kind_of<weights::StoreErrc>();
  if (!kind) return error_response(500, code::internal, e.message);
  switch (*kind) {
    case weights::StoreErrc::kRefused:
      return error_response(400, code::bad_request, e.message);
    case weights::StoreErrc::kNotFound:
      return error_response(404, code::not_found, e.message);
    case weights::StoreErrc::kInternal:
    case weights::StoreErrc::kCorrupt:
      return error_response(500, code::internal, e.message);
    case weights::StoreErrc::kStopped:
      return error_response(503, code::unavailable, e.message);
  }
  return error_response(500, code::internal, e.message);
}

// A failed force commit: no weights in the epoch is the 404 the contract names (the committer
// reports it as weights::StoreErrc::kNotFound); anything else failed on the way to the chain.
Response force_commit_error(const Error& e) {
  const auto kind = e.kind_of<weights::StoreErrc>();
  if (kind) {
    switch (*kind) {
      case weights::StoreErrc::kNotFound:
        return error_response(404, code::not_found, e.message);
      case weights::StoreErrc::kRefused:
      case weights::StoreErrc::kInternal:
      case weights::StoreErrc::kStopped:
      case weights::StoreErrc::kCorrupt:
        break;
    }
  }
  return error_response(502, code::chain_error, "force commit failed: " + e.message);
}

void append_weights(std::string& out, const std::map<AccountId, double>& w) {
  out += '{';
  bool first = true;
  for (const auto& [hk, v] : w) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += codec::ss58_encode(hk);
    out += "\":";
    append_float(out, v);
  }
  out += '}';
}

}  // namespace

void Api::with_current_epoch(Reply reply, std::function<void(EpochAnswer, Reply)> then) {
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  with_epoch_at(l->snapshot()->block, std::move(reply), std::move(then));
}

void Api::submit_weights(std::vector<weights::WeightUpdate> updates, Reply reply,
                         std::function<Response(const std::vector<double>&)> answer) {
  deps_.writer->submit(std::move(updates),
                       [reply = std::move(reply), answer = std::move(answer)](Result<std::vector<double>> r) {
                         if (!r.ok()) return reply(store_error(r.error()));
                         reply(answer(*r));
                       });
}

void Api::put_set_weight(const Request& req, Reply reply) {
  auto body = decode_set_weight(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.writer) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_current_epoch(std::move(reply), [this, b = std::move(body).value()](EpochAnswer e, Reply rep) {
    weights::WeightUpdate u{deps_.netuid, e.start, b.hotkey.account, weights::Op::set, b.weight};
    submit_weights({u}, std::move(rep), [hk = b.hotkey.text, epoch = e.start](const std::vector<double>& w) {
      std::string out = "{\"hotkey\":\"" + hk + "\",\"weight\":";
      append_float(out, w.at(0));
      out += ",\"epoch\":" + std::to_string(epoch) + "}";
      return json_response(200, std::move(out));
    });
  });
}

void Api::put_update_weight(const Request& req, Reply reply) {
  auto body = decode_update_weight(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.writer) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_current_epoch(std::move(reply), [this, b = std::move(body).value()](EpochAnswer e, Reply rep) {
    weights::WeightUpdate u{deps_.netuid, e.start, b.hotkey.account, weights::Op::add, b.delta};
    submit_weights({u}, std::move(rep), [hk = b.hotkey.text, epoch = e.start](const std::vector<double>& w) {
      std::string out = "{\"hotkey\":\"" + hk + "\",\"weight\":";
      append_float(out, w.at(0));
      out += ",\"epoch\":" + std::to_string(epoch) + "}";
      return json_response(200, std::move(out));
    });
  });
}

void Api::put_set_weights(const Request& req, Reply reply) {
  auto body = decode_set_weights(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.writer) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_current_epoch(std::move(reply), [this, b = std::move(body).value()](EpochAnswer e, Reply rep) {
    std::vector<weights::WeightUpdate> updates;
    std::vector<std::string> names;
    updates.reserve(b.weights.size());
    for (const auto& [hk, w] : b.weights) {
      updates.push_back({deps_.netuid, e.start, hk.account, weights::Op::set, w});
      names.push_back(hk.text);
    }
    submit_weights(std::move(updates), std::move(rep),
                   [names = std::move(names), epoch = e.start](const std::vector<double>& w) {
                     std::string out = "{\"epoch\":" + std::to_string(epoch) + ",\"weights\":{";
                     for (std::size_t i = 0; i < names.size() && i < w.size(); ++i) {
                       if (i) out += ',';
                       out += '"' + names[i] + "\":";
                       append_float(out, w[i]);
                     }
                     out += "}}";
                     return json_response(200, std::move(out));
                   });
  });
}

// ?epoch=N names a block; the answer is the epoch holding it (default: the current one).
void Api::with_epoch_param(const Request& req, Reply reply, std::function<void(EpochAnswer, Reply)> then) {
  auto param = query_param(req.query, "epoch");
  if (!param) return with_current_epoch(std::move(reply), std::move(then));
  auto block = parse_block_number(*param, "epoch");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  with_epoch_at(*block, std::move(reply), std::move(then));
}

void Api::get_raw_weights(const Request& req, Reply reply) {
  if (!deps_.store) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_epoch_param(req, std::move(reply), [this](EpochAnswer e, Reply rep) {
    blocking(
        [this, e]() -> Response {
          auto w = deps_.store->weights(deps_.netuid, e.start);
          if (!w.ok()) return error_response(500, code::internal, w.error().message);
          if (w->empty())
            return error_response(404, code::not_found,
                                  "no weights for the epoch starting at block " + std::to_string(e.start));
          std::string out = "{\"epoch\":" + std::to_string(e.start) + ",\"weights\":";
          append_weights(out, *w);
          out += '}';
          return json_response(200, std::move(out));
        },
        std::move(rep));
  });
}

void Api::post_force_commit(Reply reply) {
  if (!deps_.committer) return reply(error_response(503, code::unavailable, "no committer is running"));
  // The contract's 404 for an epoch without weights is told from the store, as the committer
  // reads it at the same snapshot (should the epoch turn in between and the committer find none,
  // it is to answer weights::StoreErrc::kNotFound, which force_commit_error makes a 404 too).
  with_current_epoch(std::move(reply), [this](EpochAnswer e, Reply rep) {
    blocking(
        [this, e]() -> Response {
          if (deps_.store) {
            auto w = deps_.store->weights(deps_.netuid, e.start);
            if (!w.ok()) return error_response(500, code::internal, w.error().message);
            if (w->empty())
              return error_response(404, code::not_found,
                                    "no weights for the epoch starting at block " + std::to_string(e.start));
          }
          return force_commit();
        },
        std::move(rep));
  });
}

Response Api::force_commit() {
  auto r = deps_.committer->force_commit();
  metrics_.count_chain_call(r.ok());
  if (!r.ok()) return force_commit_error(r.error());
  std::string out = "{\"block\":" + std::to_string(r->block) + ",\"committed_weights\":";
  append_weights(out, r->committed_weights);
  out += ",\"extrinsic_hash\":\"";
  append_hex(out, r->extrinsic_hash);
  out += "\",\"call\":";
  append_json_string(out, weights::to_text(r->call));
  out += '}';
  return json_response(200, std::move(out));
}

}  // namespace pylon::rest

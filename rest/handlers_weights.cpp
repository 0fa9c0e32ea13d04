// The weights endpoints: writes go through the Writer (one synced transaction per group of
// requests) into the current epoch, the one holding the latest snapshot's block; reads come from
// the store on a worker. Each is for one mechanism (sub-subnet) of the subnet: ?mechanism=N,
// default 0, the only one on runtimes without mechanisms.
#include "codec/ss58.hpp"
#include "committer/committer.hpp"
#include "committer/weights_call.hpp"
#include "common/json_writer.hpp"
#include "rest/api.hpp"
#include "rest/body.hpp"
#include "rest/render.hpp"
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

}  // namespace

// Mechanism 0 exists on every subnet, so the default (and ?mechanism=0) reads nothing; a higher
// one is checked against MechanismCountCurrent at the latest snapshot's block (a runtime without
// mechanisms has one), on a worker, and refused with 400 when the subnet lacks it: weights stored
// for it could never be committed.
void Api::with_mechanism_param(const Request& req, Reply reply,
                               std::function<void(std::uint8_t, Reply)> then) {
  auto param = query_param(req.query, "mechanism");
  if (!param) return then(0, std::move(reply));
  auto n = parse_block_number(*param, "mechanism");
  if (!n.ok()) return reply(error_response(400, code::bad_request, n.error().message));
  if (*n > 255)
    return reply(
        error_response(400, code::bad_request,
                       "mechanism " + std::to_string(*n) + " is out of range: mechanism ids are 0..255"));
  const auto mechanism = static_cast<std::uint8_t>(*n);
  if (mechanism == 0) return then(0, std::move(reply));
  auto l = latest();
  if (!l) return reply(no_snapshot_response());
  if (!deps_.chain)
    return reply(
        error_response(503, code::unavailable, "no chain is configured to read the subnet's mechanisms"));
  const chain::BlockRef at{l->snapshot()->block_hash, l->snapshot()->block};
  metrics_.worker_queued();
  on_worker_([this, at, mechanism, reply = std::move(reply), then = std::move(then)]() mutable {
    auto mechanisms = [&]() -> Result<committer::Mechanisms> {
      PYLON_ASSIGN(auto md, deps_.chain->metadata(at.hash));
      return committer::read_mechanisms(*deps_.chain, *md, deps_.netuid, at);
    }();
    metrics_.count_chain_call(mechanisms.ok());
    metrics_.worker_done();
    if (!mechanisms.ok())
      return reply(
          error_response(502, code::chain_error, "the subnet's mechanisms: " + mechanisms.error().message));
    if (auto s = committer::check_mechanism(mechanism, *mechanisms, deps_.netuid); !s.ok())
      return reply(error_response(400, code::bad_request, s.error().message));
    on_io_([mechanism, reply = std::move(reply), then = std::move(then)]() mutable {
      then(mechanism, std::move(reply));
    });
  });
}

void Api::with_current_epoch(SubnetContext& sub, Reply reply, std::function<void(EpochAnswer, Reply)> then) {
  auto l = sub.latest();
  if (!l) return reply(no_snapshot_response());
  with_epoch_at(sub, l->snapshot()->block, std::move(reply), std::move(then));
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
  put_one_weight(req, body->hotkey, weights::Op::set, body->weight, std::move(reply));
}

void Api::put_update_weight(const Request& req, Reply reply) {
  auto body = decode_update_weight(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  put_one_weight(req, body->hotkey, weights::Op::add, body->delta, std::move(reply));
}

void Api::put_one_weight(const Request& req, const HotkeyArg& hotkey, weights::Op op, double value,
                         Reply reply) {
  if (!deps_.writer) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_mechanism_param(req, std::move(reply), [this, hk = hotkey, op, value](std::uint8_t m, Reply r) {
    with_current_epoch(*default_, std::move(r), [this, hk, op, value, m](EpochAnswer e, Reply rep) {
      weights::WeightUpdate u{deps_.netuid, e.start, hk.account, op, value, m};
      submit_weights({u}, std::move(rep), [text = hk.text, epoch = e.start](const std::vector<double>& w) {
        std::string out = "{\"hotkey\":\"" + text + "\",\"weight\":";
        append_float(out, w.at(0));
        out += ",\"epoch\":" + std::to_string(epoch) + "}";
        return json_response(200, std::move(out));
      });
    });
  });
}

void Api::put_set_weights(const Request& req, Reply reply) {
  auto body = decode_set_weights(req.body);
  if (!body.ok()) return reply(error_response(400, code::bad_request, body.error().message));
  if (!deps_.writer) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  with_mechanism_param(req, std::move(reply), [this, b = std::move(body).value()](std::uint8_t m, Reply r) {
    with_current_epoch(*default_, std::move(r), [this, b, m](EpochAnswer e, Reply rep) {
      std::vector<weights::WeightUpdate> updates;
      std::vector<std::string> names;
      updates.reserve(b.weights.size());
      for (const auto& [hk, w] : b.weights) {
        updates.push_back({deps_.netuid, e.start, hk.account, weights::Op::set, w, m});
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
  });
}

// ?epoch=N names a block; the answer is the epoch holding it (default: the current one).
void Api::with_epoch_param(const Request& req, Reply reply, std::function<void(EpochAnswer, Reply)> then) {
  auto param = query_param(req.query, "epoch");
  if (!param) return with_current_epoch(*default_, std::move(reply), std::move(then));
  auto block = parse_block_number(*param, "epoch");
  if (!block.ok()) return reply(error_response(400, code::bad_request, block.error().message));
  with_epoch_at(*default_, *block, std::move(reply), std::move(then));
}

void Api::get_raw_weights(const Request& req, Reply reply) {
  if (!deps_.store) return reply(error_response(503, code::unavailable, "no weights store is configured"));
  // Both parameters are read here: the request's text does not outlive this call.
  auto epoch = epoch_query_param(req.query);
  if (!epoch.ok()) return reply(error_response(400, code::bad_request, epoch.error().message));
  const std::optional<std::uint64_t> block = *epoch;
  with_mechanism_param(req, std::move(reply), [this, block](std::uint8_t m, Reply r) {
    auto answer = [this, m](EpochAnswer e, Reply rep) {
      blocking(
          [this, e, m]() -> Response {
            auto w = deps_.store->weights(default_lane(), e.start, m);
            if (!w.ok()) return error_response(500, code::internal, w.error().message);
            if (w->empty())
              return error_response(404, code::not_found,
                                    "no weights for the epoch starting at block " + std::to_string(e.start) +
                                        (m == 0 ? "" : " for mechanism " + std::to_string(m)));
            std::string out = "{\"epoch\":" + std::to_string(e.start) + ",\"weights\":";
            append_weight_map(out, *w);
            out += '}';
            return json_response(200, std::move(out));
          },
          std::move(rep));
    };
    if (block) return with_epoch_at(*default_, *block, std::move(r), std::move(answer));
    with_current_epoch(*default_, std::move(r), std::move(answer));
  });
}

void Api::post_force_commit(Reply reply) {
  if (!deps_.committer) return reply(error_response(503, code::unavailable, "no committer is running"));
  // The contract's 404 for an epoch without weights is told from the store, as the committer
  // reads it at the same snapshot (should the epoch turn in between and the committer find none,
  // it is to answer weights::StoreErrc::kNotFound, which force_commit_error makes a 404 too).
  with_current_epoch(*default_, std::move(reply), [this](EpochAnswer e, Reply rep) {
    blocking(
        [this, e]() -> Response {
          if (deps_.store) {
            auto w = deps_.store->weights(default_lane(), e.start);
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
  append_weight_map(out, r->committed_weights);
  out += ",\"extrinsic_hash\":\"";
  append_hex(out, r->extrinsic_hash);
  out += "\",\"call\":";
  append_json_string(out, weights::to_text(r->call));
  out += '}';
  return json_response(200, std::move(out));
}

}  // namespace pylon::rest

#include "weights/drain_batch.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "shm/weight_queue.hpp"

namespace pylon::weights {

namespace {

// Why an entry for `mechanism` (above 0) cannot be stored, or nullopt when the subnet has it.
// `count` is read on first use and kept for the rest of the batch.
std::optional<std::string> mechanism_refusal(std::uint8_t mechanism, const DrainContext& ctx,
                                             std::optional<Result<std::uint8_t>>& count) {
  if (!ctx.mechanism_count) {
    return "mechanism " + std::to_string(mechanism) +
           " cannot be checked: no chain is configured to read the subnet's mechanisms";
  }
  if (!count) count.emplace(ctx.mechanism_count());
  if (!count->ok()) {
    return "mechanism " + std::to_string(mechanism) +
           " cannot be checked: the subnet's mechanisms: " + count->error().message;
  }
  if (mechanism >= **count) {
    return "mechanism " + std::to_string(mechanism) + " is not on subnet " + std::to_string(ctx.netuid) +
           " (it has " + std::to_string(**count) + ")";
  }
  return std::nullopt;
}

}  // namespace

QueueBatch to_queue_batch(std::span<const shm::DrainedEntry> entries, const DrainContext& ctx) {
  QueueBatch q;
  q.netuid = ctx.netuid;
  q.updates.reserve(entries.size());
  q.origins.reserve(entries.size());
  std::map<std::uint32_t, std::uint64_t> upto;
  std::optional<Result<std::uint8_t>> mechanism_count;
  for (const shm::DrainedEntry& e : entries) {
    QueueMark at{e.producer, e.seq};
    std::uint64_t& u = upto[e.producer];
    u = std::max(u, e.seq);
    if (e.mechanism > 0) {
      if (auto why = mechanism_refusal(e.mechanism, ctx, mechanism_count)) {
        q.refused.emplace_back(at, std::move(*why));
        continue;
      }
    }
    WeightUpdate w;
    w.netuid = ctx.netuid;
    w.epoch = ctx.epoch;
    w.op = e.op == shm::WeightOp::add ? Op::add : Op::set;
    w.value = e.weight;
    w.mechanism = e.mechanism;
    if (e.key_kind == shm::KeyKind::uid) {
      std::optional<AccountId> hk = ctx.hotkey_of ? ctx.hotkey_of(e.uid) : std::nullopt;
      if (!hk) {
        q.refused.emplace_back(at, "uid " + std::to_string(e.uid) + " is not registered on subnet " +
                                       std::to_string(ctx.netuid));
        continue;
      }
      w.hotkey = *hk;
    } else {
      w.hotkey = AccountId(e.hotkey);
    }
    q.updates.push_back(w);
    q.origins.push_back(at);
  }
  for (auto [producer, seq] : upto) q.marks.push_back(QueueMark{producer, seq});
  return q;
}

}  // namespace pylon::weights

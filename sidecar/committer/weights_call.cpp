#include "committer/weights_call.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "codec/ss58.hpp"
#include "common/json_writer.hpp"
#include "extrinsic/weights_hash.hpp"
#include "timelock/timelock.hpp"

namespace pylon::committer {

namespace {

constexpr double kU16Max = 65535.0;

void write_u16s(JsonWriter& w, const std::vector<std::uint16_t>& xs) {
  w.begin_array();
  for (auto x : xs) w.number(std::uint64_t{x});
  w.end_array();
}

// "netuid", and "mecid" for a mechanism >= 1: the leading fields of every weights call.
void write_subnet(JsonWriter& w, std::uint16_t netuid, std::uint8_t mechanism) {
  w.key("netuid");
  w.number(std::uint64_t{netuid});
  if (mechanism != 0) {
    w.key("mecid");
    w.number(std::uint64_t{mechanism});
  }
}

}  // namespace

std::string weights_call_name(weights::CallKind kind, std::uint8_t mechanism) {
  const bool mech = mechanism != 0;
  switch (kind) {
    case weights::CallKind::kSetWeights:
      return mech ? "SubtensorModule.set_mechanism_weights" : "SubtensorModule.set_weights";
    case weights::CallKind::kCommitWeights:
      return mech ? "SubtensorModule.commit_mechanism_weights" : "SubtensorModule.commit_weights";
    case weights::CallKind::kRevealWeights:
      return mech ? "SubtensorModule.reveal_mechanism_weights" : "SubtensorModule.reveal_weights";
    case weights::CallKind::kCommitTimelockedWeights:
      return mech ? "SubtensorModule.commit_timelocked_mechanism_weights"
                  : "SubtensorModule.commit_timelocked_weights";
  }
  return "SubtensorModule.set_weights";  // not reached: every kind is named above
}

std::string commit_hash_args(std::uint16_t netuid, std::uint8_t mechanism,
                             const std::array<std::uint8_t, 32>& hash) {
  JsonWriter w;
  w.begin_object();
  write_subnet(w, netuid, mechanism);
  w.key("commit_hash");
  w.string(to_hex(hash));
  w.end_object();
  return w.take();
}

std::string reveal_weights_args(std::uint16_t netuid, std::uint8_t mechanism,
                                const std::vector<std::uint16_t>& uids,
                                const std::vector<std::uint16_t>& values,
                                const std::vector<std::uint16_t>& salt, std::uint64_t version_key) {
  JsonWriter w;
  w.begin_object();
  write_subnet(w, netuid, mechanism);
  w.key("uids");
  write_u16s(w, uids);
  w.key("values");
  write_u16s(w, values);
  w.key("salt");
  write_u16s(w, salt);
  w.key("version_key");
  w.number(version_key);
  w.end_object();
  return w.take();
}

std::array<std::uint8_t, 32> mechanism_commit_hash(const AccountId& hotkey, std::uint16_t netuid,
                                                   std::uint8_t mechanism,
                                                   const std::vector<std::uint16_t>& uids,
                                                   const std::vector<std::uint16_t>& values,
                                                   const std::vector<std::uint16_t>& salt,
                                                   std::uint64_t version_key) {
  return extrinsic::weights_commit_hash(hotkey, extrinsic::mechanism_storage_index(netuid, mechanism), uids,
                                        values, salt, version_key);
}

Status check_mechanism(std::uint8_t mechanism, const Mechanisms& mechanisms, std::uint16_t netuid) {
  if (mechanism < mechanisms.count) return {};
  return make_error(MechanismErrc::kNoSuchMechanism,
                    "subnet " + std::to_string(netuid) + " has " + std::to_string(mechanisms.count) +
                        (mechanisms.count == 1 ? " mechanism" : " mechanisms") + " (0.." +
                        std::to_string(mechanisms.count - 1) + "): no weights for mechanism " +
                        std::to_string(mechanism));
}

std::string WeightsCall::json() const {
  JsonWriter w;
  w.begin_object();
  w.key("uids");
  write_u16s(w, uids);
  w.key("values");
  write_u16s(w, values);
  w.key("version_key");
  w.number(version_key);
  w.key("unknown_hotkeys");
  w.begin_array();
  for (const auto& h : unknown_hotkeys) w.string(h);
  w.end_array();
  if (capped) {
    w.key("capped_to_max_weights_limit");
    w.boolean(true);
  }
  w.end_object();
  return w.take();
}

std::string WeightsCall::set_weights_args(std::uint16_t netuid, std::uint8_t mechanism) const {
  JsonWriter w;
  w.begin_object();
  write_subnet(w, netuid, mechanism);
  w.key("dests");
  write_u16s(w, uids);
  w.key("weights");
  write_u16s(w, values);
  w.key("version_key");
  w.number(version_key);
  w.end_object();
  return w.take();
}

Result<Bytes> WeightsCall::seal(const AccountId& hotkey, std::uint64_t round) const {
  const Bytes payload = extrinsic::weights_tlock_payload(hotkey, uids, values, version_key);
  return timelock::encrypt(round, payload);
}

std::string timelocked_commit_args(std::uint16_t netuid, std::optional<std::uint8_t> mecid, ByteSpan commit,
                                   std::uint64_t reveal_round, std::uint16_t commit_reveal_version) {
  JsonWriter w;
  w.begin_object();
  w.key("netuid");
  w.number(std::uint64_t{netuid});
  if (mecid) {
    w.key("mecid");
    w.number(std::uint64_t{*mecid});
  }
  w.key("commit");
  w.string(to_hex(commit));
  w.key("reveal_round");
  w.number(reveal_round);
  w.key("commit_reveal_version");
  w.number(std::uint64_t{commit_reveal_version});
  w.end_object();
  return w.take();
}

Result<std::vector<double>> cap_shares(std::vector<double> w, std::uint16_t limit) {
  if (limit == UINT16_MAX || w.empty()) return w;
  const std::size_t n = w.size();
  if (static_cast<double>(n) * limit < kU16Max)
    return make_error(std::to_string(n) + " weights cannot satisfy max_weights_limit " +
                      std::to_string(limit) + " (no weight may exceed " + std::to_string(limit) +
                      "/65535 of the sum, and " + std::to_string(n) + " equal weights are already 1/" +
                      std::to_string(n) + " each)");
  const double f = limit / kU16Max;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
  double rest = std::accumulate(w.begin(), w.end(), 0.0);
  // Cap the k largest at share f; the others share 1 - k*f in proportion. The smallest k for which
  // the largest uncapped one then stays within f is the answer (water-filling).
  for (std::size_t k = 0; k < n; ++k) {
    const double room = 1.0 - static_cast<double>(k) * f;
    const double top_share = rest > 0 ? w[order[k]] / rest * room : 0;
    if (top_share <= f) {
      if (k == 0) return w;
      // Express in the uncapped weights' units: a capped weight is f / room of their sum.
      const double capped_value = rest * f / room;
      for (std::size_t i = 0; i < k; ++i) w[order[i]] = capped_value;
      return w;
    }
    rest -= w[order[k]];
  }
  // Every weight capped: all equal (n * f >= 1 was checked above).
  std::fill(w.begin(), w.end(), 1.0);
  return w;
}

Result<WeightsCall> build_weights_call(const follower::Snapshot& snap,
                                       const std::map<AccountId, double>& weights) {
  if (!snap.hyperparams)
    return make_error("the subnet's hyperparameters are not known at block " + std::to_string(snap.block) +
                      (snap.unavailable_reason.empty() ? "" : ": " + snap.unavailable_reason));
  const auto& hp = *snap.hyperparams;
  const auto max_limit = hp.u64("max_weights_limit");
  const auto min_allowed = hp.u64("min_allowed_weights");
  const auto version = hp.u64("weights_version");
  if (!max_limit || !min_allowed || !version)
    return make_error("the hyperparameters lack max_weights_limit, min_allowed_weights or weights_version");

  WeightsCall call;
  call.version_key = *version;
  std::vector<std::pair<std::uint16_t, double>> rows;  // uid, weight > 0
  std::size_t zeros = 0;
  for (const auto& [hotkey, value] : weights) {
    if (!std::isfinite(value) || value < 0)
      return make_error("the weight of " + codec::ss58_encode(hotkey) + " is " + std::to_string(value) +
                        " (weights must be finite and not negative)");
    const codec::views::NeuronLite* n = snap.neuron_by_hotkey(hotkey);
    if (!n) {
      call.unknown_hotkeys.push_back(codec::ss58_encode(hotkey));
      continue;
    }
    if (value == 0) {
      ++zeros;
      continue;
    }
    rows.emplace_back(n->uid, value);
  }
  if (rows.empty()) {
    if (!call.unknown_hotkeys.empty() && zeros == 0)
      return make_error("none of the " + std::to_string(weights.size()) +
                        " hotkeys is registered on subnet " + std::to_string(snap.netuid) + " at block " +
                        std::to_string(snap.block) + " (e.g. " + call.unknown_hotkeys.front() + ")");
    return make_error("every weight is zero: nothing to put on chain");
  }
  std::sort(rows.begin(), rows.end());

  std::vector<double> values;
  values.reserve(rows.size());
  for (const auto& r : rows) values.push_back(r.second);
  const auto limit = static_cast<std::uint16_t>(std::min<std::uint64_t>(*max_limit, UINT16_MAX));
  auto capped = cap_shares(values, limit);
  if (!capped.ok()) return capped.error();
  call.capped = *capped != values;
  const double top = *std::max_element(capped->begin(), capped->end());
  std::vector<std::pair<std::uint16_t, std::uint16_t>> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double scaled = (*capped)[i] / top * kU16Max;
    // After capping, rounding up keeps the sum at least as large as the exact one, so the capped
    // weights' share cannot creep above the limit.
    const double q = call.capped ? std::ceil(scaled - 1e-9) : std::round(scaled);
    const auto v = static_cast<std::uint16_t>(std::clamp(q, 0.0, kU16Max));
    if (v > 0) out.emplace_back(rows[i].first, v);  // too small to show in u16: a zero weight
  }
  // subtensor's check_length: at least min(min_allowed_weights, subnet size) weights.
  const std::size_t required = std::min<std::size_t>(*min_allowed, snap.neurons.size());
  if (out.size() < required)
    return make_error(
        "only " + std::to_string(out.size()) + " non-zero weights on registered hotkeys" +
        (call.unknown_hotkeys.empty()
             ? std::string()
             : " (" + std::to_string(call.unknown_hotkeys.size()) + " unknown hotkeys left out)") +
        "; subnet " + std::to_string(snap.netuid) + " requires at least " + std::to_string(required) +
        " (min_allowed_weights " + std::to_string(*min_allowed) + ")");
  std::uint64_t sum = 0, largest = 0;
  for (const auto& [uid, v] : out) {
    call.uids.push_back(uid);
    call.values.push_back(v);
    sum += v;
    largest = std::max<std::uint64_t>(largest, v);
  }
  // check_vec_max_limited, in integers: largest / sum <= limit / 65535.
  if (limit != UINT16_MAX && largest * 65535 > std::uint64_t{limit} * sum)
    return make_error("the weights cannot be brought under max_weights_limit " + std::to_string(limit) +
                      " in u16 precision");
  return call;
}

}  // namespace pylon::committer

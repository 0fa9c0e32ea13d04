#include "shm/from_snapshot.hpp"

#include <algorithm>
#include <cstring>

namespace pylon::shm {
namespace {

void fill_hyperparams(const codec::views::Record& r, Hyperparams& h) {
  auto u64 = [&](const char* name) { return r.u64(name).value_or(0); };
  auto u16 = [&](const char* name) {
    return static_cast<std::uint16_t>(std::min<std::uint64_t>(u64(name), UINT16_MAX));
  };
  auto flag = [&](const char* name) {
    return static_cast<std::uint8_t>(r.flag(name).value_or(false) ? 1 : 0);
  };
  h.min_difficulty = u64("min_difficulty");
  h.max_difficulty = u64("max_difficulty");
  h.weights_version = u64("weights_version");
  h.weights_rate_limit = u64("weights_rate_limit");
  h.min_burn = u64("min_burn");
  h.max_burn = u64("max_burn");
  h.bonds_moving_avg = u64("bonds_moving_avg");
  h.serving_rate_limit = u64("serving_rate_limit");
  h.adjustment_alpha = u64("adjustment_alpha");
  h.difficulty = u64("difficulty");
  h.commit_reveal_period = u64("commit_reveal_period");
  h.rho = u16("rho");
  h.kappa = u16("kappa");
  h.immunity_period = u16("immunity_period");
  h.min_allowed_weights = u16("min_allowed_weights");
  h.max_weights_limit = u16("max_weights_limit");
  h.tempo = u16("tempo");
  h.adjustment_interval = u16("adjustment_interval");
  h.activity_cutoff = u16("activity_cutoff");
  h.target_regs_per_interval = u16("target_regs_per_interval");
  h.max_regs_per_block = u16("max_regs_per_block");
  h.max_validators = u16("max_validators");
  h.alpha_high = u16("alpha_high");
  h.alpha_low = u16("alpha_low");
  h.registration_allowed = flag("registration_allowed");
  h.commit_reveal_weights_enabled = flag("commit_reveal_weights_enabled");
  h.liquid_alpha_enabled = flag("liquid_alpha_enabled");
}

// Big-endian (network order) bytes of the low `n` bytes of the u128 address.
void ip_bytes(codec::u128 ip, int n, std::uint8_t (&out)[16]) {
  for (int i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(ip >> (8 * (n - 1 - i)));
}

// The mechanisms as the follower read them: the count (0 when it could not be read), each
// mechanism's part of the split, and for mechanisms >= 1 their fields where the follower has them.
Status fill_mechanisms(const follower::Snapshot& s, SnapshotData& d) {
  if (!s.mechanisms) {
    d.mechanism_count = 0;
    return {};
  }
  const codec::views::Mechanisms& m = *s.mechanisms;
  d.mechanism_count = m.count;
  d.mechanisms.resize(m.count);
  for (std::size_t i = 0; i < m.count; ++i) {
    if (i < m.emission_split.size()) d.mechanisms[i].emission_share = m.emission_split[i];
  }
  for (const follower::MechanismNeurons& mn : s.mechanism_neurons) {
    if (mn.mechanism == 0 || mn.mechanism >= m.count) {
      return make_error("snapshot #" + std::to_string(s.block) + ": fields of mechanism " +
                        std::to_string(mn.mechanism) + " beside a count of " + std::to_string(m.count));
    }
    MechanismData& x = d.mechanisms[mn.mechanism];
    x.has_fields = true;
    x.incentives = mn.incentives;
    x.last_update = mn.last_update;
  }
  return {};
}

}  // namespace

NeuronRecord neuron_record(const codec::views::NeuronLite& n) {
  NeuronRecord r{};
  std::memcpy(r.hotkey, n.hotkey.bytes().data(), sizeof r.hotkey);
  std::memcpy(r.coldkey, n.coldkey.bytes().data(), sizeof r.coldkey);
  r.stake = n.total_stake();
  r.emission = n.emission;
  r.last_update = n.last_update;
  r.axon_version = n.axon.version;
  r.uid = n.uid;
  r.rank = n.rank;
  r.trust = n.trust;
  r.validator_trust = n.validator_trust;
  r.consensus = n.consensus;
  r.incentive = n.incentive;
  r.dividends = n.dividends;
  r.pruning_score = n.pruning_score;
  r.axon_port = n.axon.port;
  r.validator_permit = n.validator_permit ? 1 : 0;
  r.active = n.active ? 1 : 0;
  r.axon_protocol = n.axon.protocol;
  // Any other ip_type the chain might hold is no address the segment can describe: none.
  if (n.axon.ip_type == 4) {
    r.axon_ip_type = static_cast<std::uint8_t>(IpType::v4);
    ip_bytes(n.axon.ip, 4, r.axon_ip);
  } else if (n.axon.ip_type == 6) {
    r.axon_ip_type = static_cast<std::uint8_t>(IpType::v6);
    ip_bytes(n.axon.ip, 16, r.axon_ip);
  }
  return r;
}

Result<SnapshotData> to_snapshot_data(const follower::Snapshot& s) {
  SnapshotData d;
  d.block_number = s.block;
  d.block_hash = s.block_hash.bytes();
  d.timestamp_ms = s.timestamp_ms;
  if (s.hyperparams) fill_hyperparams(*s.hyperparams, d.hyperparams);
  std::vector<const codec::views::NeuronLite*> by_uid(s.neurons.size(), nullptr);
  for (const auto& n : s.neurons) {
    if (n.uid >= by_uid.size() || by_uid[n.uid])
      return make_error("snapshot #" + std::to_string(s.block) + ": uids are not 0.." +
                        std::to_string(s.neurons.size() - 1));
    by_uid[n.uid] = &n;
  }
  d.neurons.reserve(by_uid.size());
  for (const auto* n : by_uid) {
    d.neurons.push_back(neuron_record(*n));
  }
  if (s.commitments) {
    for (const auto& c : *s.commitments) {
      CommitmentData cd;
      cd.hotkey = c.hotkey.bytes();
      cd.block = c.commitment.block;
      cd.data = c.commitment.concatenated();
      if (cd.data.size() > kMaxCommitmentBytes)
        return make_error("commitment of " + codec::ss58_encode(c.hotkey) + " holds " +
                          std::to_string(cd.data.size()) + " bytes, more than the segment's " +
                          std::to_string(kMaxCommitmentBytes));
      d.commitments.push_back(std::move(cd));
    }
  }
  PYLON_TRY(fill_mechanisms(s, d));
  return d;
}

}  // namespace pylon::shm

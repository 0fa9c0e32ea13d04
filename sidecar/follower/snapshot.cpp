#include "follower/snapshot.hpp"

#include <algorithm>

#include "chain/mechanisms.hpp"
#include "chain/netuid_hotkey_map.hpp"
#include "codec/scale_writer.hpp"
#include "codec/storage_value.hpp"
#include "codec/views/columns.hpp"
#include "codec/views/hyperparams.hpp"

namespace pylon::follower {

const codec::views::NeuronLite* Snapshot::neuron_by_hotkey(const AccountId& hotkey) const {
  for (const auto& n : neurons)
    if (n.hotkey == hotkey) return &n;
  return nullptr;
}

const codec::views::NeuronLite* Snapshot::neuron_by_uid(std::uint16_t uid) const {
  if (uid < neurons.size() && neurons[uid].uid == uid) return &neurons[uid];
  for (const auto& n : neurons)
    if (n.uid == uid) return &n;
  return nullptr;
}

const MechanismNeurons* Snapshot::mechanism(std::uint8_t m) const {
  for (const auto& x : mechanism_neurons)
    if (x.mechanism == m) return &x;
  return nullptr;
}

namespace {

// All Commitments.CommitmentOf entries of the subnet, keyed (netuid, hotkey).
Result<std::vector<HotkeyCommitment>> read_commitments(chain::ChainClient& chain, const codec::Metadata& md,
                                                       std::shared_ptr<const codec::Metadata> keep,
                                                       std::uint16_t netuid, const chain::BlockRef& at) {
  PYLON_ASSIGN(auto view, codec::views::CommitmentView::resolve(std::move(keep)));
  PYLON_ASSIGN(auto map, chain::NetuidHotkeyMap::resolve(md, "Commitments", "CommitmentOf"));
  if (!map) return make_error("the runtime has no Commitments.CommitmentOf");
  const Bytes prefix = map->prefix(netuid);
  PYLON_ASSIGN(auto entries, chain.storage_by_prefix(prefix, at));
  std::vector<HotkeyCommitment> out;
  out.reserve(entries.size());
  for (const auto& [key, value] : entries) {
    HotkeyCommitment hc;
    PYLON_ASSIGN(hc.hotkey, map->hotkey(key, prefix));
    auto c = view.decode(value);
    if (!c.ok())
      return make_error("commitment of " + codec::ss58_encode(hc.hotkey) + ": " + c.error().message);
    hc.commitment = std::move(c).value();
    out.push_back(std::move(hc));
  }
  return out;
}

// The neurons' stakes from the subnet state at the same block, decoded with that block's
// metadata like every runtime call (stakes_from_subnet_state says what must match).
Result<std::vector<NeuronStakes>> read_stakes(chain::ChainClient& chain,
                                              std::shared_ptr<const codec::Metadata> md, ByteSpan netuid_arg,
                                              const chain::BlockRef& at,
                                              const std::vector<codec::views::NeuronLite>& neurons) {
  if (md->api_method(kSubnetStateMethod) == nullptr)
    return make_error("the runtime at #" + std::to_string(at.number) + " has no " +
                      std::string(kSubnetStateMethod));
  PYLON_ASSIGN(auto view, codec::views::ColumnsView::resolve_api(std::move(md), kSubnetStateMethod));
  PYLON_ASSIGN(Bytes raw, chain.state_call(kSubnetStateMethod, netuid_arg, at));
  auto stakes = stakes_from_subnet_state(view, raw, neurons);
  if (!stakes.ok()) return with_context("at #" + std::to_string(at.number), stakes.error());
  return stakes;
}

// What read_mechanisms found: a read that failed (the node refused, a recorded source lacks it)
// leaves `unavailable` set and nothing else; an answer that does not decode is the Result's error.
struct MechanismRead {
  std::optional<codec::views::Mechanisms> mechanisms;
  std::vector<MechanismNeurons> neurons;
  std::string unavailable;
};

// The subnet's mechanism count and split (chain::read_mechanisms, the one read every part of
// Pylon uses), then for each mechanism >= 1 one get_selective_mechagraph call selecting only the
// per-mechanism fields.
Result<MechanismRead> read_mechanisms(chain::ChainClient& chain, std::shared_ptr<const codec::Metadata> md,
                                      std::uint16_t netuid, const chain::BlockRef& at, std::size_t neurons) {
  MechanismRead out;
  const std::string block = " at #" + std::to_string(at.number);
  auto mechanisms = chain::read_mechanisms(chain, *md, netuid, at);
  if (!mechanisms.ok()) {
    // Values the metadata cannot account for fail the build, as undecodable neurons do; a read
    // the node failed only leaves the mechanisms out.
    if (mechanisms.error().is(chain::ChainErrc::kBadState)) return std::move(mechanisms).error();
    out.unavailable = mechanisms.error().message;
    return out;
  }
  if (mechanisms->count > 1) {
    PYLON_ASSIGN(auto view, codec::views::MechagraphView::resolve(md));
    if (!view) {
      out.unavailable =
          "the runtime" + block + " has no " + std::string(codec::views::MechagraphView::kMethod);
    } else {
      for (std::uint8_t m = 1; m < mechanisms->count; ++m) {
        PYLON_ASSIGN(Bytes args, view->args(netuid, m));
        auto answer = chain.state_call(codec::views::MechagraphView::kMethod, args, at);
        if (!answer.ok()) {
          out.unavailable =
              std::string(codec::views::MechagraphView::kMethod) + block + ": " + answer.error().message;
          out.neurons.clear();
          break;
        }
        auto columns = view->decode(*answer, netuid, m, neurons);
        if (!columns.ok())
          return with_context("at #" + std::to_string(at.number), std::move(columns).error());
        MechanismNeurons mn;
        mn.mechanism = m;
        if (m < mechanisms->emission_split.size()) mn.emission_share = mechanisms->emission_split[m];
        mn.incentives = std::move(columns->incentives);
        mn.last_update = std::move(columns->last_update);
        out.neurons.push_back(std::move(mn));
      }
    }
  }
  out.mechanisms = std::move(mechanisms).value();
  return out;
}

}  // namespace

Result<BlockReads> read_block(chain::ChainClient& chain, const chain::BlockRef& at,
                              const BuildOptions& options) {
  BlockReads b;
  b.at = at;
  PYLON_ASSIGN(chain::RuntimeVersion v, chain.runtime_version(at));  // old blocks: from the archive
  b.spec_version = v.spec_version;
  PYLON_ASSIGN(b.metadata, chain.metadata_for(v, at));
  if (options.timestamp) {
    PYLON_ASSIGN(b.timestamp_ms, chain.timestamp(at));
  }
  return b;
}

Result<Snapshot> build_snapshot(chain::ChainClient& chain, std::uint16_t netuid, const chain::BlockRef& at,
                                const BuildOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  PYLON_ASSIGN(BlockReads block, read_block(chain, at, options));
  auto s = build_snapshot(chain, netuid, block, options);
  if (s.ok()) s->seen_at = started;
  return s;
}

Result<Snapshot> build_snapshot(chain::ChainClient& chain, std::uint16_t netuid, const BlockReads& block,
                                const BuildOptions& options) {
  const chain::BlockRef& at = block.at;
  Snapshot s;
  s.seen_at = std::chrono::steady_clock::now();
  s.netuid = netuid;
  s.block = at.number;
  s.block_hash = at.hash;
  s.spec_version = block.spec_version;
  const std::shared_ptr<const codec::Metadata>& md = block.metadata;
  codec::ScaleWriter arg;
  arg.fixed_le<std::uint16_t>(netuid);

  PYLON_ASSIGN(auto neurons_view, codec::views::NeuronLiteView::resolve(md));
  PYLON_ASSIGN(Bytes neurons, chain.state_call("NeuronInfoRuntimeApi_get_neurons_lite", arg.out(), at));
  auto decoded = neurons_view.decode_all_into(neurons, s.neurons);
  if (!decoded.ok())
    return make_error("get_neurons_lite at #" + std::to_string(at.number) + ": " + decoded.error().message);

  {
    PYLON_ASSIGN(MechanismRead read, read_mechanisms(chain, md, netuid, at, s.neurons.size()));
    s.mechanisms = std::move(read.mechanisms);
    s.mechanism_neurons = std::move(read.neurons);
    s.mechanisms_unavailable = std::move(read.unavailable);
  }

  std::vector<std::string> missing;
  if (options.hyperparams) {
    auto resolved = codec::views::HyperparamsView::resolve(md);
    if (!resolved.ok())
      return with_context("the runtime at #" + std::to_string(at.number), std::move(resolved).error());
    const auto& view = *resolved;
    PYLON_ASSIGN(Bytes raw, chain.state_call(view.method(), arg.out(), at));
    auto rec = view.decode(raw);
    if (!rec.ok())
      return with_context(view.method() + " at #" + std::to_string(at.number), std::move(rec).error());
    if (!rec->has_value())
      return make_error(SnapshotErrc::kSubnetAbsent, "subnet " + std::to_string(netuid) +
                                                         " does not exist at #" + std::to_string(at.number));
    s.hyperparams = std::move(**rec);
  } else {
    missing.push_back("hyperparameters");
  }
  if (options.commitments) {
    PYLON_ASSIGN(s.commitments, read_commitments(chain, *md, md, netuid, at));
  } else {
    missing.push_back("commitments");
  }
  if (options.timestamp) {
    s.timestamp_ms = block.timestamp_ms;
  } else {
    missing.push_back("timestamp");
  }
  if (options.stakes) {
    auto stakes = read_stakes(chain, md, arg.out(), at, s.neurons);
    if (stakes.ok()) {
      s.stakes = std::move(stakes).value();
    } else {
      s.stakes_unavailable = stakes.error().message;
    }
  } else {
    s.stakes_unavailable = "not read from this source";
  }
  if (options.epoch) {
    auto e = options.epoch(chain, netuid, at);
    if (!e.ok()) return make_error("epoch at #" + std::to_string(at.number) + ": " + e.error().message);
    s.epoch = *e;
  }
  if (!missing.empty()) {
    s.unavailable_reason = "not read from this source:";
    for (const auto& m : missing) s.unavailable_reason += " " + m;
  }
  s.built_at = std::chrono::steady_clock::now();
  return s;
}

void build_snapshots(chain::ChainClient& chain, const BlockReads& block, const BuildOptions& options,
                     std::span<const SubnetToBuild> subnets,
                     const std::function<void(std::size_t index, Result<Snapshot> snapshot)>& each) {
  const std::size_t group = std::max<std::size_t>(options.read_ahead_subnets, 1);
  std::vector<const chain::ReadPattern*> patterns;
  for (std::size_t first = 0; first < subnets.size(); first += group) {
    const std::size_t end = std::min(subnets.size(), first + group);
    if (options.read_ahead_subnets > 0) {
      patterns.clear();
      for (std::size_t i = first; i < end; ++i) patterns.push_back(subnets[i].reads);
      chain.read_ahead(patterns, block.at);
    }
    for (std::size_t i = first; i < end; ++i) {
      const SubnetToBuild& sub = subnets[i];
      auto built = [&]() -> Result<Snapshot> {
        if (options.read_ahead_subnets == 0 || sub.reads == nullptr)
          return build_snapshot(chain, sub.netuid, block, options);
        auto recording = chain.record_reads(*sub.reads, block.at);  // this build's requests only
        return build_snapshot(chain, sub.netuid, block, options);
      }();
      each(i, std::move(built));
    }
  }
  chain.drop_read_ahead();  // what no build asked for
}

}  // namespace pylon::follower

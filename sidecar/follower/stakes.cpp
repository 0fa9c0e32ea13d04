#include "follower/stakes.hpp"

namespace pylon::follower {

namespace {

using codec::views::Column;
using codec::views::Columns;

// A list column of the subnet state with one u64 per neuron.
Result<std::vector<std::uint64_t>> per_neuron(const Columns& cols, std::string_view name,
                                              std::size_t neurons) {
  const Column* c = cols.find(name);
  if (c == nullptr || c->kind != Column::Kind::List)
    return make_error(StakesErrc::kMalformed, "the subnet state has no list " + std::string(name));
  if (c->list.size() != neurons)
    return make_error(StakesErrc::kMismatch, "the subnet state's " + std::string(name) + " has " +
                                                 std::to_string(c->list.size()) + " entries for " +
                                                 std::to_string(neurons) + " neurons");
  std::vector<std::uint64_t> out;
  out.reserve(neurons);
  for (const auto v : c->list) {
    if (v > UINT64_MAX)
      return make_error(StakesErrc::kMalformed, "the subnet state's " + std::string(name) + " exceeds u64");
    out.push_back(static_cast<std::uint64_t>(v));
  }
  return out;
}

}  // namespace

Result<std::vector<NeuronStakes>> stakes_from_subnet_state(
    const codec::views::ColumnsView& view, ByteSpan answer,
    const std::vector<codec::views::NeuronLite>& neurons) {
  // Only the columns read here are kept; the others (emission_history alone holds a value per
  // neuron per subnet of the chain) are checked and dropped.
  static constexpr std::string_view kColumns[] = {"hotkeys", "alpha_stake", "tao_stake", "total_stake"};
  auto decoded = view.decode(answer, kColumns);
  if (!decoded.ok()) return make_error(StakesErrc::kMalformed, decoded.error().message);
  if (!decoded->has_value()) return make_error(StakesErrc::kAbsent, "the subnet state is None");
  const Columns& cols = **decoded;
  const Column* hotkeys = cols.find("hotkeys");
  if (hotkeys == nullptr || hotkeys->kind != Column::Kind::Accounts)
    return make_error(StakesErrc::kMalformed, "the subnet state has no hotkeys");
  if (hotkeys->accounts.size() != neurons.size())
    return make_error(StakesErrc::kMismatch, "the subnet state has " +
                                                 std::to_string(hotkeys->accounts.size()) + " hotkeys for " +
                                                 std::to_string(neurons.size()) + " neurons");
  // Every uid once: with a uid given twice another uid's column would go unread, and the two
  // answers would not be the same subnet after all.
  std::vector<bool> seen(neurons.size(), false);
  for (const auto& n : neurons) {
    if (n.uid >= neurons.size() || seen[n.uid])
      return make_error(StakesErrc::kMismatch,
                        "neuron uid " + std::to_string(n.uid) + " is out of range or repeated");
    seen[n.uid] = true;
    if (hotkeys->accounts[n.uid] != n.hotkey)
      return make_error(StakesErrc::kMismatch,
                        "the subnet state's hotkey at uid " + std::to_string(n.uid) + " is not the neuron's");
  }
  PYLON_ASSIGN(auto alpha, per_neuron(cols, "alpha_stake", neurons.size()));
  PYLON_ASSIGN(auto tao, per_neuron(cols, "tao_stake", neurons.size()));
  PYLON_ASSIGN(auto total, per_neuron(cols, "total_stake", neurons.size()));
  std::vector<NeuronStakes> out(neurons.size());
  for (std::size_t i = 0; i < neurons.size(); ++i) {
    const std::size_t uid = neurons[i].uid;
    out[i] = NeuronStakes{alpha[uid], tao[uid], total[uid]};
  }
  return out;
}

}  // namespace pylon::follower

// A SubnetInfoRuntimeApi_get_subnet_state answer for recorded neurons, for tests and the follower
// benchmark: no recording holds one, so it is written field by field in the order and shapes the
// metadata's SubnetState gives, with each per-neuron column taken from the neurons (hotkeys,
// coldkeys, flags, scores, emission, last_update) and the stakes set as:
//   alpha_stake = the neuron's recorded stake, tao_stake = its uid (a marker that tells the
//   columns apart), total_stake = their sum;
// and emission_history holding `history_rows` rows (one per subnet on the chain, as the runtime's
// get_emissions_history gives) of one zero per neuron. Neurons are written in uid order.
#pragma once

#include <algorithm>
#include <string>

#include "codec/metadata.hpp"
#include "codec/scale_writer.hpp"
#include "codec/views/neuron_lite.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::test {

inline Result<Bytes> subnet_state_answer(const codec::Metadata& md, std::uint16_t netuid,
                                         std::vector<codec::views::NeuronLite> neurons,
                                         std::size_t history_rows) {
  using namespace codec;
  std::sort(neurons.begin(), neurons.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
  PYLON_ASSIGN(TypeId out, views::api_output(md, "SubnetInfoRuntimeApi_get_subnet_state"));
  bool optional = false;
  std::string name;
  PYLON_ASSIGN(const TypeDef* t, views::named_struct(md.types, out, optional, name));
  ScaleWriter w;
  if (optional) w.u8(1);
  auto value = [](const views::NeuronLite& n, const std::string& field) -> std::optional<u128> {
    if (field == "pruning_score") return n.pruning_score;
    if (field == "last_update") return n.last_update;
    if (field == "emission") return n.emission;
    if (field == "dividends") return n.dividends;
    if (field == "incentives") return n.incentive;
    if (field == "consensus") return n.consensus;
    if (field == "trust") return n.trust;
    if (field == "rank") return n.rank;
    if (field == "block_at_registration") return 0;
    if (field == "alpha_stake") return n.total_stake();
    if (field == "tao_stake") return n.uid;
    if (field == "total_stake") return u128{n.total_stake()} + n.uid;
    return std::nullopt;
  };
  for (const auto& f : t->fields) {
    const TypeDef& ft = md.types[f.type];
    if (f.name == "netuid") {
      w.compact(netuid);
      continue;
    }
    if (ft.kind != TypeKind::Sequence) return make_error("SubnetState." + f.name + " is not a list");
    const TypeDef& elem = md.types[ft.elem];
    if (f.name == "emission_history" && elem.kind == TypeKind::Sequence) {
      w.compact(history_rows);
      for (std::size_t r = 0; r < history_rows; ++r) {
        w.compact(neurons.size());
        for (std::size_t i = 0; i < neurons.size(); ++i) w.compact(0);
      }
      continue;
    }
    w.compact(neurons.size());
    for (const auto& n : neurons) {
      if (f.name == "hotkeys") {
        w.bytes(n.hotkey);
      } else if (f.name == "coldkeys") {
        w.bytes(n.coldkey);
      } else if (f.name == "active") {
        w.boolean(n.active);
      } else if (f.name == "validator_permit") {
        w.boolean(n.validator_permit);
      } else if (auto v = value(n, f.name);
                 v && views::int_shape(md.types, ft.elem) && views::int_shape(md.types, ft.elem)->compact) {
        w.compact(*v);
      } else {
        return make_error("SubnetState." + f.name + " is not a column this builder knows");
      }
    }
  }
  return w.out();
}

}  // namespace pylon::test

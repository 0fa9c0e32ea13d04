#include "replay_subnets.hpp"

#include <simdjson.h>

#include <algorithm>

#include "codec/decoder.hpp"
#include "codec/encoder.hpp"
#include "codec/views/neuron_lite.hpp"
#include "common/hex.hpp"

// The subnet state written for given neurons (test support, header only), as bench_follower uses it.
#include "../../tests/follower/subnet_state_answer.hpp"

namespace pylon::bench {

namespace {

constexpr std::string_view kNeuronsMethod = "NeuronInfoRuntimeApi_get_neurons_lite";
constexpr std::string_view kStateMethod = "SubnetInfoRuntimeApi_get_subnet_state";
// Rows of emission history: one per subnet, as finney had 129 when the metagraph was recorded.
constexpr std::size_t kHistoryRows = 129;

std::string quoted_hex(ByteSpan b) {
  return "\"" + to_hex(b) + "\"";
}

}  // namespace

Result<std::unique_ptr<const ReplaySubnets>> ReplaySubnets::make(const codec::Metadata& md,
                                                                 ByteSpan recorded_neurons,
                                                                 std::uint16_t subnets, std::size_t neurons) {
  const codec::RuntimeApiMethod* m = md.api_method(kNeuronsMethod);
  if (m == nullptr) return make_error("the metadata has no " + std::string(kNeuronsMethod));
  const codec::TypeDef& list = md.types[m->output];
  if (list.kind != codec::TypeKind::Sequence)
    return make_error(std::string(kNeuronsMethod) + " does not answer a list");
  PYLON_ASSIGN(auto view, codec::views::NeuronLiteView::resolve_type(md.types, list.elem));
  PYLON_ASSIGN(codec::Value all, codec::decode_exact(md.types, m->output, recorded_neurons));
  if (all.kind != codec::Value::Kind::Array) return make_error("the recorded neurons are not a list");

  // Netuid 1 with every neuron must come back as the recorded bytes: the re-encoding is faithful.
  PYLON_ASSIGN(Bytes again, codec::encode_value(md.types, m->output, all));
  if (!std::equal(again.begin(), again.end(), recorded_neurons.begin(), recorded_neurons.end()))
    return make_error("the recorded neurons do not re-encode to the same bytes");

  // The neurons with uid < K, in uid order (the shared-memory segment's row i is uid i).
  std::vector<codec::Value> kept;
  for (auto& n : all.items) {
    const codec::Value* uid = n.field("uid");
    if (uid == nullptr || uid->kind != codec::Value::Kind::UInt) return make_error("a neuron without a uid");
    if (neurons == 0 || uid->uint < neurons) kept.push_back(std::move(n));
  }
  std::sort(kept.begin(), kept.end(), [](const codec::Value& a, const codec::Value& b) {
    return a.field("uid")->uint < b.field("uid")->uint;
  });

  auto out = std::unique_ptr<ReplaySubnets>(new ReplaySubnets());
  out->neurons_ = kept.size();
  codec::Value cut;
  cut.kind = codec::Value::Kind::Array;
  cut.items = std::move(kept);
  for (std::uint16_t netuid = 1; netuid <= subnets; ++netuid) {
    for (auto& n : cut.items) {
      auto it =
          std::find_if(n.fields.begin(), n.fields.end(), [](const auto& f) { return f.first == "netuid"; });
      if (it == n.fields.end()) return make_error("a neuron without a netuid");
      it->second = codec::Value::of_uint(netuid);
    }
    PYLON_ASSIGN(Bytes bytes, codec::encode_value(md.types, m->output, cut));
    PYLON_ASSIGN(auto decoded, view.decode_all(bytes));
    PYLON_ASSIGN(Bytes state, test::subnet_state_answer(md, netuid, std::move(decoded), kHistoryRows));
    out->neurons_result_.push_back(quoted_hex(bytes));
    out->state_result_.push_back(quoted_hex(state));
  }
  return std::unique_ptr<const ReplaySubnets>(std::move(out));
}

std::optional<std::string> ReplaySubnets::answer(std::string_view method, std::string_view params) const {
  if (method != "state_call") return std::nullopt;
  simdjson::dom::parser p;
  simdjson::dom::array a;
  std::string_view api, arg;
  if (p.parse(params.data(), params.size()).get_array().get(a) || a.size() < 2 ||
      a.at(0).get_string().get(api) || a.at(1).get_string().get(arg))
    return std::nullopt;
  const bool neurons = api == kNeuronsMethod;
  if (!neurons && api != kStateMethod) return std::nullopt;
  auto netuid_le = from_hex(arg);  // the argument: the netuid as a little-endian u16
  if (!netuid_le.ok() || netuid_le->size() != 2) return std::nullopt;
  const std::size_t netuid = (*netuid_le)[0] | ((*netuid_le)[1] << 8);
  if (netuid == 0 || netuid > neurons_result_.size()) return std::nullopt;
  return neurons ? neurons_result_[netuid - 1] : state_result_[netuid - 1];
}

}  // namespace pylon::bench

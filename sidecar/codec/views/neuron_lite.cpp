#include "codec/views/neuron_lite.hpp"

#include <limits>

#include "codec/decoder.hpp"

namespace pylon::codec::views {

namespace {

enum class Slot : std::uint8_t {
  Skip,
  Hotkey,
  Coldkey,
  Uid,
  Netuid,
  Active,
  Axon,
  Prometheus,
  Stake,
  Rank,
  Emission,
  Incentive,
  Consensus,
  Trust,
  ValidatorTrust,
  Dividends,
  LastUpdate,
  ValidatorPermit,
  PruningScore,
};

struct NamedSlot {
  std::string_view name;
  Slot slot;
};

constexpr NamedSlot kSlots[] = {
    {"hotkey", Slot::Hotkey},
    {"coldkey", Slot::Coldkey},
    {"uid", Slot::Uid},
    {"netuid", Slot::Netuid},
    {"active", Slot::Active},
    {"axon_info", Slot::Axon},
    {"prometheus_info", Slot::Prometheus},
    {"stake", Slot::Stake},
    {"rank", Slot::Rank},
    {"emission", Slot::Emission},
    {"incentive", Slot::Incentive},
    {"consensus", Slot::Consensus},
    {"trust", Slot::Trust},
    {"validator_trust", Slot::ValidatorTrust},
    {"dividends", Slot::Dividends},
    {"last_update", Slot::LastUpdate},
    {"validator_permit", Slot::ValidatorPermit},
    {"pruning_score", Slot::PruningScore},
};

// A sub-record (axon/prometheus) read field by field into integers by name.
struct SubField {
  std::string name;
  TypeId type = 0;
  std::optional<IntShape> shape;  // nullopt: skipped
};

}  // namespace

struct NeuronLiteView::Plan {
  struct Action {
    Slot slot = Slot::Skip;
    TypeId type = 0;
    IntShape shape;
    std::vector<SubField> sub;  // Axon / Prometheus
    IntShape stake_amount;      // Stake
  };
  const TypeRegistry* reg = nullptr;
  std::shared_ptr<const Metadata> keep_alive;
  TypeId neuron = 0;
  std::size_t min_neuron_size = 1;
  std::vector<Action> actions;
};

namespace {

Result<std::vector<SubField>> resolve_sub(const TypeRegistry& reg, TypeId id, const std::string& what) {
  const TypeDef& t = reg[id];
  if (t.kind != TypeKind::Composite || t.fields.empty() || t.fields[0].name.empty())
    return make_error(what + " is not a struct in this metadata");
  std::vector<SubField> out;
  for (const auto& f : t.fields) {
    SubField s{f.name, f.type, int_shape(reg, f.type)};
    if (s.shape && s.shape->is_signed) s.shape.reset();
    out.push_back(std::move(s));
  }
  return out;
}

template <class T>
Status read_small(const IntShape& s, ScaleReader& r, T& out, const char* name) {
  PYLON_ASSIGN(u128 v, read_uint(s, r));
  if (v > static_cast<u128>(std::numeric_limits<T>::max()))
    return r.error(std::string(name) + " value does not fit " + std::to_string(sizeof(T) * 8) + " bits");
  out = static_cast<T>(v);
  return {};
}

}  // namespace

Result<NeuronLiteView> NeuronLiteView::resolve(std::shared_ptr<const Metadata> keep) {
  if (!keep) return make_error("no metadata");
  const Metadata& md = *keep;
  const RuntimeApiMethod* m = md.api_method("NeuronInfoRuntimeApi_get_neurons_lite");
  if (!m) return make_error("the runtime has no NeuronInfoRuntimeApi_get_neurons_lite");
  const TypeDef& out = md.types[m->output];
  if (out.kind != TypeKind::Sequence)
    return make_error("NeuronInfoRuntimeApi_get_neurons_lite returns " + md.types.display_name(m->output) +
                      ", not a Vec");
  PYLON_ASSIGN(NeuronLiteView v, resolve_type(md.types, out.elem));
  std::const_pointer_cast<Plan>(v.plan_)->keep_alive = std::move(keep);
  return v;
}

Result<NeuronLiteView> NeuronLiteView::resolve_type(const TypeRegistry& reg, TypeId neuron) {
  const TypeDef& t = reg[neuron];
  if (t.kind != TypeKind::Composite) return make_error(reg.display_name(neuron) + " is not a struct");
  auto plan = std::make_shared<Plan>();
  plan->reg = &reg;
  plan->neuron = neuron;
  plan->min_neuron_size = std::max<std::size_t>(1, reg.min_size(neuron));
  std::vector<bool> seen(std::size(kSlots), false);
  for (const auto& f : t.fields) {
    Plan::Action a;
    a.type = f.type;
    for (std::size_t i = 0; i < std::size(kSlots); ++i)
      if (kSlots[i].name == f.name) {
        a.slot = kSlots[i].slot;
        seen[i] = true;
      }
    const std::string where = reg.display_name(neuron) + "." + f.name;
    switch (a.slot) {
      case Slot::Skip:
        break;
      case Slot::Hotkey:
      case Slot::Coldkey:
        if (!is_account(reg, f.type)) return make_error(where + " is not a 32-byte account");
        break;
      case Slot::Active:
      case Slot::ValidatorPermit:
        if (!is_bool(reg, f.type)) return make_error(where + " is not a bool");
        break;
      case Slot::Axon:
      case Slot::Prometheus: {
        PYLON_ASSIGN(a.sub, resolve_sub(reg, f.type, where));
        break;
      }
      case Slot::Stake: {
        const TypeDef& seq = reg[f.type];
        const TypeDef* elem = seq.kind == TypeKind::Sequence ? &reg[seq.elem] : nullptr;
        std::optional<IntShape> amount;
        if (elem && elem->kind == TypeKind::Tuple && elem->tuple.size() == 2 &&
            is_account(reg, elem->tuple[0]))
          amount = int_shape(reg, elem->tuple[1]);
        if (!amount || amount->is_signed || amount->width > 8)
          return make_error(where + " is not a Vec<(AccountId, u64-like)>");
        a.stake_amount = *amount;
        break;
      }
      default: {
        auto s = int_shape(reg, f.type);
        if (!s || s->is_signed) return make_error(where + " is not an unsigned integer");
        a.shape = *s;
      }
    }
    plan->actions.push_back(std::move(a));
  }
  for (std::size_t i = 0; i < std::size(kSlots); ++i)
    if (!seen[i])
      return make_error(reg.display_name(neuron) + " has no field " + std::string(kSlots[i].name));
  NeuronLiteView v;
  v.plan_ = std::move(plan);
  return v;
}

Status NeuronLiteView::decode_one(ScaleReader& r, NeuronLite& n) const {
  const Plan& p = *plan_;
  for (const auto& a : p.actions) {
    switch (a.slot) {
      case Slot::Skip:
        PYLON_TRY(skip_value(*p.reg, a.type, r));
        break;
      case Slot::Hotkey: {
        PYLON_ASSIGN(n.hotkey, read_account(r));
        break;
      }
      case Slot::Coldkey: {
        PYLON_ASSIGN(n.coldkey, read_account(r));
        break;
      }
      case Slot::Active: {
        PYLON_ASSIGN(n.active, r.boolean());
        break;
      }
      case Slot::ValidatorPermit: {
        PYLON_ASSIGN(n.validator_permit, r.boolean());
        break;
      }
      case Slot::Uid:
        PYLON_TRY(read_small(a.shape, r, n.uid, "uid"));
        break;
      case Slot::Netuid:
        PYLON_TRY(read_small(a.shape, r, n.netuid, "netuid"));
        break;
      case Slot::Rank:
        PYLON_TRY(read_small(a.shape, r, n.rank, "rank"));
        break;
      case Slot::Incentive:
        PYLON_TRY(read_small(a.shape, r, n.incentive, "incentive"));
        break;
      case Slot::Consensus:
        PYLON_TRY(read_small(a.shape, r, n.consensus, "consensus"));
        break;
      case Slot::Trust:
        PYLON_TRY(read_small(a.shape, r, n.trust, "trust"));
        break;
      case Slot::ValidatorTrust:
        PYLON_TRY(read_small(a.shape, r, n.validator_trust, "validator_trust"));
        break;
      case Slot::Dividends:
        PYLON_TRY(read_small(a.shape, r, n.dividends, "dividends"));
        break;
      case Slot::PruningScore:
        PYLON_TRY(read_small(a.shape, r, n.pruning_score, "pruning_score"));
        break;
      case Slot::Emission:
        PYLON_TRY(read_small(a.shape, r, n.emission, "emission"));
        break;
      case Slot::LastUpdate:
        PYLON_TRY(read_small(a.shape, r, n.last_update, "last_update"));
        break;
      case Slot::Axon:
      case Slot::Prometheus: {
        const bool axon = a.slot == Slot::Axon;
        for (const auto& s : a.sub) {
          if (!s.shape) {
            PYLON_TRY(skip_value(*p.reg, s.type, r));
            continue;
          }
          PYLON_ASSIGN(u128 v, read_uint(*s.shape, r));
          const auto u64 = static_cast<std::uint64_t>(v);
          if (s.name == "block")
            (axon ? n.axon.block : n.prometheus.block) = u64;
          else if (s.name == "version")
            (axon ? n.axon.version : n.prometheus.version) = static_cast<std::uint32_t>(u64);
          else if (s.name == "ip")
            (axon ? n.axon.ip : n.prometheus.ip) = v;
          else if (s.name == "port")
            (axon ? n.axon.port : n.prometheus.port) = static_cast<std::uint16_t>(u64);
          else if (s.name == "ip_type")
            (axon ? n.axon.ip_type : n.prometheus.ip_type) = static_cast<std::uint8_t>(u64);
          else if (s.name == "protocol" && axon)
            n.axon.protocol = static_cast<std::uint8_t>(u64);
        }
        break;
      }
      case Slot::Stake: {
        PYLON_ASSIGN(std::size_t count, r.length(33));
        n.stake.resize(count);
        for (auto& e : n.stake) {
          PYLON_ASSIGN(e.coldkey, read_account(r));
          PYLON_TRY(read_small(a.stake_amount, r, e.amount, "stake"));
        }
        break;
      }
    }
  }
  return {};
}

Status NeuronLiteView::decode_all_into(ByteSpan bytes, std::vector<NeuronLite>& out) const {
  ScaleReader r(bytes);
  PYLON_ASSIGN(std::size_t count, r.length(plan_->min_neuron_size));
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto s = decode_one(r, out[i]);
    if (!s.ok()) return make_error(s.error().message + " (in neuron [" + std::to_string(i) + "])");
  }
  return r.expect_end(std::to_string(count) + " neurons");
}

Result<std::vector<NeuronLite>> NeuronLiteView::decode_all(ByteSpan bytes) const {
  std::vector<NeuronLite> out;
  PYLON_TRY(decode_all_into(bytes, out));
  return out;
}

}  // namespace pylon::codec::views

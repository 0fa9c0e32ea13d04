#include "committer/epoch_api.hpp"

#include <atomic>

#include "codec/scale_writer.hpp"
#include "codec/views/shapes.hpp"
#include "common/log.hpp"

namespace pylon::committer {
namespace {

std::atomic<std::uint64_t> g_disagreements{0};

Result<const codec::RuntimeApiMethod*> method_of(const codec::Metadata& md) {
  const codec::RuntimeApiMethod* m = md.api_method(kNextEpochStartMethod);
  if (!m) return make_error(EpochApiErrc::kShape, std::string("the runtime has no ") + kNextEpochStartMethod);
  return m;
}

}  // namespace

Result<Bytes> next_epoch_start_args(const codec::Metadata& md, std::uint16_t netuid) {
  PYLON_ASSIGN(const codec::RuntimeApiMethod* m, method_of(md));
  if (m->inputs.size() != 1)
    return make_error(EpochApiErrc::kShape, std::string(kNextEpochStartMethod) + " takes " +
                                                std::to_string(m->inputs.size()) +
                                                " arguments, not 1 (netuid)");
  auto shape = codec::views::int_shape(md.types, m->inputs[0].type);
  if (!shape || shape->is_signed || shape->width < 2)
    return make_error(EpochApiErrc::kShape, std::string(kNextEpochStartMethod) + "'s netuid is " +
                                                md.types.display_name(m->inputs[0].type));
  codec::ScaleWriter w;
  if (shape->compact) {
    w.compact(netuid);
  } else {
    for (std::size_t i = 0; i < shape->width; ++i)
      w.u8(i < 2 ? static_cast<std::uint8_t>(netuid >> (8 * i)) : 0);
  }
  return w.take();
}

Result<std::optional<std::uint64_t>> decode_next_epoch_start(const codec::Metadata& md, ByteSpan answer) {
  PYLON_ASSIGN(const codec::RuntimeApiMethod* m, method_of(md));
  const codec::TypeRegistry& reg = md.types;
  const codec::TypeDef& out = reg[m->output];
  const std::string name = reg.display_name(m->output);
  std::optional<codec::views::IntShape> shape;
  if (out.special == codec::Special::Option)
    shape = codec::views::int_shape(reg, out.variant_at(1)->fields[0].type);
  if (!shape || shape->is_signed || shape->width > 8)
    return make_error(EpochApiErrc::kShape, std::string(kNextEpochStartMethod) + " answers " + name +
                                                ", not an Option of a block number");
  codec::ScaleReader r(answer);
  const auto malformed = [&](const Error& e) {
    return make_error(EpochApiErrc::kMalformed, e.message + " (in " + name + ")");
  };
  auto some = codec::views::read_some(r, true, name);
  if (!some.ok()) return malformed(some.error());
  std::optional<std::uint64_t> next;
  if (*some) {
    auto v = codec::views::read_uint(*shape, r);
    if (!v.ok()) return malformed(v.error());
    next = static_cast<std::uint64_t>(*v);
  }
  auto end = r.expect_end(name);
  if (!end.ok()) return malformed(end.error());
  return next;
}

bool cross_check_next_epoch(const EpochSpan& span, std::optional<std::uint64_t> api_next,
                            std::uint16_t netuid, std::uint64_t block) {
  if (api_next == span.end) return true;
  g_disagreements.fetch_add(1, std::memory_order_relaxed);
  log::warn("committer",
            "the runtime's next epoch start differs from the storage rule; keeping the storage rule",
            {{"netuid", std::to_string(netuid)},
             {"block", std::to_string(block)},
             {"storage_rule_next", std::to_string(span.end)},
             {"runtime_api_next", api_next ? std::to_string(*api_next) : std::string("none")}});
  return false;
}

std::uint64_t epoch_rule_disagreements() {
  return g_disagreements.load(std::memory_order_relaxed);
}

Status cross_check_with_runtime(chain::ChainClient& chain, const codec::Metadata& md, std::uint16_t netuid,
                                const chain::BlockRef& at, const EpochSpan& span) {
  if (!md.api_method(kNextEpochStartMethod)) return {};
  PYLON_ASSIGN(Bytes args, next_epoch_start_args(md, netuid));
  PYLON_ASSIGN(Bytes raw, chain.state_call(kNextEpochStartMethod, args, at));
  auto next = decode_next_epoch_start(md, raw);
  if (!next.ok()) return with_context("at #" + std::to_string(at.number), std::move(next).error());
  cross_check_next_epoch(span, *next, netuid, at.number);
  return {};
}

}  // namespace pylon::committer

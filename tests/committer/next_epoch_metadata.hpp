// A runtime with SubnetInfoRuntimeApi_get_next_epoch_start_block, for tests and the fuzz target.
// None of the shared metadata files has it (devnet spec 381, finney 343 and local 293 predate
// subtensor bcfe01269, 2026-05-13), so this adds it to a real metadata as subtensor declares it:
//   fn get_next_epoch_start_block(netuid: NetUid) -> Option<u64>;
// with NetUid the runtime's own type (the argument of its get_subnet_hyperparams_v2).
#pragma once

#include <memory>

#include "codec/metadata.hpp"

namespace pylon::test {

inline std::shared_ptr<const codec::Metadata> with_next_epoch_start(const codec::Metadata& base) {
  using namespace codec;
  auto md = std::make_shared<Metadata>(base);
  auto& types = md->types.types;
  TypeDef u64;
  u64.kind = TypeKind::Primitive;
  u64.prim = Primitive::U64;
  types.push_back(u64);
  const auto u64_id = static_cast<TypeId>(types.size() - 1);
  TypeDef option;
  option.kind = TypeKind::Variant;
  option.path = {"Option"};
  option.params = {{"T", u64_id}};
  option.variants = {Variant{"None", {}, 0}, Variant{"Some", {Field{"", u64_id, "u64"}}, 1}};
  types.push_back(option);
  const auto out = static_cast<TypeId>(types.size() - 1);
  if (!md->types.finish().ok()) return nullptr;
  for (auto& api : md->apis) {
    if (api.name != "SubnetInfoRuntimeApi") continue;
    for (const auto& m : api.methods)
      if (m.name == "get_subnet_hyperparams_v2") {
        api.methods.push_back(RuntimeApiMethod{"get_next_epoch_start_block", m.inputs, out});
        return md;
      }
  }
  return nullptr;
}

}  // namespace pylon::test

// A runtime that has SubnetInfoRuntimeApi_get_subnet_hyperparams_v3, for tests and the fuzz target.
// No metadata in the shared reference folder has it (devnet spec 381, finney spec 343 and the local
// spec 293 stop at _v2), so this adds the API to a real metadata with the types subtensor declares
// for it (pallets/subtensor/src/rpc_info/subnet_info.rs, opentensor/subtensor 14bc6f9f, 2026-06):
//   get_subnet_hyperparams_v3(netuid) -> Option<Vec<HyperparamEntry>>
//   HyperparamEntry { name: Vec<u8>, value: HyperparamValue }
//   enum HyperparamValue { Bool(bool), U16(Compact<u16>), U32(Compact<u32>), U64(Compact<u64>),
//     U128(Compact<u128>), TaoBalance(Compact<TaoBalance>), I32F32(I32F32), U64F64(U64F64) }
// The rest of the runtime (its v2 struct included) is the real one's.
#pragma once

#include <memory>

#include "codec/metadata.hpp"

namespace pylon::test {

inline std::shared_ptr<const codec::Metadata> with_hyperparams_v3(const codec::Metadata& base) {
  using namespace codec;
  auto md = std::make_shared<Metadata>(base);
  auto& types = md->types.types;
  const auto add = [&](TypeDef t) {
    types.push_back(std::move(t));
    return static_cast<TypeId>(types.size() - 1);
  };
  const auto prim = [&](Primitive p) {
    TypeDef t;
    t.kind = TypeKind::Primitive;
    t.prim = p;
    return add(std::move(t));
  };
  const auto compact = [&](TypeId of) {
    TypeDef t;
    t.kind = TypeKind::Compact;
    t.elem = of;
    return add(std::move(t));
  };
  const auto composite = [&](std::vector<std::string> path, std::vector<Field> fields) {
    TypeDef t;
    t.kind = TypeKind::Composite;
    t.path = std::move(path);
    t.fields = std::move(fields);
    return add(std::move(t));
  };
  const TypeId u8 = prim(Primitive::U8);
  TypeDef bytes;
  bytes.kind = TypeKind::Sequence;
  bytes.elem = u8;
  const TypeId vec_u8 = add(std::move(bytes));
  const TypeId tao =
      composite({"subtensor_runtime_common", "TaoBalance"}, {Field{"", prim(Primitive::U64), "u64"}});
  const TypeId i32f32 =
      composite({"substrate_fixed", "FixedI64"}, {Field{"bits", prim(Primitive::I64), "i64"}});
  const TypeId u64f64 =
      composite({"substrate_fixed", "FixedU128"}, {Field{"bits", prim(Primitive::U128), "u128"}});
  const std::vector<std::pair<std::string, TypeId>> variants = {{"Bool", prim(Primitive::Bool)},
                                                                {"U16", compact(prim(Primitive::U16))},
                                                                {"U32", compact(prim(Primitive::U32))},
                                                                {"U64", compact(prim(Primitive::U64))},
                                                                {"U128", compact(prim(Primitive::U128))},
                                                                {"TaoBalance", compact(tao)},
                                                                {"I32F32", i32f32},
                                                                {"U64F64", u64f64}};
  TypeDef value;
  value.kind = TypeKind::Variant;
  value.path = {"pallet_subtensor", "rpc_info", "subnet_info", "HyperparamValue"};
  for (std::size_t i = 0; i < variants.size(); ++i)
    value.variants.push_back(
        Variant{variants[i].first, {Field{"", variants[i].second, ""}}, static_cast<std::uint8_t>(i)});
  const TypeId value_id = add(std::move(value));
  const TypeId entry =
      composite({"pallet_subtensor", "rpc_info", "subnet_info", "HyperparamEntry"},
                {Field{"name", vec_u8, "Vec<u8>"}, Field{"value", value_id, "HyperparamValue"}});
  TypeDef list;
  list.kind = TypeKind::Sequence;
  list.elem = entry;
  const TypeId list_id = add(std::move(list));
  TypeDef option;
  option.kind = TypeKind::Variant;
  option.path = {"Option"};
  option.params = {{"T", list_id}};
  option.variants = {Variant{"None", {}, 0}, Variant{"Some", {Field{"", list_id, ""}}, 1}};
  const TypeId out = add(std::move(option));
  if (!md->types.finish().ok()) return nullptr;
  for (auto& api : md->apis) {
    if (api.name != "SubnetInfoRuntimeApi") continue;
    for (const auto& m : api.methods)
      if (m.name == "get_subnet_hyperparams_v2") {
        api.methods.push_back(RuntimeApiMethod{"get_subnet_hyperparams_v3", m.inputs, out});
        return md;
      }
  }
  return nullptr;
}

}  // namespace pylon::test

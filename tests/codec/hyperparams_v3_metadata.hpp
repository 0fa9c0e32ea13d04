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

#include "runtime_api_method.hpp"

namespace pylon::test {

inline std::shared_ptr<const codec::Metadata> with_hyperparams_v3(const codec::Metadata& base) {
  using namespace codec;
  return with_api_method(
      base, "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2", "get_subnet_hyperparams_v3",
      [](ApiTypes& t) {
        const TypeId u8 = t.primitive(Primitive::U8);
        const TypeId vec_u8 = t.sequence(u8);
        const TypeId tao = t.composite({"subtensor_runtime_common", "TaoBalance"},
                                       {Field{"", t.primitive(Primitive::U64), "u64"}});
        const TypeId i32f32 =
            t.composite({"substrate_fixed", "FixedI64"}, {Field{"bits", t.primitive(Primitive::I64), "i64"}});
        const TypeId u64f64 = t.composite({"substrate_fixed", "FixedU128"},
                                          {Field{"bits", t.primitive(Primitive::U128), "u128"}});
        const std::vector<std::pair<std::string, TypeId>> variants = {
            {"Bool", t.primitive(Primitive::Bool)},
            {"U16", t.compact(t.primitive(Primitive::U16))},
            {"U32", t.compact(t.primitive(Primitive::U32))},
            {"U64", t.compact(t.primitive(Primitive::U64))},
            {"U128", t.compact(t.primitive(Primitive::U128))},
            {"TaoBalance", t.compact(tao)},
            {"I32F32", i32f32},
            {"U64F64", u64f64}};
        TypeDef value;
        value.kind = TypeKind::Variant;
        value.path = {"pallet_subtensor", "rpc_info", "subnet_info", "HyperparamValue"};
        for (std::size_t i = 0; i < variants.size(); ++i)
          value.variants.push_back(
              Variant{variants[i].first, {Field{"", variants[i].second, ""}}, static_cast<std::uint8_t>(i)});
        const TypeId value_id = t.add(std::move(value));
        const TypeId entry =
            t.composite({"pallet_subtensor", "rpc_info", "subnet_info", "HyperparamEntry"},
                        {Field{"name", vec_u8, "Vec<u8>"}, Field{"value", value_id, "HyperparamValue"}});
        return t.option(t.sequence(entry));
      });
}

}  // namespace pylon::test

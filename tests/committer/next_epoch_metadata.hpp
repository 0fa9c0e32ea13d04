// A runtime with SubnetInfoRuntimeApi_get_next_epoch_start_block, for tests and the fuzz target.
// None of the shared metadata files has it (devnet spec 381, finney 343 and local 293 predate
// subtensor bcfe01269, 2026-05-13), so this adds it to a real metadata as subtensor declares it:
//   fn get_next_epoch_start_block(netuid: NetUid) -> Option<u64>;
// with NetUid the runtime's own type (the argument of its get_subnet_hyperparams_v2).
#pragma once

#include <memory>

#include "../codec/runtime_api_method.hpp"

namespace pylon::test {

inline std::shared_ptr<const codec::Metadata> with_next_epoch_start(const codec::Metadata& base) {
  using namespace codec;
  return with_api_method(base, "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2",
                         "get_next_epoch_start_block",
                         [](ApiTypes& t) { return t.option(t.primitive(Primitive::U64), "u64"); });
}

}  // namespace pylon::test

// Fuzzes the decoder of a node's SubnetInfoRuntimeApi_get_next_epoch_start_block answer
// (Option<u64> by the metadata), resolved on the real devnet metadata with the method added as
// subtensor declares it (tests/committer/next_epoch_metadata.hpp: no shared metadata has it yet).
// Whatever the bytes: a block number, None, or an error with an EpochApiErrc kind; never a crash.
#include <cstdlib>

#include "../committer/next_epoch_metadata.hpp"
#include "committer/epoch_api.hpp"
#include "fuzz_metadata.hpp"

using namespace pylon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto md = [] {
    auto with = test::with_next_epoch_start(*fuzz::required_metadata("chain/devnet-metadata-v16.scale"));
    if (!with) std::abort();
    return with;
  }();
  auto r = committer::decode_next_epoch_start(*md, ByteSpan(data, size));
  if (r.ok() ? (size != 1 && size != 9) : !r.error().kind_of<committer::EpochApiErrc>()) std::abort();
  return 0;
}

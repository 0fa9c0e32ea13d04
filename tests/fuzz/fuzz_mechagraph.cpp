// Fuzzes the decoder of a node's SubnetInfoRuntimeApi_get_selective_mechagraph answer (the
// per-mechanism neuron fields), resolved on the real devnet metadata, which has the method. Input:
// a neuron count (first byte), then the answer to (netuid 3, mecid 1). Whatever the bytes: columns
// no longer than the neurons, or an error with a MechagraphErrc kind; never a crash.
#include <cstdlib>

#include "codec/views/mechanisms.hpp"

using namespace pylon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto view = [] {
    const char* dir = std::getenv("PYLON_SHARED_DIR");
    auto md = codec::load_metadata_file(std::string(dir ? dir : PYLON_SHARED_DIR_DEFAULT) +
                                        "/chain/devnet-metadata-v16.scale");
    if (!md.ok()) std::abort();  // a fuzzer without the runtime's types would test nothing
    auto v = codec::views::MechagraphView::resolve(*md);
    if (!v.ok() || !*v) std::abort();
    return **v;
  }();
  if (size == 0) return 0;
  const std::size_t neurons = data[0];
  auto r = view.decode(ByteSpan(data + 1, size - 1), 3, 1, neurons);
  if (r.ok() ? r->incentives.size() > neurons || r->last_update.size() > neurons
             : !r.error().kind_of<codec::views::MechagraphErrc>())
    std::abort();
  return 0;
}

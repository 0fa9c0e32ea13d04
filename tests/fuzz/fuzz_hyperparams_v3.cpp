// Fuzzes the decoder of a node's SubnetInfoRuntimeApi_get_subnet_hyperparams_v3 answer (a list of
// names and tagged values), resolved from the real devnet metadata with subtensor's v3 types added
// (tests/codec/hyperparams_v3_metadata.hpp: no shared metadata has v3 yet), so names are also
// checked against that runtime's v2 struct. Whatever the bytes: a record with unique names, None,
// or an error with a HyperparamsErrc kind; never a crash.
#include <cstdlib>
#include <set>

#include "../codec/hyperparams_v3_metadata.hpp"
#include "codec/views/hyperparams.hpp"
#include "fuzz_metadata.hpp"

using namespace pylon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto view = [] {
    auto md = fuzz::required_metadata("chain/devnet-metadata-v16.scale");
    auto v = codec::views::HyperparamsView::resolve(test::with_hyperparams_v3(*md));
    if (!v.ok() || v->api() != codec::views::HyperparamsView::Api::kV3) std::abort();
    return *v;
  }();
  auto r = view.decode(ByteSpan(data, size));
  if (!r.ok()) {
    if (!r.error().kind_of<codec::views::HyperparamsErrc>()) std::abort();
    return 0;
  }
  std::set<std::string> names;
  if (*r)
    for (const auto& [name, value] : (*r)->fields)
      if (name.empty() || !names.insert(name).second) std::abort();
  return 0;
}

// Fuzzes the stakes read from a node's SubnetInfoRuntimeApi_get_subnet_state answer, decoded with
// the real finney metadata (as the follower does at each block). Input: a neuron count n (first
// byte, at most 16), n neurons as (uid u16 LE, hotkey 32 bytes), then the node's answer.
// Whatever the bytes: stakes for every neuron, or an error with a StakesErrc kind; never a crash.
#include <cstdlib>
#include <cstring>

#include "codec/metadata.hpp"
#include "follower/stakes.hpp"
#include "fuzz_metadata.hpp"

using namespace pylon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto view = [] {
    auto md = fuzz::required_metadata("chain/finney-metadata-v15.option.hex");
    return codec::views::ColumnsView::resolve_api(md, follower::kSubnetStateMethod).value();
  }();
  const std::size_t n = size == 0 ? 0 : data[0] % 17;
  if (size < 1 + n * 34) return 0;
  std::vector<codec::views::NeuronLite> neurons(n);
  for (std::size_t i = 0; i < n; ++i) {
    neurons[i].uid = static_cast<std::uint16_t>(data[1 + i * 34] | data[2 + i * 34] << 8);
    std::memcpy(neurons[i].hotkey.data(), data + 3 + i * 34, 32);
  }
  const std::size_t at = 1 + n * 34;
  auto r = follower::stakes_from_subnet_state(view, ByteSpan(data + at, size - at), neurons);
  if (r.ok() ? r->size() != n : !r.error().kind_of<follower::StakesErrc>()) std::abort();
  return 0;
}

// Fuzzes pylon::Client's parsing of REST answers (shm-client/include/pylon/client/detail/
// rest_parse.hpp), which come from whatever server sits at rest_url: every answer kind on the
// same bytes. Nothing may crash; a parsed /metagraph has uids 0..n-1 in order and SS58 keys that
// re-encode, and a parsed commitment fits the segment's limit.
#include <cstdlib>
#include <string_view>

#include "pylon/client/detail/rest_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  client_detail::RestParser p;
  ClientSnapshot s;
  if (p.metagraph(body, s).ok()) {
    for (std::size_t i = 0; i < s.neurons.size(); ++i)
      if (s.neurons[i].uid != i || s.uid_of(*s.hotkey(i)).ok() != true) std::abort();
  }
  shm::Hyperparams h{};
  (void)p.hyperparams(body, h);
  if (p.commitments(body, s.commitments).ok())
    for (const ClientCommitment& c : s.commitments)
      if (c.data.size() > shm::kMaxCommitmentBytes) std::abort();
  (void)p.latest_block(body);
  (void)p.detail(body);
  return 0;
}

// The committer's reading of a timelocked commit's fate from storage answers (TimelockedWeightCommits
// values, Drand.LastStoredRound, LastUpdate, a Weights row) under devnet's real metadata (spec 381:
// mechanisms and timelocked commits), as /weights_status reads them at each request.
// Input: byte 0 says which answers are present (bits 0-2) and how many queue values (bits 3-4);
// byte 1 is the uid asked about; then each answer as one length byte and its bytes. Any answer
// gives a decision or an error with a kind, never a crash or a read past an answer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "codec/metadata.hpp"
#include "committer/timelocked_reveal.hpp"
#include "fuzz_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pylon;
  static const auto md = fuzz::required_metadata("chain/devnet-metadata-v16.scale");
  if (size < 2) return 0;
  std::size_t at = 2;
  auto next = [&]() -> Bytes {  // one length-prefixed answer (what is left, when cut short)
    const std::size_t n = at < size ? data[at++] : 0;
    const std::size_t take = std::min(n, size - at);
    Bytes b(data + at, data + at + take);
    at += take;
    return b;
  };
  committer::TimelockedCommitRef commit{1, 1, AccountId{}, data[1], 20851696, 6852691};
  committer::TimelockedRevealStorage storage;
  storage.block = 6853000;
  for (int i = 0; i < ((data[0] >> 3) & 3); ++i) storage.pending.push_back(next());
  if (data[0] & 1) storage.last_stored_round = next();
  if (data[0] & 2) storage.last_update = next();
  if (data[0] & 4) storage.weights_row = next();
  const auto r = committer::decide_timelocked_reveal(*md, commit, storage);
  if (!r.ok() && r.error().domain == nullptr) std::abort();  // every error says its kind
  return 0;
}

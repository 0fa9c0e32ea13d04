// Answers for what the recorded finney scenario lacks, so that `pylon run` can build full
// snapshots from the replay. The recording holds the neurons of block 6852690 and little else;
// the daemon also reads hyperparameters, commitments and storage items (timestamp, epoch state).
// None of that is on the REST benchmark's paths (/latest_block and /metagraph), but without it
// the daemon publishes no snapshot at all. Each answer here is one the chain itself could give,
// the smallest of its kind, never a copy of other data:
//   - a storage read (state_getStorage[At]) that the recording lacks: null, "no value stored"
//     (the two reads the scenario did record were null too);
//   - a key listing (state_getKeys[Paged]): [], no entries (so: no commitments);
//   - the hyperparameters runtime API: Some(record) with every field at its smallest encoding
//     (zeros, false, empty), built from the metadata's own type so any spec decodes it;
//   - the hash of block 0: finney's genesis hash, a published constant.
// Nothing else is filled: other unrecorded requests still get the replay's error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "codec/metadata.hpp"
#include "common/result.hpp"

namespace pylon::bench {

class ReplayGaps {
 public:
  explicit ReplayGaps(std::shared_ptr<const codec::Metadata> md);
  // The JSON result for (method, params), or nullopt to let the recording answer.
  std::optional<std::string> answer(std::string_view method, std::string_view params) const;

 private:
  std::shared_ptr<const codec::Metadata> md_;
  std::string hyperparams_method_;
  std::string hyperparams_result_;  // quoted hex
};

// The smallest SCALE encoding of a value of `type`: zero integers, false, empty sequences and
// strings, the first variant of an enum (None for Option). Fails on a type that refers to itself
// without a sequence in between (it would have no finite smallest value).
Result<Bytes> smallest_encoding(const codec::TypeRegistry& reg, codec::TypeId type);

}  // namespace pylon::bench

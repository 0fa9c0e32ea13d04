// Commitments.CommitmentOf values (pallet_commitments Registration): who committed what, when.
// Each field of the commitment is a `Data` variant; Pylon keeps the variant's name and its bytes
// (Raw0..Raw128, BigRaw, hashes, the timelocked ciphertext with its drand round).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::codec::views {

struct CommitmentField {
  std::string kind;  // the Data variant's name, e.g. "Raw4", "Sha256", "TimelockEncrypted"
  Bytes data;        // its bytes (empty for None / ResetBondsFlag)
  std::optional<std::uint64_t> reveal_round;  // TimelockEncrypted only
};

struct Commitment {
  u128 deposit = 0;
  std::uint64_t block = 0;
  std::vector<CommitmentField> fields;

  // The bytes of all fields, concatenated: what the REST API serves as the commitment's hex.
  Bytes concatenated() const;
};

class CommitmentView {
 public:
  // From the value type of Commitments.CommitmentOf in this metadata.
  static Result<CommitmentView> resolve(std::shared_ptr<const Metadata> md);
  // A storage value (no Option framing: absent keys are answered as null by the node).
  Result<Commitment> decode(ByteSpan bytes) const;

 private:
  std::shared_ptr<const Metadata> md_;
  TypeId registration_ = 0;
};

}  // namespace pylon::codec::views

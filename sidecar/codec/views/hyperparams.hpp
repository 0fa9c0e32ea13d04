// A subnet's hyperparameters from whichever runtime API the block's metadata offers, newest first:
// `get_subnet_hyperparams_v3` (a list of (name, tagged value) entries whose shape never changes
// when the chain adds a parameter), else `_v2`, else the original struct. Every path yields the
// same Record (field name -> Scalar), so the JSON and shm fields built from it do not depend on
// which API answered.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/views/record.hpp"

namespace pylon::codec::views {

enum class HyperparamsErrc : std::uint8_t {
  kNoApi,         // the runtime offers none of the hyperparameter APIs
  kShape,         // the metadata's output type is not the shape this reader knows
  kMalformed,     // the answer's bytes do not decode as that type
  kUnknownValue,  // a value's variant tag is not in the metadata, or holds no scalar
  kBadName,       // a name that is empty, not ASCII [a-z0-9_], or given twice
  kMismatch,      // a name the runtime's v2 struct also has, with a value its field cannot hold
};

// Decodes SubnetHyperparamsV3 = Option<Vec<{name: Vec<u8>, value: HyperparamValue}>>, every type
// taken from the metadata: the entry's fields by name, each value variant by its tag. Where the
// same metadata also has the v2 struct, each name it shares with v2 must carry a value of that
// field's kind (bool, unsigned, signed) that fits its width: the chain describes v3's names only
// in v2, and a list that contradicts it is an error, never a guess. Immutable after resolve;
// decode may be called from any thread.
class HyperparamListView {
 public:
  static Result<HyperparamListView> resolve(std::shared_ptr<const Metadata> md, TypeId type);
  // Entries in the answer's order; nullopt for None (no such subnet). All bytes must be consumed.
  Result<std::optional<Record>> decode(ByteSpan bytes) const;

 private:
  struct ValueKind {
    bool scalar = false;  // the variant holds exactly one scalar field
    Scalar::Kind kind = Scalar::Kind::UInt;
    IntShape shape;
    std::string name;  // the variant's name, quoted by errors
  };
  struct Expected {  // a v2 field of the same runtime
    std::string name;
    Scalar::Kind kind;
    IntShape shape;
  };
  Status check_against_v2(const std::string& name, const Scalar& value) const;

  std::shared_ptr<const Metadata> md_;
  std::string type_name_;
  bool optional_ = false;
  bool name_first_ = true;                        // field order of the entry struct
  std::array<std::int16_t, 256> value_of_tag_{};  // index into values_, -1 when the tag is absent
  std::vector<ValueKind> values_;
  std::vector<Expected> v2_;
};

// The newest hyperparameters API of a runtime and its decoder. Immutable; any thread.
class HyperparamsView {
 public:
  enum class Api : std::uint8_t { kV1, kV2, kV3 };
  static Result<HyperparamsView> resolve(std::shared_ptr<const Metadata> md);

  Api api() const { return api_; }
  // The state_call name, e.g. "SubnetInfoRuntimeApi_get_subnet_hyperparams_v3".
  const std::string& method() const { return method_; }
  Result<std::optional<Record>> decode(ByteSpan bytes) const;

 private:
  Api api_ = Api::kV1;
  std::string method_;
  std::optional<RecordView> record_;        // v1, v2
  std::optional<HyperparamListView> list_;  // v3
};

// The newest hyperparameters method the runtime offers (v3, v2, v1), empty when it has none.
std::string hyperparams_method(const Metadata& md);

inline constexpr const char* kHyperparamsV3Method = "SubnetInfoRuntimeApi_get_subnet_hyperparams_v3";
inline constexpr const char* kHyperparamsV2Method = "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2";
inline constexpr const char* kHyperparamsV1Method = "SubnetInfoRuntimeApi_get_subnet_hyperparams";

}  // namespace pylon::codec::views

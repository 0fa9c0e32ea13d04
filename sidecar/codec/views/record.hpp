// A flat record of named scalars (integers, bools, fixed-point bits), read from any struct whose
// fields are all scalar, such as SubnetHyperparams and its _v2. New fields in a later runtime
// simply appear; callers ask by name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/views/shapes.hpp"

namespace pylon::codec::views {

struct Record {
  std::vector<std::pair<std::string, Scalar>> fields;

  const Scalar* find(std::string_view name) const;
  // The field as u64, nullopt when absent, negative or wider.
  std::optional<std::uint64_t> u64(std::string_view name) const;
  std::optional<bool> flag(std::string_view name) const;
};

class RecordView {
 public:
  // `type` is the struct, or Option<struct> (then None decodes to nullopt).
  static Result<RecordView> resolve_type(std::shared_ptr<const Metadata> md, TypeId type);
  // The output of a runtime API method, e.g. "SubnetInfoRuntimeApi_get_subnet_hyperparams_v2".
  static Result<RecordView> resolve_api(std::shared_ptr<const Metadata> md, std::string_view method);

  // All bytes must be consumed.
  Result<std::optional<Record>> decode(ByteSpan bytes) const;
  const std::string& type_name() const { return type_name_; }

 private:
  struct Field {
    std::string name;
    Scalar::Kind kind;
    IntShape shape;
  };
  std::shared_ptr<const Metadata> md_;
  bool optional_ = false;
  std::vector<Field> fields_;
  std::string type_name_;
};

}  // namespace pylon::codec::views

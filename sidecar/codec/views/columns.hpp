// Column-shaped runtime API answers — SubnetState (get_subnet_state) and SelectiveMetagraph
// (get_selective_metagraph, where every field is an Option the caller selected by index) — read
// into named, typed columns: scalars, per-neuron integer/bool lists and account lists; anything
// richer (identities, axons, fixed-point prices) stays a dynamic Value under its name.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/metadata.hpp"
#include "codec/value.hpp"
#include "codec/views/record.hpp"

namespace pylon::codec::views {

struct Column {
  enum class Kind : std::uint8_t { Absent, Scalar, List, Accounts, Other } kind = Kind::Absent;
  views::Scalar scalar;             // Scalar
  std::vector<u128> list;           // List (bools as 0/1)
  std::vector<AccountId> accounts;  // Accounts
  Value other;                      // Other
};

struct Columns {
  std::vector<std::pair<std::string, Column>> columns;
  const Column* find(std::string_view name) const;
  // Convenience: a present scalar column as u64.
  std::optional<std::uint64_t> u64(std::string_view name) const;
};

class ColumnsView {
 public:
  // `type` is the struct or Option<struct>.
  static Result<ColumnsView> resolve_type(std::shared_ptr<const Metadata> md, TypeId type);
  static Result<ColumnsView> resolve_api(std::shared_ptr<const Metadata> md, std::string_view method);
  // nullopt for None (unknown subnet); all bytes must be consumed.
  Result<std::optional<Columns>> decode(ByteSpan bytes) const;
  // The same, keeping only the columns named in `only`: every other field is still read and
  // checked (the answer must decode whole), but not stored. Cheaper when the caller needs a few
  // columns of a wide answer (the follower: 4 of get_subnet_state's 18, where emission_history
  // alone holds a value per neuron per subnet of the chain).
  Result<std::optional<Columns>> decode(ByteSpan bytes, std::span<const std::string_view> only) const;

  // A field of the struct by its metadata name: its position (the index SelectiveMetagraph's
  // `metagraph_indexes` select it by), how it reads and its integer shape; nullopt when absent.
  struct FieldInfo {
    std::size_t index = 0;
    Column::Kind kind = Column::Kind::Other;
    IntShape shape;  // Scalar, or a List's element (width 0 = bool)
  };
  std::optional<FieldInfo> field(std::string_view name) const;
  const std::string& type_name() const { return type_name_; }

 private:
  struct Field {
    std::string name;
    TypeId type;    // type after stripping the field's own Option
    bool optional;  // field is Option<...>
    Column::Kind kind;
    IntShape shape;  // Scalar / List element (width 0 = bool)
    // Other fields that are a list of lists of unsigned integers (SubnetState.emission_history):
    // the inner element, so that skip_field reads them in a loop rather than a type walk.
    std::optional<IntShape> rows_of;
  };
  Status read_field(const Field& f, ScaleReader& r, Column& out) const;
  // Reads a field the caller did not ask for, storing nothing.
  Status skip_field(const Field& f, ScaleReader& r) const;

  std::shared_ptr<const Metadata> md_;
  bool optional_ = false;
  std::vector<Field> fields_;
  std::string type_name_;
};

}  // namespace pylon::codec::views

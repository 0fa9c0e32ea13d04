// Adds a runtime API method to a copy of a real metadata, for tests and fuzz targets of methods that
// no metadata in the shared reference folder has yet (hyperparams_v3_metadata.hpp,
// ../committer/next_epoch_metadata.hpp). The method takes the inputs of a method the runtime already
// has on the same API (so argument types stay the runtime's own), and its answer is a type the
// caller adds with ApiTypes; everything else is the real runtime's.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codec/metadata.hpp"

namespace pylon::test {

// Appends types to a registry under construction; each call answers the new type's id.
// Used only inside with_api_method's callback, on one thread.
class ApiTypes {
 public:
  explicit ApiTypes(codec::TypeRegistry& registry) : types_(registry.types) {}

  codec::TypeId add(codec::TypeDef t) {
    types_.push_back(std::move(t));
    return static_cast<codec::TypeId>(types_.size() - 1);
  }
  codec::TypeId primitive(codec::Primitive p) {
    codec::TypeDef t;
    t.kind = codec::TypeKind::Primitive;
    t.prim = p;
    return add(std::move(t));
  }
  codec::TypeId compact(codec::TypeId of) { return with_elem(codec::TypeKind::Compact, of); }
  codec::TypeId sequence(codec::TypeId of) { return with_elem(codec::TypeKind::Sequence, of); }
  codec::TypeId composite(std::vector<std::string> path, std::vector<codec::Field> fields) {
    codec::TypeDef t;
    t.kind = codec::TypeKind::Composite;
    t.path = std::move(path);
    t.fields = std::move(fields);
    return add(std::move(t));
  }
  // Option<of> as scale-info describes it: a variant None = 0, Some(of) = 1, path "Option".
  codec::TypeId option(codec::TypeId of, std::string of_name = "") {
    codec::TypeDef t;
    t.kind = codec::TypeKind::Variant;
    t.path = {"Option"};
    t.params = {{"T", of}};
    t.variants = {codec::Variant{"None", {}, 0},
                  codec::Variant{"Some", {codec::Field{"", of, std::move(of_name)}}, 1}};
    return add(std::move(t));
  }

 private:
  codec::TypeId with_elem(codec::TypeKind kind, codec::TypeId of) {
    codec::TypeDef t;
    t.kind = kind;
    t.elem = of;
    return add(std::move(t));
  }

  std::vector<codec::TypeDef>& types_;
};

// A copy of `base` whose runtime API `api` has the method `name`, with the inputs of its method
// `inputs_of` and the answer type `output` adds; nullptr when the API or that method is missing or
// the added types do not resolve.
inline std::shared_ptr<const codec::Metadata> with_api_method(
    const codec::Metadata& base, const std::string& api, const std::string& inputs_of,
    const std::string& name, const std::function<codec::TypeId(ApiTypes&)>& output) {
  auto md = std::make_shared<codec::Metadata>(base);
  ApiTypes types(md->types);
  const codec::TypeId out = output(types);
  if (!md->types.finish().ok()) return nullptr;
  for (auto& a : md->apis) {
    if (a.name != api) continue;
    for (const auto& m : a.methods)
      if (m.name == inputs_of) {
        a.methods.push_back(codec::RuntimeApiMethod{name, m.inputs, out});
        return md;
      }
  }
  return nullptr;
}

}  // namespace pylon::test

#include "codec/metadata.hpp"

#include "common/find_by.hpp"

namespace pylon::codec {

const StorageEntry* Pallet::storage_entry(std::string_view n) const {
  return find_by(storage, n, &StorageEntry::name);
}

const Constant* Pallet::constant(std::string_view n) const {
  return find_by(constants, n, &Constant::name);
}

const Pallet* Metadata::pallet(std::string_view name) const {
  return find_by(pallets, name, &Pallet::name);
}

const Pallet* Metadata::pallet_by_index(std::uint8_t index) const {
  return find_by(pallets, index, &Pallet::index);
}

const RuntimeApiMethod* Metadata::api_method(std::string_view api, std::string_view method) const {
  for (const auto& a : apis) {
    if (a.name != api) continue;
    for (const auto& m : a.methods)
      if (m.name == method) return &m;
  }
  return nullptr;
}

const RuntimeApiMethod* Metadata::api_method(std::string_view state_call_name) const {
  // Api names have no underscore (they are Rust trait names); the method follows the first one.
  const auto i = state_call_name.find('_');
  if (i == std::string_view::npos) return nullptr;
  return api_method(state_call_name.substr(0, i), state_call_name.substr(i + 1));
}

}  // namespace pylon::codec

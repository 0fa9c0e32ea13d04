// The real runtime a fuzz target decodes with: a metadata file of the shared reference folder
// ($PYLON_SHARED_DIR, else the folder configured at build time, PYLON_SHARED_DIR_DEFAULT), which
// the target loads once into a function-local static.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "codec/metadata.hpp"

namespace pylon::fuzz {

// The file `rel` below the shared folder, or nullptr when it does not load.
inline std::shared_ptr<const codec::Metadata> shared_metadata(const char* rel) {
  const char* dir = std::getenv("PYLON_SHARED_DIR");
  auto md = codec::load_metadata_file(std::string(dir ? dir : PYLON_SHARED_DIR_DEFAULT) + "/" + rel);
  return md.ok() ? *md : nullptr;
}

// The same for a target that would test nothing without it: it aborts rather than passes.
inline std::shared_ptr<const codec::Metadata> required_metadata(const char* rel) {
  auto md = shared_metadata(rel);
  if (!md) std::abort();
  return md;
}

}  // namespace pylon::fuzz

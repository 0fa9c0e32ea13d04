// The daemon's start of every segment header it formats: the four fields all three headers open
// with at the same offsets (layout.hpp: magic at 0, abi_version at 8, header_size at 12, generation
// at 24), which a reader checks before it trusts anything else. Not part of the client.
#pragma once

#include <cstdint>

namespace pylon::shm {

// A zeroed `Header` naming its kind, ABI, own size and generation; the caller sets the rest.
template <class Header>
inline Header fresh_header(std::uint64_t magic, std::uint32_t abi_version,
                           std::uint64_t generation) noexcept {
  Header h{};
  h.magic = magic;
  h.abi_version = abi_version;
  h.header_size = sizeof(Header);
  h.generation = generation;
  return h;
}

}  // namespace pylon::shm

// pylon::ClientSnapshot: what pylon::Client::snapshot() gives over either transport, in the
// segment's units (LAYOUT.md): neurons as the NeuronRecord array (row i = uid i), the
// Hyperparams record, commitments by hotkey. Dependency-free (part of the rest component only
// because only pylon::Client makes them). The Client hands them out as SnapshotPtr: immutable,
// shared, and the same one again while no newer block was published.
//
// Thread contract: a value type; const access from several threads is safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pylon/client/detail/ss58.hpp"
#include "pylon/shm/layout.hpp"
#include "pylon/shm/result.hpp"

namespace pylon {

struct ClientCommitment {
  std::array<std::uint8_t, 32> hotkey{};
  std::vector<std::uint8_t> data;
};

struct ClientSnapshot {
  std::uint64_t block = 0;
  std::array<std::uint8_t, 32> block_hash_bytes{};
  std::vector<shm::NeuronRecord> neurons;  // row i = uid i
  shm::Hyperparams hyperparams{};
  std::vector<ClientCommitment> commitments;

  // "0x" + 64 lowercase hex digits.
  std::string block_hash() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "0x";
    for (std::uint8_t b : block_hash_bytes) out += kHex[b >> 4], out += kHex[b & 15];
    return out;
  }
  // The SS58 hotkey of `uid`, or Errc::out_of_range.
  shm::ShmResult<std::string> hotkey(std::size_t uid) const {
    if (uid >= neurons.size()) {
      return shm::make_shm_error(shm::Errc::out_of_range, "uid %zu is not below the subnet's %zu neurons",
                                 uid, neurons.size());
    }
    return client_detail::ss58_encode(neurons[uid].hotkey);
  }
  // The uid of an SS58 hotkey: Errc::invalid_argument for malformed text, no_such_neuron when absent.
  shm::ShmResult<std::uint16_t> uid_of(std::string_view ss58) const noexcept {
    client_detail::AccountId id;
    if (!client_detail::ss58_decode(ss58, id)) {
      return shm::make_shm_error(shm::Errc::invalid_argument,
                                 "malformed hotkey: not an SS58 address of prefix 42");
    }
    for (const shm::NeuronRecord& n : neurons) {
      if (std::memcmp(n.hotkey, id.data(), 32) == 0) return n.uid;
    }
    return shm::make_shm_error(shm::Errc::no_such_neuron, "hotkey %.*s is not in the metagraph",
                               static_cast<int>(ss58.size()), ss58.data());
  }
  // The commitment of a hotkey, or nullptr.
  const ClientCommitment* commitment(const std::uint8_t hotkey32[32]) const noexcept {
    for (const ClientCommitment& c : commitments) {
      if (std::memcmp(c.hotkey.data(), hotkey32, 32) == 0) return &c;
    }
    return nullptr;
  }
};

// What pylon::Client::snapshot() returns: never changed once made, so it may be held as long as
// wanted and read from any thread while the client moves on to newer blocks.
using SnapshotPtr = std::shared_ptr<const ClientSnapshot>;

}  // namespace pylon

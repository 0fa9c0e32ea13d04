// What the writer makes of a batch drained from the shm weight queue: weight updates of the
// current epoch, each with the queue position it came from, and the entries it refuses (recorded
// in queue_rejected, never applied) — an unregistered uid, or a mechanism the subnet lacks.
// Free of the writer thread so the fuzz target of the drain runs the same rules.
//
// Thread contract: to_queue_batch is a pure function of its arguments (DrainContext's callbacks
// are called on the caller's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "common/result.hpp"
#include "weights/store.hpp"

namespace pylon::shm {
struct DrainedEntry;
}

namespace pylon::weights {

// What the drain needs to know about the chain right now (from the latest snapshot).
struct DrainContext {
  std::uint16_t netuid = 0;
  std::uint64_t epoch = 0;  // the current epoch's start block
  // uid -> hotkey at the latest block; nullopt when that uid is not registered.
  std::function<std::optional<AccountId>(std::uint16_t uid)> hotkey_of;
  // The subnet's mechanism count at the latest block (mechanisms 0..count-1 take weights). Asked
  // only when an entry names a mechanism above 0 (mechanism 0 exists on every subnet), at most
  // once per batch. Unset: there is no chain to ask, and such entries are refused.
  std::function<Result<std::uint8_t>()> mechanism_count;
};

// The entries as updates of ctx.epoch; an entry whose uid is not registered or whose mechanism the
// subnet does not have goes to `refused` with the reason. `marks` holds each producer's last seq.
QueueBatch to_queue_batch(std::span<const shm::DrainedEntry> entries, const DrainContext& ctx);

}  // namespace pylon::weights
